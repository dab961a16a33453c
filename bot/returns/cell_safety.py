"""Plan and update text made safe for the return's formats, whoever wrote it.

Text in the return comes from the plan file (which `plan import` may have filled
from someone else's spreadsheet) and from leads' updates, so it is never allowed
to become active content: no formula in a spreadsheet cell, no script link in
Markdown.

CSV rule: a cell whose first character (after spaces) is `=`, `+`, `-`, `@`
(or their full-width forms), a tab or a carriage return is written with a `'`
before it, the prefix spreadsheets treat as "this is text", unless the whole
cell is a plain figure such as `-5%`, `+3` or `-1,250.50`, which a spreadsheet
reads as that number and a person reads as written.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_FIGURE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+|(?=\.\d))(?:\.\d+)?%?")
_SAFE_SCHEME = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>[^\[\]\n]*)\]\(\s*<?(?P<url>[^()\s<>]*(?:\([^()\s<>]*\)[^()\s<>]*)*)>?"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML document cannot hold (control characters,
    U+FFFE, lone surrogates), which Word and Excel files would otherwise fail to save."""
    return _NOT_XML.sub("", text)


def is_figure(text: str) -> bool:
    """Whether `text` is only a number as a person writes one: '-5%', '+3', '1,200.50'."""
    return _FIGURE.fullmatch(text.strip()) is not None


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as the text it is (see the module docstring)."""
    if text.lstrip(" ").startswith(FORMULA_STARTS) and not is_figure(text):
        return "'" + text
    return text


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet would take as a formula if a person typed it into a cell."""
    return text.lstrip(" ").startswith(FORMULA_STARTS) and not is_figure(text)


def safe_url(url: str) -> str | None:
    """The link target as a browser would follow it, if it is http(s) or mailto; else None.

    Markdown decodes entities and backslash escapes in a target, and browsers ignore
    control characters and spaces in a scheme, so the check is made on what the link
    would finally be (`JaVaScRiPt&#58;` and `java\\tscript:` are caught)."""
    target = _INVISIBLE.sub("", html.unescape(url.replace("\\", "")))
    if not _SAFE_SCHEME.match(target):
        return None
    return quote(target, safe="/:?#[]@!$&'*+,;=%~.-_")


def markdown_text(text: str) -> str:
    """User text for a Markdown document: links kept only to http(s) and mailto targets
    (others, and images, become their text), and no raw HTML, brackets or table pipes
    left to be read as markup."""
    out: list[str] = []
    end = 0
    for match in _LINK.finditer(text):
        out.append(_escape(text[end : match.start()]))
        label = _escape(match["text"]) or _escape(match["url"])
        url = None if match["bang"] else safe_url(match["url"])
        out.append(f"[{label}]({url})" if url else label)
        end = match.end()
    out.append(_escape(text[end:]))
    return "".join(out)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("|", "\\|")
    )
