"""The clock's fan-out through the Slack port: N prompts to N people against the fake
Slack set to Slack's limits for chat.postMessage (one a second per channel, and a
workspace-wide rate), with the port's pacer set to the same.

Printed: the time taken, the limits' minimum time for the same posts (the fake's
`rate_report`: its floor), their ratio, and how many posts Slack refused with 429.
Goal (issue 9): 2,000 prompts within 1.1x of the limits' minimum time, no 429.

    python bench/slack_fanout.py                       # 2,000 prompts, 6,000 a minute
    python bench/slack_fanout.py --prompts 500 --per-minute 1200
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.async_boundary import scratch_database  # noqa: E402
from bot.core.ports import PlatformAddress, Recipient  # noqa: E402
from bot.core.replies import Choice, Choices, Paragraph, Reply  # noqa: E402
from bot.slack.port import Pacer, SlackPort  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from tests.slack_fake import FakeSlack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("PLANBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--per-minute", type=float, default=6000.0, help="the workspace-wide rate (default 6,000 a minute)")
    args = parser.parse_args()

    with FakeSlack(post_interval_per_channel=1.0, workspace_rate_per_minute=args.per_minute) as fake, scratch_database(args.database_url) as url:
        engine = make_engine(url)
        upgrade(engine)
        users = [f"UFAN{n:05d}" for n in range(args.prompts)]
        for user in users:
            fake.add_user(user, email=f"{user.lower()}@example.org")
        port = SlackPort(engine, token=fake.bot_token, base_url=fake.url, pacer=Pacer(per_channel=1.0, per_minute=args.per_minute))
        reply = Reply(
            [Paragraph("Item 5: Partnership health and shared ownership, update for Q3 2019-20"), Choices("", [Choice("update 5", "Write the update")], "checkin:start")],
            key="prompt:5:2019-Q3",
        )
        started = time.perf_counter()
        for n, user in enumerate(users):
            port.send(Recipient(f"p{n}", f"Person {n}", address=PlatformAddress("slack", user)), reply)
        elapsed = time.perf_counter() - started
        report = fake.rate_report("chat.postMessage")
        engine.dispose()
    floor = float(report.get("floor") or 0.0)
    print(f"{args.prompts} prompts, limits: 1 a second per channel, {args.per_minute:g} a minute across the workspace")
    print(f"took {elapsed:.1f} s; the limits' minimum {floor:.1f} s; ratio {elapsed / floor if floor else float('nan'):.3f}")
    print(f"accepted {report.get('accepted')}, refused with 429: {report.get('rate_limited')}")
    if fake.problems:
        print("fake Slack problems:", *fake.problems[:5], sep="\n  ")


if __name__ == "__main__":
    main()
