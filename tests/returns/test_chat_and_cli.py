"""The return from chat (`/plan-status export`) and from the command line (`planbot export`)."""

from __future__ import annotations

import csv
from pathlib import Path

from docx import Document
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from bot.core.events import Command, Sender
from bot.core.planbot import Planbot
from bot.core.replies import File, Reply
from tests.in_process import planbot as run_planbot


def ask(bot: Planbot, person: str, args: str) -> list[Reply]:
    return bot.handle(Command(Sender("shell", person), "plan-status", args))


def files(replies: list[Reply]) -> list[File]:
    return [b for r in replies for b in r.blocks if isinstance(b, File)]


def test_a_coordinator_gets_the_return_as_a_file(year_engine: Engine, planbot: Planbot) -> None:
    replies = ask(planbot, "robin", "export")
    assert replies[0].text.splitlines()[0] == (
        "The quarterly return for Q2 2019-20 (Jul–Sep 2019): 4 of 7 items have an update, 3 without."
    )
    [file] = files(replies)
    assert file.title == "Quarterly return 2019-Q2 (Word document)"
    assert Path(file.path) == planbot.exports_dir / "quarterly-return-2019-Q2.docx"
    document = Document(file.path)
    assert "Produced 20 November 2019" in [p.text for p in document.tables[0].rows[0].cells[0].paragraphs]
    assert "Quarterly return 2019-Q2 (Word document): " + file.path in replies[0].text


def test_period_and_format_can_come_in_either_order(year_engine: Engine, planbot: Planbot) -> None:
    [xlsx] = files(ask(planbot, "dee", "export Q1 excel"))
    assert xlsx.path.endswith("quarterly-return-2019-Q1.xlsx")
    assert load_workbook(xlsx.path)["Summary"]["A1"].value == "South East LEP Strategy Improvement Plan 2019-20"
    table, chart = files(ask(planbot, "dee", "export csv q2 2019"))
    assert table.path.endswith("quarterly-return-2019-Q2.csv") and chart.path.endswith("quarterly-return-2019-Q2-heatmap.png")
    assert chart.title == "RAG chart 2019-Q2 (PNG)"
    assert Path(chart.path).is_file()
    with open(table.path, encoding="utf-8", newline="") as handle:
        assert ["South East LEP Strategy Improvement Plan 2019-20"] in list(csv.reader(handle))


@pytest.mark.parametrize("period", ["Q2/2019", "2019-Q2", "2019 Q2", "q2 2019-20", "2019/20 q2"])
def test_export_takes_every_spelling_plan_update_takes(year_engine: Engine, planbot: Planbot, period: str) -> None:
    [xlsx] = files(ask(planbot, "dee", f"export {period} xlsx"))
    assert xlsx.path.endswith("quarterly-return-2019-Q2.xlsx")


def test_someone_who_is_not_a_coordinator_is_told_who_can(year_engine: Engine, planbot: Planbot) -> None:
    replies = ask(planbot, "alex", "export")
    assert files(replies) == []
    assert replies[0].text == "Only coordinators can export the quarterly return. Ask Dee Demo or Robin Fictional for it."
    assert not planbot.exports_dir.exists() or not any(planbot.exports_dir.iterdir())


def test_a_bad_period_from_chat_gets_a_friendly_answer(year_engine: Engine, planbot: Planbot) -> None:
    replies = ask(planbot, "robin", "export Q7 docx")
    assert replies[0].text.startswith("There's no period 'Q7' in this plan year. Name one of: 2019-Q1,")


def test_planbot_export_writes_the_file_and_says_what_is_in_it(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "return.xlsx"
    result = run_planbot("export", "--period", "q2", "-o", str(out), "--produced", "2019-10-02", database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"Wrote {out} (Excel workbook), Q2 2019-20 (Jul–Sep 2019): 4 of 7 items have an update (3 without).\n"
    )
    assert "Produced 2 October 2019" in [row[0].value for row in load_workbook(out)["Summary"].iter_rows()]
    md = tmp_path / "return.md"
    result = run_planbot("export", "--format", "md", "-o", str(md), database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == f"RAG chart beside it: {tmp_path / 'return-heatmap.png'}"
    slash = tmp_path / "slash.csv"
    result = run_planbot("export", "--period", "Q1/2019", "-o", str(slash), database_url=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {slash} (CSV file), Q1 2019-20 (Apr–Jun 2019): ")


def test_planbot_export_explains_what_is_wrong(year_engine: Engine, db_url: str, tmp_path: Path) -> None:
    clash = run_planbot("export", "--format", "docx", "-o", str(tmp_path / "x.xlsx"), database_url=db_url)
    assert clash.returncode == 1
    assert clash.stderr.strip().endswith("ends in .xlsx but --format is docx; make them agree.")
    unknown = run_planbot("export", "--period", "2020-Q1", database_url=db_url)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("planbot export: There's no period '2020-Q1' in this plan year.")
    assert "Traceback" not in clash.stderr + unknown.stderr
