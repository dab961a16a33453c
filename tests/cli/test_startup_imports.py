"""What a fresh `planbot` process imports before it answers: `--help` needs no
database, document, chart or scheduler library, and the shell none of the
document, chart or scheduler ones. Start-up is about the process, so these run
one; how fast it starts is measured by bench/startup.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, child_env

DOCUMENTS_AND_SCHEDULER = {"matplotlib", "docx", "openpyxl", "apscheduler"}
DATABASE_AND_SETTINGS = {"sqlalchemy", "sqlmodel", "alembic", "psycopg", "pydantic", "pydantic_settings", "yaml", "holidays"}


def imported(*args: str, database_url: str, stdin: str = "") -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime -m bot ARGS`; the top-level packages it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_env(database_url),
        cwd=ROOT,
        timeout=120,
    )
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return result, names


def test_help_imports_no_database_document_or_scheduler_library(tmp_path: Path) -> None:
    result, names = imported("--help", database_url=f"sqlite:///{tmp_path / 'unused.db'}")
    assert result.returncode == 0, result.stderr
    assert "usage: planbot" in result.stdout and "run-job" in result.stdout
    assert "bot" in names  # the import log was read
    assert names & (DOCUMENTS_AND_SCHEDULER | DATABASE_AND_SETTINGS) == set()
    assert not (tmp_path / "unused.db").exists()


def test_shell_imports_no_document_chart_or_scheduler_library(tmp_path: Path) -> None:
    result, names = imported("shell", "--today", "2019-11-20", database_url=f"sqlite:///{tmp_path / 'planbot.db'}", stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Planbot: South East LEP Strategy Improvement Plan 2019-20" in result.stdout
    assert "sqlalchemy" in names  # the shell did open its database
    assert names & DOCUMENTS_AND_SCHEDULER == set()
