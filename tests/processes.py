"""Run the real `planbot` command as a separate process, the way a user does.

For tests about processes: start-up, several at once, signals, pipes. A test
about what a command prints or stores runs it in-process (tests.in_process),
with the same environment, at a fraction of the cost of a new interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(database_url: str, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without plan or platform settings, pointed at `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAN_FILE", "SLACK_", "TEAMS_"))}
    env.update({"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    env.update(extra_env or {})
    return env


def planbot(*args: str, database_url: str, stdin: str = "", extra_env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_env(database_url, extra_env),
        cwd=ROOT,
        timeout=timeout,
    )
