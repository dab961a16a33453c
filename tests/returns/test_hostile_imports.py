"""`planbot plan import` on files made to hurt: zip bombs, XML entity bombs, broken
workbooks, oversized CSV fields, random bytes, files far larger than a plan table.
Each is refused with a message (exit 1, no traceback), or read up to the limits
with a note saying what was left out.

Every hostile file is made here by a small generator; none is committed.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from bot.returns.import_limits import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
)
from tests.in_process import planbot

HEADER = ["Improvement summary", "Milestones", "Monitoring process", "Area Lead progress update"]


def run_import(path: Path, tmp_path: Path):
    out = tmp_path / "out.yaml"
    return planbot("plan", "import", str(path), "-o", str(out), database_url=f"sqlite:///{tmp_path / 'unused.db'}")


def refused(path: Path, tmp_path: Path, expected: str) -> str:
    result = run_import(path, tmp_path)
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.yaml").exists()
    return result.stderr


def plan_docx(path: Path) -> Path:
    document = Document()
    document.add_paragraph("Hostile Plan 2024-25")
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1. Do the thing", "Start it", "Monthly review", ""], strict=True):
        cell.text = text
    document.save(str(path))
    return path


def plan_xlsx(path: Path, extra: Callable | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["Hostile Plan 2024-25"])
    sheet.append(HEADER)
    sheet.append(["1. Do the thing", "Start it", "Monthly review", ""])
    if extra is not None:
        extra(sheet)
    book.save(str(path))
    return path


def rewrite_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """The same package with one part's bytes changed."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def add_part(path: Path, name: str, chunks: Callable[[], list[bytes] | object], repeat: int) -> Path:
    """Stream a large part into the package without holding it whole."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package, package.open(name, "w", force_zip64=True) as part:
        for _ in range(repeat):
            part.write(chunks())  # type: ignore[arg-type]
    return path


def entity_bomb(xml: bytes, root: bytes) -> bytes:
    """Ten levels of entities, each ten of the one below: 10**10 characters once expanded."""
    levels = ['<!ENTITY e0 "lollollollol">'] + [
        f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 11)
    ]
    declaration, _, body = xml.partition(b"?>")
    doctype = f"<!DOCTYPE {root.decode()} [{''.join(levels)}]>".encode()
    return declaration + b"?>" + doctype + body.replace(b"Do the thing", b"&e10;", 1)


def test_a_zip_bomb_docx_is_refused_from_its_declared_sizes(tmp_path: Path) -> None:
    path = add_part(plan_docx(tmp_path / "bomb.docx"), "word/media/image1.png", lambda: bytes(1024 * 1024), 4)
    assert path.stat().st_size < 100 * 1024
    refused(path, tmp_path, "bomb.docx: this file is damaged or not a Word table (its part word/media/image1.png claims to unpack to")


def test_a_package_unpacking_past_the_cap_is_refused(tmp_path: Path) -> None:
    rng = random.Random(7)
    block = lambda: b"".join(rng.randbytes(16) + bytes(1008) for _ in range(1024))  # noqa: E731 (about 40x compressible)
    path = add_part(plan_xlsx(tmp_path / "huge.xlsx"), "xl/media/filler.bin", block, MAX_UNPACKED_BYTES // (1024 * 1024) + 1)
    assert path.stat().st_size < MAX_FILE_BYTES[".xlsx"]
    refused(path, tmp_path, "huge.xlsx unpacks to 61.0 MB; a plan table to import may unpack to at most 60 MB")


@pytest.mark.parametrize(
    ("make", "part", "root"),
    [(plan_docx, "word/document.xml", b"w:document"), (plan_xlsx, "xl/worksheets/sheet1.xml", b"worksheet")],
    ids=["docx", "xlsx"],
)
def test_entity_amplified_xml_is_refused_before_parsing(tmp_path: Path, make, part: str, root: bytes) -> None:
    suffix = ".docx" if make is plan_docx else ".xlsx"
    path = make(tmp_path / f"entities{suffix}")
    if suffix == ".xlsx":  # the sheet's text lives in sharedStrings: put the entity in an inline cell instead
        rewrite_part(path, part, lambda xml: xml.replace(b"<sheetData>", b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>Do the thing</t></is></c></row>', 1))
    rewrite_part(path, part, lambda xml: entity_bomb(xml, root))
    refused(path, tmp_path, f"its part {part} declares XML entities, which Office files never do")


@pytest.mark.parametrize(
    "damage",
    [
        lambda xml: xml[: len(xml) // 2],
        lambda xml: xml.replace(b'r="A2"', b'r="A-2"'),
        lambda xml: xml.replace(b"<sheetData>", b'<sheetData><row r="abc"><c r="Q"><v>x</v></c></row>', 1),
        lambda xml: b"\x00\x01garbage",
    ],
    ids=["truncated", "bad-reference", "bad-row", "garbage"],
)
def test_a_malformed_workbook_is_named_damaged(tmp_path: Path, damage) -> None:
    path = rewrite_part(plan_xlsx(tmp_path / "broken.xlsx"), "xl/worksheets/sheet1.xml", damage)
    refused(path, tmp_path, "broken.xlsx: this file is damaged or not an Excel table")


def test_a_workbook_missing_its_parts_is_named_damaged(tmp_path: Path) -> None:
    path = plan_xlsx(tmp_path / "gutted.xlsx")
    with zipfile.ZipFile(path) as source:
        kept = {i.filename: source.read(i) for i in source.infolist() if i.filename != "xl/workbook.xml"}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in kept.items():
            target.writestr(name, data)
    refused(path, tmp_path, "gutted.xlsx: this file is damaged or not an Excel table")


def test_a_csv_field_over_the_csv_modules_limit_is_named(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(",".join(HEADER) + '\n"' + "x" * (csv.field_size_limit() + 1) + '",a,b,c\n', encoding="utf-8")
    refused(path, tmp_path, f"long.csv: this file is damaged or not a CSV table (record 2 has a field longer than {csv.field_size_limit():,} characters)")


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".csv"])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_bytes_are_named_damaged(tmp_path: Path, suffix: str, seed: int) -> None:
    path = tmp_path / f"noise{suffix}"
    data = random.Random(seed).randbytes(50_000)
    path.write_bytes(data if suffix != ".docx" or seed == 1 else b"PK\x03\x04" + data)
    kind = {".docx": "a Word", ".xlsx": "an Excel", ".csv": "a CSV"}[suffix]
    refused(path, tmp_path, f"noise{suffix}: this file is damaged or not {kind} table")


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".csv"])
def test_a_file_over_the_size_cap_is_refused_unread(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"big{suffix}"
    with path.open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES[suffix] + 1)  # sparse: nothing to read, only its size
    limit = MAX_FILE_BYTES[suffix] // (1024 * 1024)
    refused(path, tmp_path, f"big{suffix} is {limit}.0 MB; a")
    assert f"plan table to import may be at most {limit} MB" in run_import(path, tmp_path).stderr


def test_rows_past_the_limit_are_left_out_and_said(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerow(["1. First item", "Start", "Review", ""])
    for _ in range(MAX_ROWS - 3):
        writer.writerow(["", "", "", ""])
    writer.writerow(["2. Last row read", "Start", "Review", ""])
    writer.writerow(["3. Past the limit", "Start", "Review", ""])
    path.write_text(out.getvalue(), encoding="utf-8")
    result = run_import(path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"long.csv: only its first {MAX_ROWS:,} of {MAX_ROWS + 1:,} rows were read" in result.stdout
    assert "Read 2 items" in result.stdout
    text = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert "title: Last row read" in text and "Past the limit" not in text


def test_a_sheet_reaching_its_last_row_and_column_is_read_to_the_limits(tmp_path: Path) -> None:
    def far_corner(sheet) -> None:
        sheet.cell(row=1_048_576, column=1, value="far below")
        sheet.cell(row=2, column=16_384, value="far right")

    path = plan_xlsx(tmp_path / "corner.xlsx", far_corner)
    result = run_import(path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        f"sheet 'Sheet': only its first {MAX_ROWS:,} of 1,048,576 rows and only its first {MAX_COLUMNS} of 16,384 columns were read"
        in result.stdout
    )
    assert re.search(r"- number: 1\n\s+title: Do the thing", (tmp_path / "out.yaml").read_text(encoding="utf-8"))


def test_a_workbook_of_too_many_cells_is_refused_before_parsing(tmp_path: Path) -> None:
    def filler(sheet) -> None:
        for row in range(4, 3000):
            sheet.append([f"{row}-{column} {'x' * 200}" for column in range(20)])

    path = plan_xlsx(tmp_path / "cells.xlsx", filler)
    assert path.stat().st_size < MAX_FILE_BYTES[".xlsx"]
    refused(path, tmp_path, "of text and cells; a plan table to import may hold at most 8 MB")


def test_a_table_holding_more_text_than_a_plan_file_may_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wordy.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, 1101):
        writer.writerow([f"{n}. Item {n}", "milestone " * 100, "", ""])
    path.write_text(out.getvalue(), encoding="utf-8")
    refused(path, tmp_path, "wordy.csv: the table's 1100 items hold 1.1 MB of text; a plan file may be at most 1 MB")
