"""Property tests for plan files: whatever text arrives, validation either accepts
it or lists problems (never a traceback), and a valid plan reads back from the
database exactly as the file gave it, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import string

import pytest
import yaml

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session_scope
from storage.invisible import strip_invisible
from storage.models import Item, Kpi, Meeting, MeetingDate, Milestone, MonitoringLine, Person, Plan
from storage.plan_loader import load_plan
from storage.planfile import (
    BUNDLED_PLAN,
    OCCURRENCE_ID_MAX,
    PERSON_ID_MAX,
    PLATFORM_ID_MAX,
    PlanDocument,
    PlanFileError,
    parse_plan,
)

BUNDLED = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
YAML_PIECES = st.sampled_from(
    [
        "plan:", "people:", "items:", "meetings:", "schedule:", "title:", "number:", "year_start:", "- ", "  ",
        "\n", "[", "]", "{", "}", ",", ":", "&a ", "*a", "<<: ", "!!binary ", "!!set ", "? ", "|", ">", "'", '"',
        "#", "%YAML 1.1\n", "---\n", "...\n", "2019-04-01", "9" * 40, "true", "~", "\\u0000", "\t", "é", "\ud7ff",
    ]
)


def check(text: str) -> PlanDocument | None:
    """parse_plan's outcome, failing the test on anything but a plan or a PlanFileError."""
    try:
        return parse_plan(text)
    except PlanFileError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert "Traceback" not in str(exc)
        return None


@given(st.text(max_size=400))
def test_any_text_is_a_plan_or_a_list_of_problems(text: str) -> None:
    check(text)


@given(st.lists(YAML_PIECES, max_size=60).map("".join))
def test_yaml_made_of_tricky_pieces_is_a_plan_or_a_list_of_problems(text: str) -> None:
    check(text)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.dates().map(str),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: object, where: tuple = ()) -> list[tuple]:
    found = [where]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*where, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*where, index))
    return found


BUNDLED_PATHS = [p for p in _paths(BUNDLED) if p]


@given(st.lists(st.tuples(st.sampled_from(BUNDLED_PATHS), JSONISH), min_size=1, max_size=4))
def test_the_bundled_plan_with_any_value_anywhere_is_a_plan_or_a_list_of_problems(edits) -> None:
    doc = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    for path, value in edits:
        target = doc
        try:
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    check(yaml.safe_dump(doc, allow_unicode=True))


# Valid plans, generated: what is loaded reads back the same.

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=80
).filter(lambda t: t.split() != [])


def ids(limit: int) -> st.SearchStrategy[str]:
    first = st.sampled_from(string.ascii_lowercase + string.digits)
    rest = st.text(string.ascii_lowercase + string.digits + "_.-", max_size=limit - 1)
    return st.builds(str.__add__, first, rest)


@st.composite
def valid_plans(draw: st.DrawFn) -> dict:
    year_start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2150, 12, 31)))
    year_end = year_start + dt.timedelta(days=draw(st.integers(1, 4 * 365)))
    in_year = st.integers(0, (year_end - year_start).days).map(lambda n: year_start + dt.timedelta(days=n))
    people_ids = draw(st.lists(ids(PERSON_ID_MAX), min_size=1, max_size=4, unique=True))
    people = [
        {
            "id": pid,
            "name": draw(TEXT),
            "roles": ["lead", "coordinator"] if n == 0 else ["lead"],
            "slack": draw(st.none() | st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=PLATFORM_ID_MAX)),
        }
        for n, pid in enumerate(people_ids)
    ]
    seen_slack = set()
    for person in people:  # each slack id belongs to one person
        if person["slack"] in seen_slack:
            person["slack"] = None
        seen_slack.add(person["slack"])
    items = []
    for number in draw(st.lists(st.integers(1, 9999), min_size=1, max_size=4, unique=True)):
        kpi_ids = draw(st.lists(ids(OCCURRENCE_ID_MAX), max_size=3, unique=True))
        milestone_ids = draw(st.lists(ids(OCCURRENCE_ID_MAX), max_size=3, unique=True))
        items.append(
            {
                "number": number,
                "title": draw(TEXT),
                "summary": draw(st.none() | TEXT),
                "lead": draw(st.sampled_from(people_ids)),
                "kpis": [{"id": k, "text": draw(TEXT)} for k in kpi_ids],
                "milestones": [{"id": m, "text": draw(TEXT), "due": str(draw(in_year))} for m in milestone_ids],
                "monitoring": draw(st.lists(TEXT, max_size=3)),
            }
        )
    board_days = draw(st.lists(in_year, min_size=1, max_size=4, unique=True))
    meetings = [
        {"id": draw(ids(OCCURRENCE_ID_MAX)), "title": draw(TEXT), "kind": "board",
         "occurrences": [{"date": str(d), "agenda": draw(st.none() | TEXT)} for d in board_days]},
    ]
    plan = {
        "title": draw(TEXT),
        "year_start": str(year_start),
        "year_end": str(year_end),
        "period_months": draw(st.sampled_from([1, 3, 6, 12])),
    }
    return {"plan": plan, "people": people, "items": items, "meetings": meetings}


def _same_text(written: str | None) -> str | None:
    return None if written is None else " ".join(written.split())


def _same_name(person: dict) -> str:
    """A name reads back as written, less the invisible characters the loader removes
    (bidi overrides, zero-width spaces, soft hyphens); a name of nothing else is the id."""
    return _same_text(strip_invisible(person["name"])) or person["id"]


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], max_examples=25)
@given(plan=valid_plans())
def test_a_valid_plan_is_stored_and_reads_back_as_written(engine: Engine, plan: dict) -> None:
    doc = check(yaml.safe_dump(plan, allow_unicode=True))
    assert doc is not None
    with session_scope(engine) as session:
        load_plan(session, doc, source="generated", force=True)
    with session_scope(engine) as session:
        stored = session.get(Plan, 1)
        assert (stored.title, str(stored.year_start), str(stored.year_end)) == (
            _same_text(plan["plan"]["title"]), plan["plan"]["year_start"], plan["plan"]["year_end"],
        )
        people = {p.id: p for p in session.exec(select(Person).where(Person.in_plan))}
        assert {pid: (p.name, p.slack) for pid, p in people.items()} == {
            p["id"]: (_same_name(p), p["slack"]) for p in plan["people"]
        }
        items = {i.number: i for i in session.exec(select(Item).where(Item.in_plan))}
        assert {n: (i.title, i.summary, i.lead_id) for n, i in items.items()} == {
            i["number"]: (_same_text(i["title"]), _same_text(i["summary"]), i["lead"]) for i in plan["items"]
        }
        for item in plan["items"]:
            number = item["number"]
            kpis = session.exec(select(Kpi).where(Kpi.item_number == number, Kpi.in_plan).order_by(Kpi.position))
            assert [(k.key, k.text) for k in kpis] == [(k["id"], _same_text(k["text"])) for k in item["kpis"]]
            milestones = session.exec(
                select(Milestone).where(Milestone.item_number == number, Milestone.in_plan).order_by(Milestone.position)
            )
            assert [(m.key, m.text, str(m.due)) for m in milestones] == [
                (m["id"], _same_text(m["text"]), m["due"]) for m in item["milestones"]
            ]
            lines = session.exec(
                select(MonitoringLine).where(MonitoringLine.item_number == number).order_by(MonitoringLine.position)
            )
            assert [line.text for line in lines] == [_same_text(t) for t in item["monitoring"]]
        [meeting] = plan["meetings"]
        assert session.get(Meeting, meeting["id"]).title == _same_text(meeting["title"])
        dates = session.exec(select(MeetingDate).where(MeetingDate.meeting_id == meeting["id"]).order_by(MeetingDate.date))
        assert [(str(d.date), d.agenda) for d in dates] == sorted(
            (o["date"], _same_text(o["agenda"])) for o in meeting["occurrences"]
        )
