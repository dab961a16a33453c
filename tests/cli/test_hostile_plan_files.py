"""Plan files written to hurt: alias bombs, deep nesting, huge files, and values the
database cannot hold. Each is refused by `plan check`, `plan load` and start-up
with PLAN_FILE, with its place named, a non-zero exit and no traceback.

The hostile files are made here by small generators; none is committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Meeting, MeetingDate, Person, Plan, Send
from storage.plan_yaml import MAX_DEPTH, MAX_NODES, MAX_PLAN_BYTES
from storage.planfile import (
    MAX_PLAN_YEARS,
    OCCURRENCE_ID_MAX,
    PERSON_ID_MAX,
    PLATFORM_ID_MAX,
)
from tests.in_process import planbot


def billion_laughs(levels: int = 9) -> str:
    """The classic: each level an anchor listing the one below nine times (9**9 strings once expanded)."""
    names = "abcdefghij"[: levels + 1]
    lines = ['a: &a "lol"']
    lines += [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip(names, names[1:])]
    return "\n".join(lines) + f"\nplan:\n  title: *{names[-1]}\n"


def minimal_plan(**overrides: object) -> dict:
    """A small valid plan: one lead-and-coordinator, one item, a weekly call and a Board."""
    doc: dict = {
        "plan": {"title": "Hostile test plan", "year_start": "2019-04-01", "year_end": "2020-03-31"},
        "people": [{"id": "sam", "name": "Sam Lead", "roles": ["lead", "coordinator"]}],
        "items": [
            {
                "number": 1,
                "title": "First item",
                "lead": "sam",
                "kpis": ["A KPI"],
                "milestones": [{"id": "m1", "text": "First milestone", "due": "2019-06-03"}],
            }
        ],
        "meetings": [
            {"id": "weekly", "title": "Weekly call", "kind": "weekly-call", "weekday": "monday", "time": "10:00"},
            {"id": "board", "title": "Board", "kind": "board", "occurrences": [{"date": "2019-06-21"}]},
        ],
    }
    doc.update(overrides)
    return doc


def dump(doc: dict) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused_everywhere(path: Path, db_url: str, expected: str) -> None:
    """`plan check`, `plan load` and start-up with PLAN_FILE all refuse `path`, saying `expected`."""
    for args, env in (
        (("plan", "check", str(path)), None),
        (("plan", "load", str(path)), None),
        (("schedule", "--json"), {"PLAN_FILE": str(path)}),
    ):
        result = planbot(*args, database_url=db_url, extra_env=env)
        assert result.returncode != 0, (args, result.stdout)
        assert expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and "Error:" not in result.stderr.replace("PlanFileError", "")
        assert result.stdout == "" or args[0] != "schedule"
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.exec(select(Plan).where(Plan.title == "Hostile test plan")).first() is None
    engine.dispose()


# Point 1: YAML that multiplies or nests without bound.


def test_billion_laughs_is_refused_naming_the_anchor(tmp_path: Path, db_url: str) -> None:
    text = billion_laughs()
    assert len(text) < 400
    path = write(tmp_path, text)
    refused_everywhere(path, db_url, "line 1, column 4: '&a' marks a part of the file for repeating (a YAML anchor)")


def test_an_alias_of_plan_text_is_refused_with_its_place(tmp_path: Path, db_url: str) -> None:
    doc = dump(minimal_plan()).replace("title: Hostile test plan", "title: &t Hostile test plan")
    doc = doc.replace("title: First item", "title: *t")
    result = planbot("plan", "check", str(write(tmp_path, doc)), database_url=db_url)
    assert result.returncode == 1
    assert "line 2, column 10: '&t' marks a part of the file for repeating" in result.stderr


def test_an_alias_without_an_anchor_is_still_named_as_an_alias(tmp_path: Path, db_url: str) -> None:
    doc = dump(minimal_plan()).replace("title: First item", "title: *nowhere")
    result = planbot("plan", "check", str(write(tmp_path, doc)), database_url=db_url)
    assert result.returncode == 1
    assert "'*nowhere' repeats another part of the file (a YAML alias)" in result.stderr


def test_merge_keys_are_refused(tmp_path: Path, db_url: str) -> None:
    doc = dump(minimal_plan()).replace("  year_start: '2019-04-01'\n", "  <<: {year_start: '2019-04-01'}\n")
    assert "<<:" in doc
    path = write(tmp_path, doc)
    refused_everywhere(path, db_url, "line 3, column 3: '<<' merges another section into this one (a YAML merge key)")


def test_a_hundred_thousand_nested_brackets_give_a_message_not_a_recursion_error(tmp_path: Path, db_url: str) -> None:
    path = write(tmp_path, "plan: " + "[" * 100_000 + "]" * 100_000 + "\n")
    refused_everywhere(path, db_url, f"nested more than {MAX_DEPTH} levels deep here")


@pytest.mark.parametrize("tag", ["!!set", "!!binary", "!!python/object:os.system", "!custom"])
def test_yaml_tags_are_refused_with_their_place(tmp_path: Path, db_url: str, tag: str) -> None:
    doc = dump(minimal_plan()).replace("title: First item", f"title: {tag} First item")
    result = planbot("plan", "check", str(write(tmp_path, doc)), database_url=db_url)
    assert result.returncode == 1
    assert f"line 13, column 10: '{tag}' is a YAML tag" in result.stderr and "Traceback" not in result.stderr


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path: Path, db_url: str) -> None:
    padding = "# padding\n" * (MAX_PLAN_BYTES // 10 + 1)
    path = write(tmp_path, dump(minimal_plan()) + padding)
    assert path.stat().st_size > MAX_PLAN_BYTES
    refused_everywhere(path, db_url, "a plan file may be at most 1 MB")


def test_a_file_of_too_many_values_is_refused(tmp_path: Path, db_url: str) -> None:
    path = write(tmp_path, "plan: [" + "1," * MAX_NODES + "1]\n")
    assert path.stat().st_size < MAX_PLAN_BYTES
    result = planbot("plan", "check", str(path), database_url=db_url)
    assert result.returncode == 1
    assert f"the file holds more than {MAX_NODES:,} values" in result.stderr


def test_a_number_of_thousands_of_digits_is_named_not_converted(tmp_path: Path, db_url: str) -> None:
    doc = dump(minimal_plan()).replace("number: 1\n", "number: " + "9" * 5000 + "\n")
    result = planbot("plan", "check", str(write(tmp_path, doc)), database_url=db_url)
    assert result.returncode == 1
    assert "a number of 5,000 digits" in result.stderr and "Traceback" not in result.stderr


def test_thousands_of_problems_are_summarised(tmp_path: Path, db_url: str) -> None:
    doc = minimal_plan()
    doc["items"] = [{"number": n, "title": "x", "lead": "nobody"} for n in range(1, 2001)]
    result = planbot("plan", "check", str(write(tmp_path, dump(doc))), database_url=db_url)
    assert result.returncode == 1
    assert "has 2000 problems" in result.stderr
    assert "... and 1950 more" in result.stderr
    assert result.stderr.count("no person 'nobody'") == 50


# Point 2: values the database cannot hold, and plan years it should not try.


def long_id(length: int, stem: str) -> str:
    return (stem + "-" + "x" * length)[:length]


def longest_plan() -> dict:
    """Every id the plan feeds into a sized column, at its longest."""
    person = long_id(PERSON_ID_MAX, "sam")
    doc = minimal_plan()
    doc["people"][0].update(id=person, slack="U" + "1" * (PLATFORM_ID_MAX - 1))
    doc["items"][0]["lead"] = person
    doc["items"][0]["milestones"][0]["id"] = long_id(OCCURRENCE_ID_MAX, "m")
    doc["items"][0]["kpis"] = [{"id": long_id(OCCURRENCE_ID_MAX, "k"), "text": "A KPI"}]
    doc["meetings"][0]["id"] = long_id(OCCURRENCE_ID_MAX, "weekly")
    doc["meetings"][1]["id"] = long_id(OCCURRENCE_ID_MAX, "board")
    return doc


def test_ids_at_their_column_limits_load_and_run_every_job(tmp_path: Path, db_url: str) -> None:
    doc = longest_plan()
    path = write(tmp_path, dump(doc))
    assert planbot("plan", "load", str(path), database_url=db_url).returncode == 0
    planned = planbot("schedule", "--from", "2019-05-30", "--to", "2019-06-21", "--json", database_url=db_url)
    assert planned.returncode == 0, planned.stderr
    for due in sorted({send["due"] for send in json.loads(planned.stdout)}):
        ran = planbot("run-job", "all", "--at", due, database_url=db_url)
        assert ran.returncode == 0, ran.stderr
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        sends = session.exec(select(Send)).all()
        person = doc["people"][0]["id"]
        assert {s.person_id for s in sends} == {person}
        occurrences = {s.occurrence.partition("@")[0] for s in sends}
        assert {doc["meetings"][0]["id"], doc["meetings"][1]["id"], doc["items"][0]["milestones"][0]["id"]} <= occurrences
        assert any(person in s.key for s in sends)
        assert session.get(Person, person).slack == doc["people"][0]["slack"]
        assert session.get(Meeting, doc["meetings"][1]["id"]) is not None
    engine.dispose()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d["people"][0].update(id=long_id(PERSON_ID_MAX + 1, "sam")),
            f"people[0].id: is {PERSON_ID_MAX + 1:,} characters long; at most {PERSON_ID_MAX:,} fit",
        ),
        (
            lambda d: d["meetings"][0].update(id=long_id(OCCURRENCE_ID_MAX + 1, "weekly")),
            f"meetings[0].id: is {OCCURRENCE_ID_MAX + 1:,} characters long; at most {OCCURRENCE_ID_MAX:,} fit",
        ),
        (
            lambda d: d["items"][0]["milestones"][0].update(id=long_id(OCCURRENCE_ID_MAX + 1, "m")),
            f"items[0].milestones[0].id: is {OCCURRENCE_ID_MAX + 1:,} characters long",
        ),
        (
            lambda d: d["people"][0].update(teams="x" * (PLATFORM_ID_MAX + 1)),
            f"people[0].teams: is {PLATFORM_ID_MAX + 1:,} characters long; at most {PLATFORM_ID_MAX:,} fit",
        ),
        (lambda d: d["items"][0].update(number=True), "items[0].number: write a number here, not true"),
        (lambda d: d["plan"].update(period_months=True), "plan.period_months: write a number here, not true"),
        (
            lambda d: d["meetings"][1].update(occurrences=[{"date": "2019-06-21"}, {"date": "2019-06-21", "agenda": "x"}]),
            "meetings[1]: occurrences: 2019-06-21 listed twice",
        ),
        (lambda d: d["plan"].update(year_end="9999-12-31"), "plan.year_end: 9999-12-31 is not a plan date: use a year from 1900 to 2199"),
        (
            lambda d: d["plan"].update(year_start="2001-01-01"),
            f"the plan year runs from 2001-01-01 to 2020-03-31; a plan may cover at most {MAX_PLAN_YEARS} years",
        ),
        (lambda d: d["plan"].update(year_start="0001-01-01"), "plan.year_start: 0001-01-01 is not a plan date"),
        (lambda d: d["items"][0].update(title="bad \ud800 text"), "items[0].title: holds an escaped character that is not text"),
        (lambda d: d["people"][0].update(email="sam\x00@example.org"), "people[0].email: holds a NUL character"),
    ],
    ids=[
        "person-id", "meeting-id", "milestone-id", "teams-id", "number-true", "period-true",
        "same-date-twice", "year-9999", "too-many-years", "year-1", "surrogate", "nul",
    ],
)
def test_check_refuses_what_the_database_cannot_hold(tmp_path: Path, db_url: str, edit, expected: str) -> None:
    doc = minimal_plan()
    edit(doc)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    path = write(tmp_path, text)
    refused_everywhere(path, db_url, expected)


def test_dates_outside_the_plan_year_are_warnings_that_name_them(tmp_path: Path, db_url: str) -> None:
    doc = minimal_plan()
    doc["items"][0]["milestones"][0]["due"] = "2021-01-15"
    doc["meetings"][0]["cancelled"] = ["2018-12-24"]
    doc["meetings"][1]["occurrences"].append({"date": "2020-06-19"})
    path = write(tmp_path, dump(doc))
    check = planbot("plan", "check", str(path), database_url=db_url)
    assert check.returncode == 0
    assert "is a valid plan" in check.stdout
    assert "3 warnings:" in check.stderr
    assert "items[0].milestones[0].due: 2021-01-15 (item 1 milestone m1) is outside the plan year (2019-04-01 to 2020-03-31)" in check.stderr
    assert "meetings[1].occurrences[1].date: 2020-06-19 (Board) is outside the plan year" in check.stderr
    assert "meetings[0].cancelled[0]: 2018-12-24 (Weekly call) is outside the plan year" in check.stderr
    load = planbot("plan", "load", str(path), database_url=db_url)
    assert load.returncode == 0 and "3 warnings:" in load.stderr
    started = planbot("schedule", "--json", database_url=db_url, extra_env={"PLAN_FILE": str(path)})
    assert started.returncode == 0
    assert "PLAN_FILE" in started.stderr and "2020-06-19 (Board) is outside the plan year" in started.stderr
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert {d.date.isoformat() for d in session.exec(select(MeetingDate))} == {"2019-06-21", "2020-06-19"}
    engine.dispose()


def test_a_plan_of_the_longest_year_checks_with_its_period_count(tmp_path: Path, db_url: str) -> None:
    doc = minimal_plan()
    doc["plan"].update(year_start="2019-04-01", year_end="2024-03-31", period_months=1)
    check = planbot("plan", "check", str(write(tmp_path, dump(doc))), database_url=db_url)
    assert check.returncode == 0, check.stderr
    assert "60 periods (2019-M1 to 2019-M60)" in check.stdout


def test_the_documented_limits_are_the_enforced_ones() -> None:
    """docs/plan-format.md and README state the limits in numbers; they follow the columns."""
    docs = (Path(__file__).parents[2] / "docs" / "plan-format.md").read_text(encoding="utf-8")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"| person `id` | {PERSON_ID_MAX} characters |" in docs
    assert f"| meeting `id`, KPI and milestone `id` | {OCCURRENCE_ID_MAX} characters |" in docs
    assert f"| `slack`, `teams` | {PLATFORM_ID_MAX} characters |" in docs
    assert f"| file size | {MAX_PLAN_BYTES // 1024 // 1024} MB |" in docs
    assert f"| nesting | {MAX_DEPTH} levels" in docs and f"| values | {MAX_NODES:,} |" in docs
    assert f"a person id {PERSON_ID_MAX} characters" in readme and f"milestone id {OCCURRENCE_ID_MAX})" in readme
