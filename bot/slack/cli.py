"""`planbot socket`: Slack in Socket Mode (no public URL needed). Imports nothing heavy
until it runs, so `planbot --help` stays fast."""

from __future__ import annotations

import argparse
import sys


def _socket(args: argparse.Namespace) -> int:
    import asyncio

    from bot.app import build_core
    from bot.bootstrap import start
    from bot.config import get_settings
    from bot.core.async_boundary import AsyncPlanbot
    from bot.slack.socket_mode import run_socket_mode
    from storage.planfile import PlanFileError

    settings = get_settings()
    if not settings.slack_configured:
        print("planbot socket: SLACK_BOT_TOKEN is not set (see the README's Slack section).", file=sys.stderr)
        return 2
    if settings.slack_app_token is None or not settings.slack_app_token.get_secret_value():
        print(
            "planbot socket: SLACK_APP_TOKEN is not set. Create an app-level token with connections:write "
            "on your app's Basic Information page (see the README).",
            file=sys.stderr,
        )
        return 2
    try:
        engine = start(settings)
    except PlanFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    core = AsyncPlanbot(build_core(settings, engine))
    print("planbot socket: connecting to Slack in Socket Mode", file=sys.stderr, flush=True)
    try:
        asyncio.run(run_socket_mode(settings, core))
    finally:
        core.close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    socket = sub.add_parser("socket", help="Slack in Socket Mode: no public URL needed (SLACK_APP_TOKEN)")
    socket.set_defaults(handler=_socket)
