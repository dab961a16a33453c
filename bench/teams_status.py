"""`plan-status` through Teams: a message over HTTP in expect-replies mode at 1,
10 and 50 concurrent requests, beside an Agents SDK bot whose handler only
replies "ok" and beside the core answering the same message directly, in one run.

Figures printed for each: p50 and p99 latency (request sent to answer read),
requests per second, failures, and the slowest answer (Teams gives up after 15 s).
The adapter's own cost is our p50 at 1 concurrent minus the core's p50 for the
same message; the goal is that it stays within 1.5x of the bare bot's p50, and
that at 50 concurrent nothing fails or waits past 15 s.

Every answer is built and rendered anew (nothing is kept between questions). The
"fresh" rows also make a write from another connection before each message (outside
the timing), as real traffic does between questions: the core alone the same way, the
adapter's cost again.
An answer counts as failed unless it is the plan's status (or the bare bot's "ok").

Both web apps run in this process on loopback, each on its own thread and event
loop (as `planbot serve` runs one, with one core for every route), the load
generator on the main loop; every message has its own activity id, as real ones do.

    python bench/teams_status.py                      # SQLite in a temporary folder
    python bench/teams_status.py --database-url postgresql://postgres@127.0.0.1:5432/test
    python bench/teams_status.py --requests 400       # per concurrency level
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from microsoft_agents.activity import Activity  # noqa: E402
from microsoft_agents.hosting.aiohttp import CloudAdapter  # noqa: E402
from microsoft_agents.hosting.core import TurnContext  # noqa: E402

import bot.app  # noqa: E402,F401  (registers every command)
from bot.core.async_boundary import AsyncPlanbot  # noqa: E402
from bot.core.clock import FixedClock  # noqa: E402
from bot.core.events import DIRECT, Sender, TextMessage  # noqa: E402
from bot.core.planbot import Planbot  # noqa: E402
from bot.teams.mount import mount_with  # noqa: E402
from bot.teams.sdk import Sdk  # noqa: E402
from bot.teams.setup import TeamsSetup  # noqa: E402
from bot.web import build_app  # noqa: E402
from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.models import Person  # noqa: E402
from storage.plan_loader import load_plan  # noqa: E402
from storage.planfile import BUNDLED_PLAN, read_plan  # noqa: E402
from tests.teams_fake.harness import anonymous_settings  # noqa: E402
from tests.teams_fake.loopback import LoopbackServer  # noqa: E402

NOW = dt.datetime(2019, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
AAD = "00000000-0000-4000-8000-00000000bench"
TENANT = "72f988bf-0000-4000-8000-00000000000a"
LEVELS = (1, 10, 50)


class OkBot:
    """The bare Agents SDK bot: its handler only replies "ok"."""

    async def on_turn(self, context: TurnContext) -> None:
        if context.activity.type == "message":
            await context.send_activity(Activity(type="message", text="ok"))


def bare_app() -> web.Application:
    """The SDK as it comes: its own client factory and adapter, same (anonymous) configuration."""
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.core import RestChannelServiceClientFactory

    setup = TeamsSetup.from_settings(anonymous_settings("http://127.0.0.1:9/"), warn=False)
    Sdk.build(setup)  # quietens the SDK's per-turn warning about anonymous mode, as for ours
    factory = RestChannelServiceClientFactory(MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": setup.auth}))
    assert type(factory) is RestChannelServiceClientFactory
    adapter = CloudAdapter(channel_service_client_factory=factory)
    agent = OkBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent) or web.Response(status=202)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def activity(text: str) -> dict:
    return {
        "type": "message",
        "id": f"bench-{uuid.uuid4().hex}",
        "channelId": "msteams",
        "serviceUrl": "http://127.0.0.1:9/",
        "from": {"id": "29:bench", "aadObjectId": AAD},
        "recipient": {"id": "28:planbot", "name": "Planbot"},
        "conversation": {"id": "a:bench-personal", "conversationType": "personal", "tenantId": TENANT},
        "text": text,
        "textFormat": "plain",
        "deliveryMode": "expectReplies",
    }


async def load(url: str, concurrency: int, total: int, *, expect: str, before: Callable[[], None] | None = None) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    per_worker = max(1, total // concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=concurrency)) as session:

        async def worker() -> None:
            nonlocal failures
            for _ in range(per_worker):
                if before is not None:
                    before()
                started = time.perf_counter()
                async with session.post(url, json=activity("plan-status")) as response:
                    body = await response.json()
                    status = response.status
                latencies.append(time.perf_counter() - started)
                failures += 0 if status == 200 and expect in json.dumps(body.get("activities")) else 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "max": latencies[-1] * 1000,
        "rps": len(latencies) / wall,
        "failures": failures,
        "n": len(latencies),
    }


def direct(planbot: Planbot, n: int, *, before: Callable[[], None] | None = None) -> float:
    """The core's own p50 (ms) for the same message, called on this thread."""
    times = []
    for _ in range(n):
        event = TextMessage(Sender("teams", AAD, DIRECT, TENANT), "plan-status", delivery_id=f"direct-{uuid.uuid4().hex}")
        if before is not None:
            before()
        started = time.perf_counter()
        planbot.handle(event)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=200, help="messages per concurrency level (default 200)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="planbot-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_plan(session, read_plan(BUNDLED_PLAN), source=str(BUNDLED_PLAN), force=True)
        robin = session.get(Person, "robin")
        robin.teams = AAD
        session.add(robin)

    clock = FixedClock(NOW)
    planbot = Planbot(engine, clock, exports_dir=folder / "exports")
    writer = make_engine(url)

    def write() -> None:  # another process's write between messages, as in real traffic
        with writer.begin() as conn:
            conn.exec_driver_sql("UPDATE plan SET loaded_at = loaded_at")

    direct(planbot, 30)  # warm up
    core_p50 = direct(planbot, 200)
    fresh_rounds = max(30, args.requests // 3)
    core_fresh = direct(planbot, fresh_rounds, before=write)

    settings = anonymous_settings("http://127.0.0.1:9/")
    sdk = Sdk.build(TeamsSetup.from_settings(settings, warn=False))
    core = AsyncPlanbot(planbot)
    ours = LoopbackServer(build_app(core, [("teams", mount_with(sdk, core))])).start()
    bare = LoopbackServer(bare_app()).start()
    print(
        f"database: {engine.dialect.name}; {args.requests} messages per level; "
        f"core alone p50 {core_p50:.2f} ms (asked again), {core_fresh:.2f} ms (after a write)"
    )
    print(f"{'':<22}{'conc':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>8}{'failed':>8}")
    results: dict[tuple[str, int], dict[str, float]] = {}
    try:
        for concurrency in LEVELS:
            total = args.requests if concurrency > 1 else max(50, args.requests // 2)
            for name, server, expect in (("bare SDK bot (ok)", bare, '"ok"'), ("planbot plan-status", ours, "Plan status")):
                asyncio.run(load(server.url + "/api/messages", concurrency, 10, expect=expect))  # warm up
                r = asyncio.run(load(server.url + "/api/messages", concurrency, total, expect=expect))
                results[(name, concurrency)] = r
                print(f"{name:<22}{concurrency:>5}{r['p50']:>9.2f}{r['p99']:>9.1f}{r['max']:>9.1f}{r['rps']:>8.0f}{r['failures']:>8.0f}")
        fresh = asyncio.run(load(ours.url + "/api/messages", 1, fresh_rounds, expect="Plan status", before=write))
        print(f"{'planbot fresh':<22}{1:>5}{fresh['p50']:>9.2f}{fresh['p99']:>9.1f}{fresh['max']:>9.1f}{'-':>8}{fresh['failures']:>8.0f}"
              "   (a write from another connection before each message)")
    finally:
        ours.stop()
        bare.stop()
        writer.dispose()
        engine.dispose()
    ours1, bare1 = results[("planbot plan-status", 1)], results[("bare SDK bot (ok)", 1)]
    adds = ours1["p50"] - core_p50
    print(
        f"adapter adds {adds:.2f} ms at 1 concurrent (p50 {ours1['p50']:.2f} - core {core_p50:.2f}); "
        f"bare bot p50 {bare1['p50']:.2f} ms: {adds / bare1['p50']:.2f}x (goal at most 1.5x)"
    )
    adds_fresh = fresh["p50"] - core_fresh
    print(
        f"after a write: adapter adds {adds_fresh:.2f} ms (p50 {fresh['p50']:.2f} - core {core_fresh:.2f}): "
        f"{adds_fresh / bare1['p50']:.2f}x the bare bot's p50"
    )
    at50 = results[("planbot plan-status", 50)]
    print(f"at 50 concurrent: {at50['failures']:.0f} failed, slowest {at50['max'] / 1000:.2f} s (goal: none failed, none past 15 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
