"""`planbot serve`: the web process every configured chat platform's webhook runs in."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schedules.clock import OffsetClock

logger = logging.getLogger(__name__)

NOTHING_CONFIGURED = (
    "planbot serve: no chat platform is configured. For Slack set SLACK_BOT_TOKEN and "
    "SLACK_SIGNING_SECRET; for Teams set TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID "
    "(see the README). To chat in the terminal instead, run `planbot shell`."
)


LOOPBACK = "127.0.0.1"


def _is_loopback(host: str) -> bool:
    """Whether `host` is this machine only ("127.0.0.1", "::1", "localhost")."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import build_core, check_platform_settings, platform_mounts
    from bot.bootstrap import start
    from bot.config import get_settings
    from bot.core.async_boundary import AsyncPlanbot
    from bot.web import build_app
    from storage.planfile import PlanFileError

    settings = get_settings()
    if not (settings.slack_configured or settings.teams_configured):
        print(NOTHING_CONFIGURED, file=sys.stderr)
        return 2
    try:
        check_platform_settings(settings)
    except ValueError as exc:  # a platform's missing or contradictory secrets
        print(f"planbot serve: {exc}", file=sys.stderr)
        return 2
    try:
        engine = start(settings)
    except PlanFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    clock = _clock(args.at, settings.planbot_timezone)
    if isinstance(clock, str):
        print(clock, file=sys.stderr)
        return 2
    core = AsyncPlanbot(build_core(settings, engine, clock=clock))
    try:
        mounts = platform_mounts(settings, core)
    except ValueError as exc:  # a platform's missing or contradictory secrets
        core.close()
        print(f"planbot serve: {exc}", file=sys.stderr)
        return 2
    port = args.port if args.port is not None else settings.port
    host = args.host or (LOOPBACK if settings.planbot_teams_anonymous else "0.0.0.0")
    if settings.planbot_teams_anonymous and not _is_loopback(host):
        core.close()
        print(
            f"planbot serve: PLANBOT_TEAMS_ANONYMOUS=true accepts requests without a token, so it listens on "
            f"{LOOPBACK} only, not {host}: leave --host out, or give the real Teams credentials.",
            file=sys.stderr,
        )
        return 2
    app = build_app(core, mounts)
    names = " and ".join(name for name, _ in mounts)
    print(f"planbot serve: {names} on http://{host}:{port} (health: /healthz)", file=sys.stderr, flush=True)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0



def _clock(at: str | None, zone: str) -> OffsetClock | str | None:
    """`--at`: the bot's time starts at that instant and runs on (demos, tests); a message when unreadable."""
    if not at:
        return None
    import datetime as dt
    from zoneinfo import ZoneInfo

    from schedules.clock import OffsetClock

    try:
        start = dt.datetime.fromisoformat(at.strip())
    except ValueError:
        return f"planbot serve: --at '{at}' is not an ISO-8601 time; write it like 2019-12-16T09:30"
    return OffsetClock(start if start.tzinfo else start.replace(tzinfo=ZoneInfo(zone)))


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="the web process: Slack's and Teams' webhooks and /healthz, on $PORT")
    serve.add_argument("--port", type=_port, default=None, help="listen on this port (default $PORT, else 3000)")
    serve.add_argument(
        "--host", default=None, help="listen on this address (default 0.0.0.0; 127.0.0.1 only with PLANBOT_TEAMS_ANONYMOUS)"
    )
    serve.add_argument("--at", metavar="ISO-8601", help="run as if the time started at this instant (demos, tests)")
    serve.set_defaults(handler=_serve)


def _port(text: str) -> int:
    """A TCP port number, said plainly when it is not one (argparse then names --port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port: use 1 to 65535 (0 picks a free one)")
    return port
