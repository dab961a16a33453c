"""Property tests for the answer readers (`bot.core.answers`, `bot.core.update_readers`):
whatever a person types, a reader returns a value or says what it couldn't read (never
a traceback), and what is stored reads back as it was typed (cleaned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.core import commands
from bot.core.answers import (
    Unreadable,
    control_word,
    edit_target,
    parse_date,
    parse_milestone,
    parse_rag,
    parse_review,
    read_rag_lead,
    words,
)
from bot.core.small_talk import small_talk
from bot.core.text import clean
from bot.core.update_readers import (
    Given,
    read_milestone,
    read_note,
    read_rag,
    read_slip_date,
    read_summary,
    read_switch,
)
from bot.core.wording import day_text, slash_date
from storage.db import session_scope
from storage.models import MilestoneState, Rag, Update, UpdateKpi
from tests.conftest import Chat

ChatFor = Callable[..., Chat]
FEW = settings(max_examples=60, deadline=None)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
WORDY = st.lists(
    st.sampled_from(
        "slipped done on track at risk amber green red to by end of mid start jan feb 31/01/2020 2020-02-30 "
        "99/99/9999 0 1 2 3 4 5 same skip back next cancel ✅ 🟠 🔴 edit kpi milestone summary yes no 1e9 -1 "
        "32 2019 feb29 29/02/2021 10000-01-01 tomorrow friday q3".split()
    ),
    max_size=8,
).map(" ".join)
ANY_TEXT = st.one_of(TEXT, WORDY)
DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
PREVIOUS_MS = st.one_of(
    st.none(),
    st.builds(
        lambda state, day: {"state": state.value, "date": day.isoformat() if day else None},
        st.sampled_from(list(MilestoneState)),
        st.one_of(st.none(), DAYS),
    ),
)


@FEW
@given(text=ANY_TEXT, today=DAYS)
def test_the_parsers_never_raise_but_unreadable(text: str, today: dt.date) -> None:
    words(text)
    control_word(text)
    parse_rag(text)
    parse_review(text)
    edit_target(text, ["rag", "kpi:k1", "ms:m1", "blockers", "summary"])
    day = parse_date(text, today=today)
    assert day is None or isinstance(day, dt.date)
    try:
        reading = parse_milestone(text, today=today)
    except Unreadable as exc:
        assert str(exc)
    else:
        assert reading is None or isinstance(reading.state, MilestoneState)


@FEW
@given(text=ANY_TEXT, today=DAYS, previous=PREVIOUS_MS, rag=st.one_of(st.none(), st.sampled_from([r.value for r in Rag])))
def test_every_reader_returns_a_value_or_says_what_it_could_not_read(
    text: str, today: dt.date, previous: dict | None, rag: str | None
) -> None:
    for given_ in (Given.typed(clean(text)), Given.field(clean(text))):
        for read in (
            lambda g: read_rag(g, rag),
            lambda g: read_note(g, rag),
            lambda g: read_milestone(g, previous, today=today),
            lambda g: read_slip_date(g, previous, today=today),
            lambda g: read_summary(g, rag, return_name="quarterly return"),
            lambda g: read_switch(g, current=3, other=5),
        ):
            try:
                read(given_)
            except Unreadable as exc:
                assert str(exc) and "Traceback" not in str(exc)


@FEW
@given(rag=st.sampled_from(list(Rag)), today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), ahead=st.integers(0, 700))
def test_what_the_bot_writes_reads_back_the_same(rag: Rag, today: dt.date, ahead: int) -> None:
    """The RAG and dates as replies and the return show them are read back as themselves."""
    assert parse_rag(rag.label) is rag
    assert read_rag(Given.typed(rag.label), None) == (rag.value, "")
    day = today + dt.timedelta(days=ahead)
    assert parse_date(slash_date(day), today=today) == day
    assert parse_date(day_text(day), today=today) == day
    assert parse_date(day.isoformat(), today=today) == day
    reading = parse_milestone(f"slipped to {slash_date(day)}", today=today)
    assert reading is not None and (reading.state, reading.new_date) == (MilestoneState.SLIPPED, day)
    assert read_slip_date(Given.typed(day_text(day)), None, today=today) == (day, "")


@FEW
@given(text=ANY_TEXT, today=DAYS)
def test_the_words_kept_beyond_an_answer_are_the_persons_own(text: str, today: dt.date) -> None:
    """A status's reason and a milestone's note are the end of what was typed, never made up."""
    found = read_rag_lead(text)
    if found is not None:
        assert found.rest == "" or found.rest in text
    try:
        reading = parse_milestone(text, today=today)
    except Unreadable:
        return
    if reading is not None:
        assert reading.note == "" or reading.note in text


def _free_text(text: str) -> bool:
    """An answer the conversation takes as words (not a navigation word, a command, or small
    talk such as "yo" or "thanks", which is answered and the question asked again)."""
    cleaned = clean(text)
    if not cleaned or control_word(cleaned) is not None or cleaned[0] in "/\"'“‘" or small_talk(cleaned) is not None:
        return False
    first = cleaned.split(None, 1)[0]
    return commands.resolve(first) is None and parse_review(cleaned) is None


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(progress=TEXT, summary=TEXT)
def test_answers_are_stored_as_typed(chat: ChatFor, plan_engine: Engine, progress: str, summary: str) -> None:
    assume(_free_text(progress) and _free_text(summary))
    cal = chat("cal")
    cal.text("cancel")
    cal.text("/plan-update 5")
    for answer in ["green", progress, "skip", "done", "on track", "none", summary]:
        reply = cal.text(answer)
        assert "something went wrong" not in reply
    assert "Saved: item 5, Q3 2019-20" in cal.text("yes")
    with session_scope(plan_engine) as session:
        update = session.exec(select(Update).where(Update.item_number == 5).order_by(col(Update.version).desc())).first()
        assert update is not None
        kpis = {k.kpi_key: k.progress for k in session.exec(select(UpdateKpi).where(UpdateKpi.update_id == update.id))}
    assert update.summary == clean(summary)
    assert clean(progress) in kpis.values()
