"""Run the real `planbot` command as a separate process, the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planbot(*args: str, database_url: str, stdin: str = "", extra_env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAN_FILE", "SLACK_", "TEAMS_"))}
    env.update({"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"})
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
