"""The clock's fan-out through the routing and Slack ports: what each prompt costs the
database, that a reconcile reads routes and item cards once, and what the ledger,
addresses and handles hold afterwards."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.core.clock import FixedClock
from bot.shell.inbox_port import InboxPort
from bot.slack.port import Pacer, SlackPort
from schedules.reconcile import Reconciler
from schedules.routing import RoutingPort
from storage.db import session_scope
from storage.models import Address, MessageHandle, Person, Send, SendStatus
from storage.sends import claim
from tests.schedules.conftest import london
from tests.slack.conftest import add_people
from tests.slack_fake import FakeSlack


def test_a_fanout_costs_a_few_statements_a_prompt_and_keeps_every_guarantee(
    fake_slack: FakeSlack, plan_engine: Engine, clock: FixedClock
) -> None:
    add_people(fake_slack)
    port = SlackPort(plan_engine, token=fake_slack.bot_token, base_url=fake_slack.url, pacer=Pacer(per_channel=0))
    port.prepare()
    routing = RoutingPort(plan_engine, {"slack": port}, InboxPort(plan_engine))
    clock.at = london(2019, 12, 16, 9)
    statements: Counter[str] = Counter()

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        verb = statement.split()[0].upper()
        if verb in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements[verb] += 1

    event.listen(plan_engine, "before_cursor_execute", count)
    try:
        outcomes = Reconciler(plan_engine, routing, clock, by="test").run("quarterly-prompts")
    finally:
        event.remove(plan_engine, "before_cursor_execute", count)

    sent = [o for o in outcomes if o.status == SendStatus.SENT]
    leads = {o.send.person_id for o in sent}
    assert len(sent) > len(leads) > 1, "the bundled plan has leads with several items"
    # the plan, the ledger, the cards and the routes read once (about 25), then per prompt
    # its claim, mark and handle, and per person their DM channel (stored once) and their
    # routes read again with it
    assert sum(statements.values()) <= 30 + 3 * len(sent) + 4 * len(leads), statements
    assert len(fake_slack.calls_to("users.info")) == len(leads), "one users.info per person per run"
    with session_scope(plan_engine) as session:
        rows = session.exec(select(Send).where(Send.kind == "quarterly-prompt")).all()
        assert {r.key for r in rows if r.status == SendStatus.SENT} == {o.send.key for o in sent}
        handles = session.exec(select(MessageHandle)).all()
        assert len(handles) == len(sent)
        addresses = {a.person_id: a for a in session.exec(select(Address).where(Address.platform == "slack"))}
        for person_id in leads:
            assert addresses[person_id].channel and addresses[person_id].channel.startswith("D"), person_id
    for person_id in leads:
        user = addresses[person_id].user_id
        assert len(fake_slack.messages(user)) == sum(o.send.person_id == person_id for o in sent), "none lost or doubled"

    assert Reconciler(plan_engine, routing, clock, by="test").run("quarterly-prompts") == [], "a second run sends nothing"
    fake_slack.take_problems()


def test_a_claim_for_someone_no_longer_there_is_refused_not_an_error(plan_engine: Engine) -> None:
    at = dt.datetime(2019, 12, 16, 9, tzinfo=dt.UTC)
    fields = dict(kind="pre-call-prompt", item_number=None, occurrence="x", due=at, by="test", at=at)
    with session_scope(plan_engine) as session:
        assert session.get(Person, "nobody") is None
        assert not claim(session, key="k-nobody", person_id="nobody", **fields)
        assert claim(session, key="k-alex", person_id="alex", **fields)
        assert not claim(session, key="k-alex", person_id="alex", **fields), "the key is taken"
    with session_scope(plan_engine) as session:
        assert session.get(Send, "k-nobody") is None and session.get(Send, "k-alex") is not None


def test_a_post_whose_sender_woke_late_holds_the_next_one_back() -> None:
    """Slack counts the workspace's rate from when posts arrive: after a post that went
    late, the next waits its spacing from that post, not from its own booked slot."""
    now = [0.0]
    late = [0.3]

    def sleep(seconds: float) -> None:
        now[0] += seconds + late.pop() if late else seconds

    pacer = Pacer(per_channel=1.0, per_minute=120, clock=lambda: now[0], sleep=sleep)
    went = []
    for channel in ["A", "B", "C"]:
        pacer.wait(channel)
        went.append(round(now[0], 3))

    assert went == [0.0, 0.8, 1.3], "B woke 0.3 s late for its slot at 0.5; C waits until 0.5 s after B"
