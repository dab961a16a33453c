"""The clock's fan-out to Slack: the quarterly-prompts reconcile sending N prompts
through the routing port and the Slack port (a `users.info`, the `chat.postMessage`,
the ledger's claim and mark for each) against the fake Slack set to Slack's limits for
chat.postMessage (one a second per channel, and a workspace-wide rate), with the
port's pacer set to the same.

The plan has N / --items-each leads, each with a Slack id and --items-each items, so
a lead with several items gets several prompts in one DM channel.

Printed: the time the posts took, the limits' minimum time for the same posts (the
fake's `rate_report`: its floor), their ratio, how many posts Slack refused with 429,
and the ledger's count of sent prompts (lost or doubled ones show there).
Goal (issue 9): 2,000 prompts within 1.1x of the limits' minimum time, no 429.

Then what exactly-once costs: the same fan-out again, on a fresh database, with one
post in every --unsure-every answered 500 after Slack took it (an unknown outcome, so
the port looks it up before anything is posted again). Printed: the look-ups made
(conversations.history calls), the reconcile's time beside the clean run's, how many
prompts were posted twice (from the keys in the messages' metadata: must be 0), and how
many ended unknown (the look-up budget, 40 a minute after a burst of 10, ran out).

    python bench/slack_fanout.py                       # 2,000 prompts, 6,000 a minute
    python bench/slack_fanout.py --per-minute 300      # Slack's default in Planbot
    python bench/slack_fanout.py --prompts 500 --items-each 4 --senders 1
    python bench/slack_fanout.py --database-url sqlite   # 4 senders on SQLite
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.async_boundary import scratch_database  # noqa: E402
from bot.core.clock import FixedClock  # noqa: E402
from bot.shell.inbox_port import InboxPort  # noqa: E402
from bot.slack.port import SEND_EVENT, Pacer, SlackPort  # noqa: E402
from schedules.reconcile import Reconciler, senders_for  # noqa: E402
from schedules.routing import RoutingPort  # noqa: E402
from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.models import SendStatus  # noqa: E402
from storage.plan_loader import load_plan  # noqa: E402
from storage.planfile import BUNDLED_PLAN, parse_plan  # noqa: E402
from tests.slack_fake import FakeSlack  # noqa: E402

PROMPTS_AT = dt.datetime(2019, 12, 16, 9, tzinfo=ZoneInfo("Europe/London"))


def plan_text(prompts: int, items_each: int) -> str:
    """The bundled plan's year and coordinators, with `prompts` items led by Slack users."""
    raw = yaml.safe_load(BUNDLED_PLAN.read_text(encoding="utf-8"))
    coordinators = [p for p in raw["people"] if "coordinator" in p.get("roles", [])]
    leads = -(-prompts // items_each)
    raw["people"] = coordinators + [
        {"id": f"lead-{n:05d}", "name": f"Lead {n:05d}", "roles": ["lead"], "slack": f"UFAN{n:05d}"} for n in range(leads)
    ]
    raw["items"] = [
        {"number": n + 1, "title": f"Improvement item {n + 1}", "lead": f"lead-{n // items_each:05d}", "kpis": ["An outcome"], "milestones": ["A step"]}
        for n in range(prompts)
    ]
    return yaml.safe_dump(raw, allow_unicode=True)


@contextmanager
def database(url: str) -> Iterator[str]:
    """A fresh database: a file in a temporary folder for `sqlite`, else a scratch database on the server."""
    if url == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/fanout.db"
        return
    with scratch_database(url) as scratch:
        yield scratch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL server to make a scratch database on, or 'sqlite' for a file",
    )
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--items-each", type=int, default=1, help="items (so prompts) per lead, in one DM channel")
    parser.add_argument("--per-minute", type=float, default=6000.0, help="the workspace-wide rate (default 6,000 a minute)")
    parser.add_argument("--senders", type=int, default=None, help="the reconcile's sender threads (default: the clock's)")
    parser.add_argument("--unsure-every", type=int, default=100, help="in the second run, one post in this many answered 500 after Slack took it")
    args = parser.parse_args()

    with FakeSlack(post_interval_per_channel=1.0, workspace_rate_per_minute=args.per_minute) as fake:
        elapsed, outcomes, senders = fan_out(args, fake)
        report = fake.rate_report("chat.postMessage")
        sent = sum(o.status == SendStatus.SENT for o in outcomes)
        problems = list(fake.problems)
        fake.reset()
        stop = threading.Event()
        arming = threading.Thread(target=arm_unsure_posts, args=(fake, args.unsure_every, stop), daemon=True)
        arming.start()
        unsure_elapsed, unsure_outcomes, _ = fan_out(args, fake)
        stop.set()
        arming.join()
        lookups = len(fake.calls_to("conversations.history"))
        unsure = sum(1 for c in fake.calls_to("chat.postMessage") if c.status == 500)
        doubled = sum(n - 1 for n in keys_posted(fake).values() if n > 1)
        unknown = sum(o.status == SendStatus.UNKNOWN for o in unsure_outcomes)
    floor = float(report.get("floor") or 0.0)
    posts = float(report.get("elapsed") or 0.0)
    print(
        f"{args.prompts} prompts to {-(-args.prompts // args.items_each)} leads, {senders} senders; "
        f"limits: 1 a second per channel, {args.per_minute:g} a minute across the workspace"
    )
    print(f"posts took {posts:.1f} s (the whole reconcile {elapsed:.1f} s); the limits' minimum {floor:.1f} s; ratio {posts / floor if floor else float('nan'):.3f}")
    print(f"accepted {report.get('accepted')}, refused with 429: {report.get('rate_limited')}; sent in the ledger: {sent}")
    print(
        f"exactly once: {unsure} posts answered 500 after Slack took them; {lookups} look-ups; "
        f"the reconcile {unsure_elapsed:.1f} s (clean: {elapsed:.1f} s); posted twice: {doubled}; "
        f"ended unknown (reported, not resent): {unknown}"
    )
    if problems:
        print("fake Slack problems:", *problems[:5], sep="\n  ")


def fan_out(args: argparse.Namespace, fake: FakeSlack) -> tuple[float, list, int]:
    """One quarterly-prompts reconcile on a fresh database: its time, outcomes and senders."""
    with database(args.database_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(engine) as session:
            load_plan(session, parse_plan(plan_text(args.prompts, args.items_each), "bench"), source="bench")
        for n in range(-(-args.prompts // args.items_each)):
            fake.add_user(f"UFAN{n:05d}", email=f"ufan{n:05d}@example.org")
        slack = SlackPort(engine, token=fake.bot_token, base_url=fake.url, pacer=Pacer(per_channel=1.0, per_minute=args.per_minute))
        router = RoutingPort(engine, {"slack": slack}, InboxPort(engine))
        senders = args.senders if args.senders is not None else senders_for(engine)
        reconciler = Reconciler(engine, router, FixedClock(PROMPTS_AT), by="bench", senders=senders)
        started = time.perf_counter()
        outcomes = reconciler.run("quarterly-prompts")
        elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed, outcomes, senders


def arm_unsure_posts(fake: FakeSlack, every: int, stop: threading.Event) -> None:
    """Keep one accept-then-500 armed for each `every` posts Slack takes."""
    armed = 0
    while not stop.is_set():
        taken = sum(1 for c in fake.calls_to("chat.postMessage") if c.ok)
        if taken // every >= armed:
            fake.fail_after_accepting("chat.postMessage", 500)
            armed += 1
        time.sleep(0.01)


def keys_posted(fake: FakeSlack) -> Counter[str]:
    found: Counter[str] = Counter()
    for messages in fake._messages.values():  # noqa: SLF001  (the bench reads the fake's store whole)
        for message in messages:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == SEND_EVENT:
                found[metadata["event_payload"]["key"]] += 1
    return found


if __name__ == "__main__":
    main()
