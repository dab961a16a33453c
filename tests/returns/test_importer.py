"""`planbot plan import`: a plan table from Word, Excel or CSV becomes a plan file.

Tables are built here the way people build them: loose header names, bullets of
several kinds, blank rows, merged cells, a notes column nobody asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from docx import Document
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from bot.core.errors import BadInput
from bot.returns.export import export_return
from bot.returns.importer import MILESTONES, MONITORING, OPTIONAL, ImportResult, import_table
from storage.db import session_scope
from storage.planfile import (
    BUNDLED_PLAN,
    PlanDocument,
    PlanFileError,
    parse_plan,
    read_plan,
)
from tests.in_process import planbot as run_planbot
from tests.returns.conftest import PRODUCED

TODAY = dt.date(2024, 5, 1)


def filled(result: ImportResult) -> PlanDocument:
    """The imported file once a person has written in the names it asks for."""
    return parse_plan(re.sub(r"# name: FILL IN.*", "name: Sam Jones", result.yaml_text))


def plan_content(doc: PlanDocument) -> list[tuple]:
    return [
        (
            item.number,
            item.title,
            item.summary,
            [k.text for k in item.kpis],
            [(m.text, m.due) for m in item.milestones],
            list(item.monitoring),
        )
        for item in doc.items
    ]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv"])
def test_an_exported_return_imports_back_to_the_same_plan(year_engine: Engine, tmp_path: Path, fmt: str) -> None:
    with session_scope(year_engine) as session:
        _, [path, *_] = export_return(session, period="2019-Q2", fmt=fmt, produced=PRODUCED, path=None, folder=tmp_path)
    result = import_table(path, today=TODAY)
    bundled = read_plan(BUNDLED_PLAN)
    doc = filled(result)
    assert plan_content(doc) == plan_content(bundled)
    assert (doc.plan.title, doc.plan.year_start, doc.plan.year_end) == (
        bundled.plan.title, bundled.plan.year_start, bundled.plan.year_end,
    )
    assert result.unplaced == []
    assert result.counts() == "7 items, 18 KPIs, 23 milestones, 12 monitoring lines"


def test_the_people_section_must_be_filled_in_before_plan_check_accepts_it(year_engine: Engine, tmp_path: Path) -> None:
    with session_scope(year_engine) as session:
        _, [path] = export_return(session, period="2019-Q2", fmt="docx", produced=PRODUCED, path=None, folder=tmp_path)
    result = import_table(path, today=TODAY)
    with pytest.raises(PlanFileError) as caught:
        parse_plan(result.yaml_text)
    assert caught.value.problems == ["people[0].name: is missing", "people[1].name: is missing"]
    assert "# TO FILL IN: people." in result.yaml_text
    assert result.to_fill[:2] == [
        "people: the name of 'area-lead', and each item's real lead (add one entry per person)",
        "people: the name of 'coordinator' (who runs the plan and may export the return)",
    ]
    doc = filled(result)
    assert {i.lead for i in doc.items} == {"area-lead"}
    assert [(p.id, p.roles) for p in doc.people] == [("area-lead", ["lead"]), ("coordinator", ["coordinator"])]


def _merge_down(table, column: int, top: int, bottom: int) -> None:  # type: ignore[no-untyped-def]
    table.cell(top, column).merge(table.cell(bottom, column))


def test_a_hand_made_word_table_with_merges_bullets_and_blank_rows(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Example Skills Partnership Improvement Plan 2024-25")
    rows = [
        ["Improvement Summary (incl. KPIs)", "Key milestones", "How will it be monitored?", "Notes", "Area lead progress update"],
        ["", "", "", "", "To be completed quarterly"],
        [
            "1. Publish the skills strategy\nThe partnership publishes its skills strategy.\nKPIs:\n• Strategy published\n• Employers consulted",
            "- Draft to the Board (due 30 Sep 2024)\n- Launch event",
            "Monthly review at the team meeting",
            "",
            "",
        ],
        ["", "", "", "", ""],
        ["Grow apprenticeships\nKPIs: Starts up 10%", "▪ Campaign launched ▪ Employer pledge", "", "ask Sam about this", ""],
        ["", "* Second wave of the campaign", "", "", ""],
        ["Theme 2: careers", "", "", "", ""],
        ["3) Careers hub\nKPIs:\n1. Schools engaged\n2. Hub visits", "Hub launched", "Termly report", "", "Amber: delayed"],
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(6, 0).merge(table.cell(6, 4))
    table.cell(6, 0).text = "Theme 2: careers"
    _merge_down(table, 2, 2, 4)
    table.cell(2, 2).text = "Monthly review at the team meeting"
    path = tmp_path / "plan.docx"
    document.save(str(path))

    result = import_table(path, today=TODAY)
    doc = filled(result)
    assert doc.plan.title == "Example Skills Partnership Improvement Plan 2024-25"
    assert (doc.plan.year_start, doc.plan.year_end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert plan_content(doc) == [
        (
            1,
            "Publish the skills strategy",
            "The partnership publishes its skills strategy.",
            ["Strategy published", "Employers consulted"],
            [("Draft to the Board", dt.date(2024, 9, 30)), ("Launch event", None)],
            ["Monthly review at the team meeting"],
        ),
        (
            2,
            "Grow apprenticeships",
            None,
            ["Starts up 10%"],
            [("Campaign launched", None), ("Employer pledge", None), ("Second wave of the campaign", None)],
            ["Monthly review at the team meeting"],
        ),
        (3, "Careers hub", None, ["Schools engaged", "Hub visits"], [("Hub launched", None)], ["Termly report"]),
    ]
    assert result.unplaced == [
        "table 1, row 5, column 'Notes': 'ask Sam about this'",
        "table 1, row 7: 'Theme 2: careers' spans the whole table (a heading?); not placed",
    ]
    assert "table 1, row 5: no item number; numbered it 2" in result.check
    assert "table 1, row 5: the Monitoring process cell is merged with the one above; used its text for this item too" in result.check
    assert any(line.startswith("the Area Lead progress update column (2 cells with text) was not imported") for line in result.check)


def test_an_excel_table_with_a_lead_column_names_the_people(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Growth Board action plan 2025"])
    sheet.append([])
    sheet.append(["No.", "Action", "Lead officer", "MILESTONES", "Monitoring", "Progress / RAG"])
    sheet.append([10, "Open the innovation hub\nKPIs\n- Hub open\n- 20 tenants", "Jo Bloggs", "Lease signed (by 31/03/2025)", "Quarterly Board report", "Green"])
    sheet.append([None, None, None, None, None, None])
    sheet.append([20, "Digital skills bootcamps", "Ann Other", "First cohort", "Quarterly Board report", None])
    sheet.append([None, None, None, "Second cohort", None, None])
    sheet.merge_cells("E4:E6")
    path = tmp_path / "actions.xlsx"
    book.save(path)

    result = import_table(path, today=TODAY)
    doc = filled(result)
    assert (doc.plan.year_start, doc.plan.year_end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert plan_content(doc) == [
        (10, "Open the innovation hub", None, ["Hub open", "20 tenants"], [("Lease signed", dt.date(2025, 3, 31))], ["Quarterly Board report"]),
        (20, "Digital skills bootcamps", None, [], [("First cohort", None), ("Second cohort", None)], ["Quarterly Board report"]),
    ]
    assert [(p.id, p.name, p.roles) for p in doc.people] == [
        ("ann-other", "Ann Other", ["lead"]),
        ("jo-bloggs", "Jo Bloggs", ["lead"]),
        ("coordinator", "Sam Jones", ["coordinator"]),
    ]
    assert [i.lead for i in doc.items] == ["jo-bloggs", "ann-other"]
    assert result.unplaced == []


def test_a_seed_like_csv_reports_what_it_had_to_guess(tmp_path: Path) -> None:
    path = tmp_path / "seed.csv"
    path.write_text(
        "South East Local Enterprise Partnership Strategy Improvement Plan 2019-20\n\n"
        "Improvement summary;Milestones;Monitoring process;Area Lead progress update\n"
        ";;;To be completed on a quarterly basis, referencing progress on KPIs\n"
        '"Increase capacity on strategy to ensure focus on delivering LIS and broader strategic impact. KPIs: '
        'Appointment of new staff members Procure consultants on evidence base work Identify Board level sponsor";'
        '"Appoint a team (already in progress)";"CLGU/SELEP – continuation of weekly phone calls";•\n'
        '"South East LEP progresses the development of its Local Industrial Strategy as its strategic priority KPIs: SELEP LIS project plan";'
        '"Develop a project plan";"CLGU – attend quarterly Strategic Board sessions";\n'
        ";;;\n"
        "Evidence base production;;;\n",
        encoding="utf-8",
    )
    result = import_table(path, today=TODAY)
    doc = filled(result)
    assert [(i.number, i.title, [k.text for k in i.kpis]) for i in doc.items] == [
        (1, "Increase capacity on strategy to ensure focus on…", [
            "Appointment of new staff members Procure consultants on evidence base work Identify Board level sponsor"
        ]),
        (2, "South East LEP progresses the development of its…", ["SELEP LIS project plan", "Evidence base production"]),
    ]
    assert doc.items[0].summary == "Increase capacity on strategy to ensure focus on delivering LIS and broader strategic impact."
    assert result.check[:6] == [
        (
            "record 5: the KPIs follow 'KPIs:' on one line ('Appointment of new staff members Procure consultants on…'); "
            "kept as one KPI: split it in the file if it holds several"
        ),
        "record 5: no item number; numbered it 1",
        "item 1 (record 5): title made from the start of its summary ('Increase capacity on strategy to ensure focus on…'); edit it",
        "record 6: no item number; numbered it 2",
        "item 2 (record 6): title made from the start of its summary ('South East LEP progresses the development of its…'); edit it",
        "record 8: 'Evidence base production' stands alone below item 2; added to its KPIs",
    ]


def test_a_typical_council_table_without_monitoring_or_milestones_imports_with_warnings(tmp_path: Path) -> None:
    """Only an item's title is needed: what a table lacks is listed with the fix, never refused."""
    document = Document()
    table = document.add_table(rows=3, cols=4)
    for c, value in enumerate(["No.", "Action", "KPIs", "Lead officer"]):
        table.cell(0, c).text = value
    for r, row in enumerate([["1", "Improve SEND transport reliability", "On-time journeys 95%", "Helen Carter"],
                             ["2", "Reduce the EHCP backlog", "EHCPs issued within 20 weeks", "Priya Shah"]], start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "council.docx"
    document.save(str(path))

    result = import_table(path, today=TODAY)

    assert [(i.number, i.title, i.kpis, i.lead) for i in result.items] == [
        (1, "Improve SEND transport reliability", ["On-time journeys 95%"], "helen-carter"),
        (2, "Reduce the EHCP backlog", ["EHCPs issued within 20 weeks"], "priya-shah"),
    ]
    missing = [line for line in result.check if line.startswith("no '")]
    assert missing == [
        "no 'Milestones' column: " + OPTIONAL[MILESTONES],
        "no 'Monitoring process' column: " + OPTIONAL[MONITORING],
    ]
    assert "milestones:" in OPTIONAL[MILESTONES] and "monitoring:" in OPTIONAL[MONITORING], "each says what to add"


def test_a_table_with_only_an_item_column_and_a_lead_names_every_missing_part(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=2, cols=2)
    for c, value in enumerate(["Improvement", "Owner"]):
        table.cell(0, c).text = value
    table.cell(1, 0).text = "1. Something"
    table.cell(1, 1).text = "A. Jones"
    path = tmp_path / "short.docx"
    document.save(str(path))

    result = import_table(path, today=TODAY)

    assert [(i.number, i.title, i.lead) for i in result.items] == [(1, "Something", "a-jones")]
    assert {line.split(":")[0] for line in result.check if line.startswith("no '")} == {
        "no 'Milestones' column", "no 'Monitoring process' column", "no 'KPIs' column",
    }


def test_files_that_are_not_plan_tables_get_a_clear_message(tmp_path: Path) -> None:
    letter = tmp_path / "letter.docx"
    document = Document()
    document.add_paragraph("Dear colleague")
    document.save(str(letter))
    with pytest.raises(BadInput, match=r"^letter.docx: I couldn't find the plan table. Its header row should name"):
        import_table(letter, today=TODAY)
    old = tmp_path / "plan.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(BadInput, match=r"Save an older .doc or .xls file in the newer format first"):
        import_table(old, today=TODAY)
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip", encoding="utf-8")
    with pytest.raises(BadInput, match=r"^broken.xlsx: this file is damaged or not an Excel table"):
        import_table(broken, today=TODAY)


def test_planbot_plan_import_writes_the_file_and_says_what_to_fill(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    with session_scope(year_engine) as session:
        _, [source] = export_return(session, period="2019-Q2", fmt="docx", produced=PRODUCED, path=None, folder=tmp_path)
    out = tmp_path / "plan.yaml"
    result = run_planbot("plan", "import", str(source), "-o", str(out), database_url=db_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Read 7 items, 18 KPIs, 23 milestones, 12 monitoring lines from quarterly-return-2019-Q2.docx into " + str(out) + "."
    )
    assert "Fill in before `planbot plan check` accepts the file:" in lines
    assert lines[-1] == f"Then: planbot plan check {out} && planbot plan load {out}"
    check = run_planbot("plan", "check", str(out), database_url=db_url)
    assert check.returncode == 1 and "people[0].name: is missing" in check.stderr
    out.write_text(re.sub(r"# name: FILL IN.*", "name: Sam Jones", out.read_text(encoding="utf-8")), encoding="utf-8")
    check = run_planbot("plan", "check", str(out), database_url=db_url)
    assert check.returncode == 0, check.stderr
    again = run_planbot("plan", "import", str(source), "-o", str(out), database_url=db_url)
    assert again.returncode == 1
    assert again.stderr == f"planbot plan import: {out} already exists; choose another name or add --force to replace it.\n"
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["people"][0]["name"] == "Sam Jones"


def test_a_table_with_no_item_column_is_refused_with_what_was_found(tmp_path: Path) -> None:
    document = Document()
    table = document.add_table(rows=2, cols=3)
    for c, value in enumerate(["Milestones", "Monitoring process", "Lead"]):
        table.cell(0, c).text = value
    table.cell(1, 0).text = "Board sign-off (due March 2020)"
    path = tmp_path / "no-items.docx"
    document.save(str(path))
    with pytest.raises(BadInput) as caught:
        import_table(path, today=TODAY)
    assert str(caught.value).startswith(
        "no-items.docx: the table in table 1 has no 'Improvement summary' column (its header row, table 1, row 1, has "
        "'Milestones', 'Monitoring process', 'Lead'). Add a column for the items"
    )
