"""What the largest files Planbot still reads cost, and what hostile ones cost to refuse.

Each case is a fresh process running `planbot plan check` or `planbot plan import`
on a generated file (nothing is committed; files go to a temporary folder).
Printed per case: exit status, wall time, peak resident memory of the process,
and the first line of what it said. Goals: every hostile file refused in under a
second; the largest accepted files in seconds and a few hundred MB at most.

    .venv/bin/python bench/hostile_files.py
"""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.returns.import_limits import MAX_XML_BYTES  # noqa: E402
from storage.plan_yaml import MAX_PLAN_BYTES  # noqa: E402

HEADER = ["Improvement summary", "Milestones", "Monitoring process", "Area Lead progress update"]
TIMED = (
    "import resource, sys, runpy; sys.argv = ['planbot', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('bot', run_name='__main__')\n"
    "finally:\n    print(f'PEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}', file=sys.stderr)\n"
)


def billion_laughs(folder: Path) -> Path:
    names = "abcdefghij"
    lines = ['a: &a "lol"'] + [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip(names, names[1:])]
    path = folder / "laughs.yaml"
    path.write_text("\n".join(lines) + "\nplan:\n  title: *j\n", encoding="utf-8")
    return path


def deep_brackets(folder: Path) -> Path:
    path = folder / "deep.yaml"
    path.write_text("plan: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return path


def largest_plan(folder: Path) -> Path:
    """A valid plan just under the size cap: as many 5-KPI items as fit."""
    head = (
        "plan: {title: Big plan, year_start: 2024-04-01, year_end: 2025-03-31}\n"
        "people: [{id: sam, name: Sam, roles: [lead, coordinator]}]\nitems:\n"
    )
    body, n = [], 0
    item = "  - number: {n}\n    title: Item {n} with a title of several words\n    lead: sam\n    kpis: [{kpis}]\n"
    size = len(head)
    while True:
        n += 1
        text = item.format(n=n, kpis=", ".join(f"KPI {k} of item {n}" for k in range(5)))
        if size + len(text) > MAX_PLAN_BYTES - 100 or n > 9999:
            break
        body.append(text)
        size += len(text)
    path = folder / "largest.yaml"
    path.write_text(head + "".join(body), encoding="utf-8")
    return path


def zip_bomb(folder: Path) -> Path:
    path = folder / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package, package.open("word/document.xml", "w", force_zip64=True) as part:
        for _ in range(1024):
            part.write(bytes(1024 * 1024))  # 1 GB of zeros, about 1 MB packed
    return path


def largest_xlsx(folder: Path) -> Path:
    """A workbook whose XML is just under the cap: random numbers, 20 to a row."""
    from openpyxl import Workbook

    path = folder / "largest.xlsx"
    rng = random.Random(1)
    rows = 7900
    while True:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADER)
        for _ in range(rows):
            sheet.append([rng.random() for _ in range(20)])
        book.save(path)
        with zipfile.ZipFile(path) as package:
            if sum(i.file_size for i in package.infolist() if i.filename.endswith(".xml")) <= MAX_XML_BYTES:
                return path
        rows -= 300


def largest_csv(folder: Path) -> Path:
    """A CSV table of 1,000 items with just under 1 MB of text (a plan file's cap)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, 1001):
        writer.writerow([f"{n}. Item {n} title", "A milestone of the item " * 20, "Monitoring line " * 12, ""])
    path = folder / "largest.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run(label: str, args: list[str], folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAN_FILE", "SLACK_", "TEAMS_"))}
    env.update({"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "PYTHONPATH": str(ROOT)})
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", TIMED, *args], capture_output=True, text=True, env=env, cwd=folder)
    wall = time.perf_counter() - start
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    peak = next((line.split()[1] for line in lines if line.startswith("PEAK ")), "?")
    said = next((line for line in lines if not line.startswith("PEAK ") and not line.endswith("problem:")), "")
    print(f"{label:<44} exit {done.returncode}  {wall:6.2f} s  {peak:>5} MB  {said[:110]}")


def main() -> None:
    cases: list[tuple[str, Callable[[Path], Path], str]] = [
        ("billion laughs (342 bytes)", billion_laughs, "check"),
        ("100,000 nested brackets", deep_brackets, "check"),
        (f"largest valid plan (under {MAX_PLAN_BYTES // 1024} KB)", largest_plan, "check"),
        ("zip bomb docx (1 GB of zeros)", zip_bomb, "import"),
        (f"largest xlsx (XML under {MAX_XML_BYTES // 1024 // 1024} MB)", largest_xlsx, "import"),
        ("CSV of 1,000 items, ~1 MB of text", largest_csv, "import"),
    ]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for label, make, command in cases:
            path = make(folder)
            args = ["plan", "check", str(path)] if command == "check" else ["plan", "import", str(path), "-o", str(folder / "out.yaml"), "--force"]
            run(label, args, folder)


if __name__ == "__main__":
    main()
