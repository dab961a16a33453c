"""How well, and how fast, a lead's paragraph is read into a proposed update.

Scores each field of the reader's proposals against the labelled set
(tests/paragraphs/labelled.yaml: paragraphs over the bundled plan and a second
plan, half held out from tuning), and the time to read one paragraph.

    python bench/paragraphs.py            # both halves
    python bench/paragraphs.py --misses   # and what was read wrong on the tuning half
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.paragraph_reader import read_paragraph  # noqa: E402
from storage.planfile import read_plan  # noqa: E402
from tests.paragraphs.scoring import PLANS, entries, item_texts, score  # noqa: E402


GOALS = {"rag": 0.95, "kpi": 0.90, "milestone": 0.90, "precision": 0.98}


def timing(rounds: int = 5) -> tuple[float, float]:
    """Median and worst milliseconds to read one paragraph, over every paragraph of the set."""
    plans = {name: read_plan(path) for name, path in PLANS.items()}
    times = []
    for _ in range(rounds):
        for entry in entries():
            doc = plans[entry["plan"]]
            texts = item_texts(doc)
            items = [texts[i.number] for i in doc.items if i.lead == entry["person"]]
            began = time.perf_counter()
            read_paragraph(entry["text"], items, primary=entry["expect"][0]["item"], today=entry["today"], asks_of=doc.plan.asks_of)
            times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def longest() -> float:
    """Milliseconds for the worst text an answer may hold: every clause a slip, dates all through."""
    doc = read_plan(PLANS["selep"])
    items = list(item_texts(doc).values())
    texts = [
        ("The public consultation has slipped again because of the venue and other things going on " * 40)[:3000],
        ("the consultation slipped and the officers were appointed and the board met " * 45)[:3000],
        ("slipped from may to june and to 31/01/2020 and end of march " * 60)[:3000],
    ]
    worst = 0.0
    for text in texts:
        began = time.perf_counter()
        read_paragraph(text, items, primary=1, today=doc.plan.year_start, asks_of=doc.plan.asks_of)
        worst = max(worst, (time.perf_counter() - began) * 1000)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list what the reader got wrong on the tuning half")
    args = parser.parse_args()
    print(f"{'':34} {'tuning half':>20} {'held-out half':>20} {'goal (held out)':>16}")
    tune, held = score("tune"), score("held_out")
    for label, name in [
        ("status, where one is stated", "rag"),
        ("no status made up", "rag_invented"),
        ("KPI notes (recall)", "kpi"),
        ("milestone states (recall)", "milestone"),
        ("precision (KPIs and milestones)", "precision"),
        ("blockers and asks", "blockers"),
        ("paragraphs split into their items", "items"),
    ]:
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"{goal:.0%} {'met' if getattr(held, name).share >= goal else 'not met'}"
        print(f"{label:34} {str(getattr(tune, name)):>20} {str(getattr(held, name)):>20} {verdict:>16}")
    median, worst = timing()
    print(f"\nreading one paragraph: median {median:.2f} ms, worst {worst:.2f} ms (goal: under 50 ms)")
    print(f"the longest answer (3,000 characters) of slips, dates and run-on clauses: {longest():.1f} ms")
    if args.misses:
        print("\nmisses on the tuning half:")
        for miss in tune.misses:
            print(f"  {miss}")


if __name__ == "__main__":
    main()
