"""/plan-status over Slack's HTTP interface, timed until the answer is in the coordinator's
hands, beside two bare slack-bolt apps whose handler only acknowledges.

Three web processes, each on loopback, each sent the same signed slash commands:

  planbot        `planbot serve` on PostgreSQL with the bundled plan: the real answer,
                 in the acknowledgement's body
  bolt-default   a bare AsyncApp (bolt's defaults) whose /plan-status handler only acks
  bolt-pbr       the same with process_before_response=True: the floor of bolt over aiohttp

At 1, 10 and 50 concurrent requests: latency p50 and p99 (request sent to answer
received) and requests a second. The Web API is the fake Slack (tests/slack_fake), in
this process. Then the planbot process's peak memory (VmHWM) serving that, and
apart from it, the peak after one `/plan-status export`.

Every answer is built anew (nothing is kept between questions), and before every timed
question a lead (Alex) sends `/plan-flag`, a write, answered before the question goes:
real traffic has writes between questions. The bare apps get the same flags.

Goals (issue 22): p50 within 3 ms of bolt-pbr at 1 concurrent; at 10 concurrent at least
half of bolt-pbr's requests/s; the planbot process under 150 MB serving /plan-status.

    python bench/slack_status.py
    python bench/slack_status.py --database-url postgresql://postgres@127.0.0.1:5432/test --requests 400
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.async_boundary import scratch_database  # noqa: E402
from tests.slack_fake import FakeSlack, new_trigger_id, signed_headers, slash_command_body  # noqa: E402

SECRET = "bench-signing-secret"
TEAM = "T0PLAN"
LEVELS = (1, 10, 50)
NUMBERS = itertools.count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bare_bolt(port: int, api_url: str, token: str, pbr: bool) -> None:
    """A bare bolt app: its /plan-status handler only acknowledges."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(client=AsyncWebClient(token=token, base_url=api_url), signing_secret=SECRET, process_before_response=pbr)

    @app.command("/plan-status")
    async def status(ack):  # type: ignore[no-untyped-def]
        await ack()

    @app.command("/plan-flag")
    async def flag(ack):  # type: ignore[no-untyped-def]
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web.run_app(web_app, host="127.0.0.1", port=port, print=None, access_log=None)


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit(f"{url}: the process stopped: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                async with http.post(url, data=b"") as answer:
                    if answer.status in (401, 404, 200):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def request(fake: FakeSlack, n: int, *, command: str = "/plan-status", text: str = "", user_id: str = "UROBIN") -> tuple[bytes, dict[str, str]]:
    body = slash_command_body(
        command,
        text,
        user_id=user_id,
        team_id=TEAM,
        channel_id="C0GENERAL",
        channel_name="general",
        response_url=fake.response_url(f"bench{n}"),
        trigger_id=new_trigger_id(),
    )
    return body, signed_headers(SECRET, body)


async def load(
    url: str, fake: FakeSlack, concurrency: int, total: int, *, expect: str | None, flag_first: bool = True
) -> tuple[list[float], float]:
    """`total` questions from `concurrency` clients; with `flag_first`, a lead's `/plan-flag`
    (a write) is sent and answered just before each timed question, as real traffic has
    writes between questions."""
    latencies: list[float] = []
    late = [0]
    queue = [next(NUMBERS) for _ in range(total)]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            while queue:
                n = queue.pop()
                body, headers = request(fake, n)
                if flag_first:
                    flag, flag_headers = request(fake, -n, command="/plan-flag", text=f"Funding letter {n} is late", user_id="UALEX")
                    async with http.post(url, data=flag, headers=flag_headers) as flagged:
                        await flagged.read()
                started = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as answer:
                    text = await answer.text()
                slow = expect is not None and "Working on it" in text
                if slow:  # answered later, through the response_url
                    posted = await fake.await_until(lambda: fake.responses(f"bench{n}"), timeout=30)
                    text = str(posted)
                latencies.append(time.perf_counter() - started)
                late[0] += slow
                if answer.status != 200 or (expect is not None and expect not in text):
                    raise SystemExit(f"{url}: unexpected answer {answer.status}: {text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if late[0]:
        print(f"  ({late[0]} of {total} answered through the response_url after a quick acknowledgement)")
    return latencies, total / elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def main_async(args: argparse.Namespace) -> None:
    from storage.db import make_engine, session_scope, upgrade
    from storage.models import Person
    from storage.plan_loader import load_plan
    from storage.planfile import BUNDLED_PLAN, read_plan

    with FakeSlack() as fake, scratch_database(args.database_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        with session_scope(engine) as session:
            load_plan(session, read_plan(BUNDLED_PLAN), source=str(BUNDLED_PLAN))
            robin = session.get(Person, "robin")
            assert robin is not None
            robin.slack = "UROBIN"
            session.add(robin)
            alex = session.get(Person, "alex")
            assert alex is not None
            alex.slack = "UALEX"
            session.add(alex)
        engine.dispose()
        fake.add_user("UROBIN", email="robin.fictional@example.org")
        fake.add_user("UALEX", email="alex.example@example.org")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLAN_FILE"))}
        env.update(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=fake.url,
            PYTHONPATH=str(ROOT),
            PLANBOT_EXPORTS_DIR=str(Path(args.exports)),
        )
        ports = {name: free_port() for name in ("planbot", "bolt-default", "bolt-pbr")}
        processes = {
            "planbot": spawn(["-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(ports["planbot"]), "--at", "2019-11-20T10:00"], env),
            "bolt-default": spawn([__file__, "--bare", "default", "--port", str(ports["bolt-default"]), "--api-url", fake.url], env),
            "bolt-pbr": spawn([__file__, "--bare", "pbr", "--port", str(ports["bolt-pbr"]), "--api-url", fake.url], env),
        }
        try:
            urls = {name: f"http://127.0.0.1:{port}/slack/events" for name, port in ports.items()}
            for name, url_ in urls.items():
                await wait_up(url_, processes[name])
            for name, url_ in urls.items():  # warm up: imports, auth.test, connections
                await load(url_, fake, 5, 50, expect="Plan status" if name == "planbot" else None)
            print(f"/plan-status over HTTP, {args.requests} requests per level, PostgreSQL, bundled plan; "
                  "a lead's /plan-flag (a write) just before each timed question")
            print(f"{'app':14} {'concurrent':>10} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
            results: dict[tuple[str, int], tuple[float, float, float]] = {}
            for level in LEVELS:
                for name, url_ in urls.items():
                    latencies, rate = await load(url_, fake, level, args.requests, expect="Plan status" if name == "planbot" else None)
                    results[(name, level)] = (pct(latencies, 0.5) * 1000, pct(latencies, 0.99) * 1000, rate)
                    p50, p99, rps = results[(name, level)]
                    print(f"{name:14} {level:>10} {p50:>8.1f} {p99:>8.1f} {rps:>8.0f}")
            rss, hwm = peak_mb(processes["planbot"].pid)
            print(f"planbot serve memory after the status runs: {rss:.0f} MB resident, peak {hwm:.0f} MB")
            body, headers = request(fake, 10**6)
            body = body.replace(b"text=&", b"text=export+2019-Q3&")
            async with aiohttp.ClientSession() as http:
                async with http.post(urls["planbot"], data=body, headers=signed_headers(SECRET, body)) as answer:
                    await answer.read()
            await fake.await_until(lambda: fake.uploads, timeout=60)
            rss, hwm = peak_mb(processes["planbot"].pid)
            print(f"after one /plan-status export (reported apart): {rss:.0f} MB resident, peak {hwm:.0f} MB")
            one = results[("planbot", 1)][0], results[("bolt-pbr", 1)][0]
            ten = results[("planbot", 10)][2], results[("bolt-pbr", 10)][2]
            print(
                f"goals (issue 22): at 1 concurrent planbot p50 {one[0]:.1f} ms vs bolt-pbr {one[1]:.1f} ms "
                f"(within 3 ms: {one[0] - one[1] <= 3}); at 10 concurrent {ten[0]:.0f} req/s vs bolt-pbr {ten[1]:.0f} "
                f"(at least half: {ten[0] * 2 >= ten[1]})"
            )
            if fake.problems:
                print("fake Slack problems:", *fake.problems[:5], sep="\n  ")
        finally:
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--requests", type=int, default=300, help="requests per app and level (default 300)")
    parser.add_argument("--exports", default="/tmp/planbot-bench-exports")
    parser.add_argument("--bare", choices=["default", "pbr"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_bolt(args.port, args.api_url, "xoxb-test", args.bare == "pbr")
        return
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
