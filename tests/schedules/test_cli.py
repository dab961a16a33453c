"""`planbot run-job` and `planbot schedule` as a user (or a monitoring script)
runs them, on each database, with no chat platform configured, so the sends wait
in the terminal inbox. The `--json` contract (stdout is only the array) is checked
first on a real process, where anything else printed would land in the same
stream; the rest run the command in-process."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy.engine import Engine

from bot.shell.inbox_port import take_unread
from storage.db import session_scope
from storage.models import SendStatus
from tests import processes
from tests.in_process import planbot
from tests.schedules.conftest import ledger
from tests.schedules.test_plan_year import EXPECTED

CONTRACT = {"kind", "person", "item", "occurrence", "due"}


def test_run_job_json_is_only_the_array_of_sends_made(db_url: str, plan_engine: Engine) -> None:
    first = processes.planbot("run-job", "pre-call", "--at", "2019-11-20T10:00", "--json", database_url=db_url)
    again = planbot("run-job", "pre-call", "--at", "2019-11-20T10:05", "--json", database_url=db_url)

    assert first.returncode == 0, first.stderr
    sends = json.loads(first.stdout)
    assert all(set(s) == CONTRACT for s in sends)
    assert sorted(s["person"] for s in sends) == ["alex", "bea", "cal", "dee"]
    assert {(s["kind"], s["item"], s["occurrence"], s["due"]) for s in sends} == {
        ("pre-call-prompt", None, "clgu-weekly-call@2019-11-21", "2019-11-20T10:00:00+00:00")
    }
    assert json.loads(again.stdout) == []


def test_run_job_prints_what_it_did_and_sends_wait_in_the_inbox(db_url: str, plan_engine: Engine) -> None:
    done = planbot("run-job", "all", "--at", "2019-12-16T09:00:00+00:00", database_url=db_url)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "sent     quarterly-prompt alex         item 1   2019-Q3" in lines[0]
    assert lines[-1] == "7 sent, 0 not sent (all at 2019-12-16T09:00+00:00)."
    with session_scope(plan_engine) as session:
        inbox = take_unread(session, person_id="bea")
        assert take_unread(session, person_id="bea") == []
    assert [r.blocks[0].text for r in inbox] == [  # type: ignore[union-attr]
        "Item 3: Engage stakeholders locally and sub-regionally",
        "Item 4: External communications plan for the LIS",
    ]
    assert "/plan-update 3 2019-Q3" in [c.value for b in inbox[0].blocks for c in getattr(b, "choices", [])]


def test_missed_sends_go_to_stderr_not_into_the_json(db_url: str, plan_engine: Engine) -> None:
    planbot("run-job", "quarterly-prompts", "--at", "2019-12-15T09:00", database_url=db_url)
    late = planbot("run-job", "quarterly-prompts", "--at", "2019-12-17T10:00", "--json", database_url=db_url)

    assert json.loads(late.stdout) == []
    assert late.stderr.count("missed   quarterly-prompt") == 7
    assert {r.status for r in ledger(plan_engine)} == {SendStatus.MISSED}


def test_schedule_json_lists_the_whole_year(db_url: str, plan_engine: Engine) -> None:
    done = planbot("schedule", "--from", "2019-04-01", "--to", "2020-03-31", "--json", database_url=db_url)

    assert done.returncode == 0, done.stderr
    sends = json.loads(done.stdout)
    assert all(set(s) == CONTRACT for s in sends)
    assert Counter(s["kind"] for s in sends) == EXPECTED
    first = sends[0]
    assert first == {
        "kind": "pre-call-prompt",
        "person": "alex",
        "item": None,
        "occurrence": "clgu-weekly-call@2019-04-04",
        "due": "2019-04-03T10:00:00+01:00",
    }


def test_schedule_shows_people_and_what_already_went(db_url: str, plan_engine: Engine) -> None:
    planbot("run-job", "all", "--at", "2019-12-16T09:00", database_url=db_url)
    done = planbot("schedule", "--from", "2019-12-16", "--to", "2019-12-16", database_url=db_url)

    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[0] == "Scheduled messages Mon 16 Dec 2019 to Mon 16 Dec 2019 (times in Europe/London):"
    )
    assert "  09:00  quarterly-prompt Bea Sample             item 3   2019-Q3                      sent" in done.stdout


def test_bad_arguments_say_what_to_type(db_url: str, plan_engine: Engine) -> None:
    bad_time = planbot("run-job", "all", "--at", "next tuesday", database_url=db_url)
    bad_job = planbot("run-job", "reminders", database_url=db_url)
    bad_range = planbot("schedule", "--from", "2019-12-10", "--to", "2019-12-01", database_url=db_url)

    assert bad_time.returncode == 2
    assert "--at 'next tuesday' is not an ISO-8601 time; write it like 2019-11-20T10:00" in bad_time.stderr
    assert bad_job.returncode == 2 and "invalid choice: 'reminders'" in bad_job.stderr
    assert bad_range.returncode == 2 and "--to (2019-12-01) is before --from (2019-12-10)" in bad_range.stderr
