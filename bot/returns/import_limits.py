"""What `planbot plan import` will open: sizes checked before any library parses a file.

A .docx or .xlsx file is a zip of XML parts. A zip bomb declares parts thousands
of times larger than their compressed bytes, and a part can declare XML entities
that expand one another (a few bytes become gigabytes). Both are refused from
the zip's own directory and a streaming scan of its parts, before python-docx or
openpyxl sees them. Python's zip reader never yields more than a part's declared
size, so checking the declared sizes bounds what is read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from bot.core.errors import BadInput

MAX_FILE_BYTES = {".docx": 20 * 1024 * 1024, ".xlsx": 20 * 1024 * 1024, ".csv": 5 * 1024 * 1024}
"""A plan table is a few hundred KB; a Word file with pictures may run to a few MB."""
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
"""All parts of a .docx or .xlsx together, uncompressed (pictures included): what the reading
libraries hold in memory."""
MAX_XML_BYTES = 8 * 1024 * 1024
"""The XML parts alone, which the libraries parse cell by cell: openpyxl took 5 s and 128 MB peak
for 7.8 MB of sheet XML (160,000 cells); a 200-item plan needs under 1 MB."""
MAX_RATIO = 200
"""Office XML compresses 5 to 30 times; a part declaring more than 200 times its compressed size
(and over a megabyte) is a bomb, not a table."""
MAX_PARTS = 2000
MAX_ROWS = 2000
"""Rows read from one table or sheet: a 200-item plan at five rows an item is 1,000."""
MAX_COLUMNS = 60
MAX_TABLES = 100
MAX_CELL_CHARS = 32_767
"""Excel's own limit for one cell's text."""
_DTD_MARKERS = tuple(marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
KIND = {".docx": "Word", ".xlsx": "Excel", ".csv": "CSV"}


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def damaged(path: Path, detail: str = "") -> BadInput:
    """The one message for a file no reader could make sense of."""
    kind = KIND.get(path.suffix.lower(), "Word, Excel or CSV")
    because = f" ({detail})" if detail else ""
    article = "an" if kind == "Excel" else "a"
    return BadInput(
        f"{path.name}: this file is damaged or not {article} {kind} table{because}. "
        f"Open it in {'a spreadsheet program' if kind in ('Excel', 'CSV') else 'Word'} and save it again, "
        "or check it is the file you meant."
    )


def check_size(path: Path) -> None:
    """Refuse a file larger than any plan table before reading it."""
    limit = MAX_FILE_BYTES[path.suffix.lower()]
    size = path.stat().st_size
    if size > limit:
        kind = KIND[path.suffix.lower()]
        raise BadInput(
            f"{path.name} is {_megabytes(size)}; {'an' if kind == 'Excel' else 'a'} {kind} plan table to import may be at most "
            f"{_megabytes(limit).removesuffix('.0 MB')} MB. Is this the plan table? (Save the table alone in a new file.)"
        )


def check_package(path: Path) -> None:
    """Refuse a .docx or .xlsx whose zip would unpack to more than a table needs, or whose
    XML declares entities (Office files never do)."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            if len(parts) > MAX_PARTS:
                raise damaged(path, f"it holds {len(parts):,} parts")
            total = sum(part.file_size for part in parts)
            if total > MAX_UNPACKED_BYTES:
                raise BadInput(
                    f"{path.name} unpacks to {_megabytes(total)}; a plan table to import may unpack to at most "
                    f"{_megabytes(MAX_UNPACKED_BYTES).removesuffix('.0 MB')} MB (pictures count too: save the table "
                    "alone in a new file)."
                )
            xml = sum(part.file_size for part in parts if _is_xml(part))
            if xml > MAX_XML_BYTES:
                raise BadInput(
                    f"{path.name} holds {_megabytes(xml)} of text and cells; a plan table to import may hold at most "
                    f"{_megabytes(MAX_XML_BYTES).removesuffix('.0 MB')} MB (is this the plan table? Save the table alone "
                    "in a new file.)"
                )
            for part in parts:
                if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                    raise damaged(
                        path,
                        f"its part {part.filename[:60]} claims to unpack to {part.file_size // max(part.compress_size, 1):,} "
                        "times its size, as zip bombs do",
                    )
            for part in parts:
                if _is_xml(part) and _declares_entities(package, part):
                    raise damaged(path, f"its part {part.filename[:60]} declares XML entities, which Office files never do")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, RuntimeError) as exc:
        raise damaged(path, f"not a readable zip package: {exc}"[:200]) from None


def _is_xml(part: zipfile.ZipInfo) -> bool:
    return part.filename.lower().endswith((".xml", ".rels", ".vml"))


def _declares_entities(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether the part's XML has a DOCTYPE or ENTITY declaration (streamed: never held whole)."""
    tail = b""
    with package.open(part) as stream:
        while chunk := stream.read(256 * 1024):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                return True
            tail = window[-32:]
    return False
