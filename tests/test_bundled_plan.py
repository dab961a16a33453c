"""The bundled plan loads, and stays a faithful transcription of the seed document.

The seed (shared/seeds/, which CI places beside the checkout; PLANBOT_TEST_SEEDS
names another folder) is a Word table extracted to text: cells are tab-separated, and in items 6 and 7 each cell's
lines are interleaved with the other columns' lines. So items 1-5 must appear
word for word as one run of the seed, and items 6-7 as runs that continue, line
after line in the same column, within that item's part of the seed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from storage.planfile import BUNDLED_PLAN, PlanDocument, read_plan

SEEDS = Path(os.environ.get("PLANBOT_TEST_SEEDS") or Path(__file__).parents[2] / "shared" / "seeds")
REQUIRE_SEED = os.environ.get("PLANBOT_REQUIRE_SEED") == "1"
SEED_FILE = SEEDS / "selep-strategy-improvement-plan-2019-20.txt"

# (KPIs, milestones, monitoring lines) per item, as transcribed: dropping one fails.
EXPECTED_COUNTS = {
    1: (3, 4, 2),
    2: (2, 5, 3),
    3: (4, 4, 1),
    4: (2, 2, 3),
    5: (2, 2, 1),
    6: (3, 3, 1),
    7: (2, 3, 1),
}

# Where each interleaved item's rows start in the seed; each runs to the next one's start.
INTERLEAVED_STARTS = {6: "Ensure read-through", 7: "7. Consider leadership"}


@pytest.fixture(scope="module")
def plan() -> PlanDocument:
    return read_plan(BUNDLED_PLAN)


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEEDS.is_dir():
        message = f"seed directory {SEEDS} is absent (CI puts shared/ beside the checkout)"
        if REQUIRE_SEED:  # CI: a transcription nobody compared is a failure, not a skip
            pytest.fail(message)
        pytest.skip(message)
    return SEED_FILE.read_text(encoding="utf-8")


def _normal(text: str) -> str:
    return " ".join(text.split())


def _entries(plan: PlanDocument, number: int) -> list[str]:
    item = next(i for i in plan.items if i.number == number)
    texts = [k.text for k in item.kpis] + [m.text for m in item.milestones] + list(item.monitoring)
    return texts + ([item.summary] if item.summary else [])


def _region(seed: str, number: int) -> str:
    start = seed.index(INTERLEAVED_STARTS[number])
    later = [seed.index(s) for n, s in INTERLEAVED_STARTS.items() if n > number]
    return seed[start : min(later, default=len(seed))]


def _fragments(region: str) -> list[tuple[int, int, bool, list[str]]]:
    """Cell pieces as (line, column, starts its cell, words): split at line breaks and
    tabs, and where extraction glued two paragraphs together without a space
    ("releasedBoard")."""
    pieces = []
    for line_no, line in enumerate(region.splitlines()):
        for column, cell in enumerate(line.split("\t")):
            parts = [part.split() for part in re.split(r"(?<=[a-z])(?=[A-Z])", cell)]
            pieces += [(line_no, column, index == 0, words) for index, words in enumerate(parts) if words]
    return pieces


def _found_across_lines(
    words: list[str], pieces: list[tuple[int, int, bool, list[str]]], after: tuple[int, int] | None = None
) -> bool:
    """True if `words` is a run within one piece, or runs to a piece's end and goes on
    at the start of the same column's cell on a later line (as a wrapped cell reads)."""
    for line_no, column, starts_cell, piece in pieces:
        if after is not None and (line_no <= after[0] or column != after[1] or not starts_cell):
            continue
        for offset in [0] if after is not None else range(len(piece)):
            run = 0
            while run < len(words) and offset + run < len(piece) and piece[offset + run] == words[run]:
                run += 1
            if run == len(words):
                return True
            if run and offset + run == len(piece) and _found_across_lines(words[run:], pieces, (line_no, column)):
                return True
    return False


def test_seven_items_numbered_one_to_seven(plan: PlanDocument) -> None:
    assert [item.number for item in plan.items] == [1, 2, 3, 4, 5, 6, 7]


def test_plan_header(plan: PlanDocument) -> None:
    assert plan.plan.title == "South East LEP Strategy Improvement Plan 2019-20"
    assert (str(plan.plan.year_start), str(plan.plan.year_end)) == ("2019-04-01", "2020-03-31")
    assert (plan.plan.timezone, plan.plan.holidays, plan.plan.period_months) == ("Europe/London", "GB-ENG", 3)


def test_every_lead_is_a_person_with_the_lead_role(plan: PlanDocument) -> None:
    for item in plan.items:
        person = plan.person(item.lead)
        assert person is not None, f"item {item.number}: lead {item.lead!r} is not in people"
        assert "lead" in person.roles, f"item {item.number}: {item.lead!r} lacks the role 'lead'"


def test_counts_per_item(plan: PlanDocument) -> None:
    counts = {item.number: (len(item.kpis), len(item.milestones), len(item.monitoring)) for item in plan.items}
    assert counts == EXPECTED_COUNTS


def test_board_agendas_and_the_milestones_tied_to_them(plan: PlanDocument) -> None:
    board = next(m for m in plan.meetings if m.id == "strategic-board")
    assert board.kind == "board"
    assert len(board.occurrences) == 4
    agendas = {o.date.month: o.agenda for o in board.occurrences}
    assert agendas[6] == "Review draft evidence base"
    assert agendas[12] == "Review draft LIS"
    dues = {m.text: m.due for m in plan.items[1].milestones}
    assert dues["June – review draft evidence base"] == next(o.date for o in board.occurrences if o.date.month == 6)
    assert dues["December – review draft LIS"] == next(o.date for o in board.occurrences if o.date.month == 12)


def test_weekly_call(plan: PlanDocument) -> None:
    call = next(m for m in plan.meetings if m.id == "clgu-weekly-call")
    assert (call.kind, call.weekday, call.time.isoformat()) == ("weekly-call", "thursday", "10:00:00")
    assert [str(d) for d in call.cancelled] == ["2019-12-26", "2020-01-02"]


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_items_one_to_five_are_word_for_word_in_the_seed(plan: PlanDocument, seed: str, number: int) -> None:
    text = f" {_normal(seed)} "
    missing = [entry for entry in _entries(plan, number) if f" {_normal(entry)} " not in text]
    assert not missing, f"item {number}: not found word for word in the seed: {missing}"


@pytest.mark.parametrize("number", [6, 7])
def test_interleaved_items_follow_their_cells_in_the_seed(plan: PlanDocument, seed: str, number: int) -> None:
    pieces = _fragments(_region(seed, number))
    missing = [entry for entry in _entries(plan, number) if not _found_across_lines(entry.split(), pieces)]
    assert not missing, f"item {number}: not found in its part of the seed, even across wrapped lines: {missing}"


def test_interleaved_check_rejects_invented_text(seed: str) -> None:
    pieces = _fragments(_region(seed, 6))
    assert _found_across_lines("Quarterly Strategic Board meetings".split(), pieces)
    assert not _found_across_lines("Quarterly Strategic Board priorities".split(), pieces)
    assert not _found_across_lines("New strategies released quarterly".split(), pieces)
    assert not _found_across_lines("Board priorities reflect strategic driver of the LEP".split(), pieces)
