"""Scoring the paragraph reader against the labelled set (`labelled.yaml`), field by field.

Shared by `bench/paragraphs.py` (which prints the figures) and the test that holds the
reader to its goals on the held-out half. A paragraph is read as the bot reads a reply:
the item asked about is the first one labelled, and the lead's other items are there
to be named.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.paragraph_reader import ItemText, Proposal, read_paragraph
from storage.planfile import BUNDLED_PLAN, PlanDocument, read_plan

HERE = Path(__file__).parent
LABELLED = HERE / "labelled.yaml"
PLANS = {"selep": BUNDLED_PLAN, "riverside": HERE / "plans" / "riverside-send-2024-25.yaml"}


def item_texts(doc: PlanDocument) -> dict[int, ItemText]:
    return {
        i.number: ItemText(
            i.number,
            i.title,
            tuple((k.id or "", k.text) for k in i.kpis),
            tuple((m.id or "", m.text, m.due) for m in i.milestones),
        )
        for i in doc.items
    }


@dataclass
class Tally:
    right: int = 0
    of: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.of += 1

    @property
    def share(self) -> float:
        return self.right / self.of if self.of else 1.0

    def __str__(self) -> str:
        return f"{self.share:6.1%} ({self.right}/{self.of})"


@dataclass
class Scores:
    rag: Tally = field(default_factory=Tally)
    """Paragraphs that state a status: read right."""
    rag_invented: Tally = field(default_factory=Tally)
    """Paragraphs that state none: no status made up (right = none read)."""
    kpi: Tally = field(default_factory=Tally)
    """KPIs the text speaks about: a note under that KPI holding the labelled words."""
    milestone: Tally = field(default_factory=Tally)
    """Milestones the text gives the state of: that state (and the date, when given)."""
    precision: Tally = field(default_factory=Tally)
    """Every KPI note and milestone state read: under a KPI or milestone the text speaks about, in the state it gives."""
    blockers: Tally = field(default_factory=Tally)
    items: Tally = field(default_factory=Tally)
    """Paragraphs read as the items they report on."""
    misses: list[str] = field(default_factory=list)
    slowest_ms: float = 0.0


def entries(split: str | None = None) -> list[dict[str, Any]]:
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    return [e for e in data if split is None or e["split"] == split]


def score(split: str | None = None) -> Scores:
    plans = {name: read_plan(path) for name, path in PLANS.items()}
    out = Scores()
    for entry in entries(split):
        doc = plans[entry["plan"]]
        texts = item_texts(doc)
        lead = [n for n, i in ((i.number, i) for i in doc.items) if i.lead == entry["person"]]
        expected = {e["item"]: e for e in entry["expect"]}
        today = entry["today"] if isinstance(entry["today"], dt.date) else dt.date.fromisoformat(entry["today"])
        began = time.perf_counter()
        proposals = read_paragraph(
            entry["text"], [texts[n] for n in lead], primary=entry["expect"][0]["item"], today=today, asks_of=doc.plan.asks_of
        )
        out.slowest_ms = max(out.slowest_ms, (time.perf_counter() - began) * 1000)
        read = {p.item: p for p in proposals}
        out.items.add(set(read) == set(expected))
        for number, want in expected.items():
            _score_item(out, entry["id"], want, read.get(number))
        for number, got in read.items():
            if number not in expected:
                out.precision.of += len(got.kpis) + len(got.milestones)
    return out


def _score_item(out: Scores, name: str, want: dict[str, Any], got: Proposal | None) -> None:
    got = got or Proposal(want["item"], "")
    where = f"{name} item {want['item']}"
    if want["rag"] is None:
        out.rag_invented.add(got.rag is None)
        if got.rag is not None:
            out.misses.append(f"{where}: status {got.rag.value} read where none is stated")
    else:
        ok = got.rag is not None and got.rag.value == want["rag"]
        out.rag.add(ok)
        if not ok:
            out.misses.append(f"{where}: status {got.rag.value if got.rag else None}, not {want['rag']}")
    kpis = want.get("kpis") or {}
    for key, words in kpis.items():
        ok = words in got.kpis.get(key, "")
        out.kpi.add(ok)
        if not ok:
            out.misses.append(f"{where}: {key} missed ({words!r}); read {got.kpis.get(key)!r}")
    for key in got.kpis:
        out.precision.add(key in kpis)
        if key not in kpis:
            out.misses.append(f"{where}: a note under {key} the text does not give: {got.kpis[key][:70]!r}")
    states = want.get("milestones") or {}
    for key, state in states.items():
        found = got.milestones.get(key)
        ok = found is not None and found.state.value == state["state"] and (
            "date" not in state or found.new_date == _day(state["date"])
        )
        out.milestone.add(ok)
        if not ok:
            out.misses.append(f"{where}: {key} {state} read as {found}")
    for key, found in got.milestones.items():
        right = key in states and found.state.value == states[key]["state"]
        out.precision.add(right)
        if not right and key not in states:
            out.misses.append(f"{where}: {key} {found.state.value} where the text gives no state")
    if want.get("blockers"):
        out.blockers.add(want["blockers"] in got.blockers)


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
