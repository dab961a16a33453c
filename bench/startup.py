"""How fast `planbot --help` and `planbot shell` start, and what they import.

Each is run as a fresh process (`python -m bot`, this checkout) --runs times.
Printed: the best and median wall time, and the best and median CPU time of the
child (user + sys; less swayed by other work on the machine than wall time).
The shell runs on a SQLite file in a temporary folder, created, migrated and
loaded by one unmeasured run first, and leaves at once (`/quit`): the figure is
its start-up (imports, migration check, plan check, banner). Last, the
third-party packages each one imported. Goal: `--help` under 0.3 s.

    .venv/bin/python bench/startup.py
    .venv/bin/python bench/startup.py --runs 30
    .venv/bin/python bench/startup.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WATCHED = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "pydantic", "yaml", "holidays", "matplotlib", "docx", "openpyxl", "apscheduler")


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAN_FILE", "SLACK_", "TEAMS_"))}
    env.update({"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)})
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(args: list[str], env: dict[str, str], stdin: str) -> tuple[float, float]:
    """Wall and CPU seconds of one `python -m bot ARGS` process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def imported(args: list[str], env: dict[str, str], stdin: str) -> list[str]:
    """The watched packages a process imports, read from `-X importtime`."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", *args], input=stdin, text=True,
                            env=env, cwd=ROOT, capture_output=True, check=True)
    names = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in result.stderr.splitlines() if line.count("|") == 2}
    return [name for name in WATCHED if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = _env(options.database_url or f"sqlite:///{Path(folder) / 'planbot.db'}")
        cases = {
            "planbot --help": (["--help"], ""),
            "planbot shell (/quit)": (["shell", "--today", "2019-11-20"], "/quit\n"),
        }
        run_once(*cases["planbot shell (/quit)"][:1], env, "/quit\n")  # creates, migrates, loads; not measured
        print(f"{options.runs} runs each, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
        for name, (args, stdin) in cases.items():
            run_once(args, env, stdin)  # warm the file cache
            walls, cpus = zip(*(run_once(args, env, stdin) for _ in range(options.runs)), strict=True)
            print(
                f"{name:<22} wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
                f"CPU best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s"
            )
            print(f"{'':<22} imports: {', '.join(imported(args, env, stdin)) or 'none of ' + ', '.join(WATCHED)}")


if __name__ == "__main__":
    main()
