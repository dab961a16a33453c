"""The `planbot` command (also `python -m bot`).

Each area registers its own subcommands with a `register(subparsers)` function
listed in REGISTRARS; this file only wires them together. Building the parser
imports no database, document or scheduler library: each handler imports what
it uses, so `planbot --help` starts at once and `planbot shell` loads only the shell.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from bot import cli_db, cli_plan, cli_serve, cli_teams
from bot import cli_returns as returns_cli
from bot.shell import cli as shell_cli
from bot.slack import cli as slack_cli
from bot import cli_schedules as schedules_cli
from bot import cli_audit, cli_person

REGISTRARS = [
    shell_cli.register,
    cli_plan.register,
    cli_db.register,
    returns_cli.register,
    schedules_cli.register,
    cli_serve.register,
    slack_cli.register,
    cli_person.register,
    cli_audit.register,
    cli_teams.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planbot", description="Run an improvement plan's quarterly cycle in chat.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in REGISTRARS:
        register(sub)
    return parser


def _database_problem(exc: Exception) -> str | None:
    """One line naming DATABASE_URL for a database failure the user can fix, else None."""
    from bot.config import get_settings
    from storage.database_url import explain

    try:
        url = get_settings().database_url
    except Exception:  # the settings themselves are wrong: that error is reported on its own
        return None
    return explain(exc, url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from pydantic import ValidationError  # the settings' errors; here, as --help needs no pydantic

    try:
        return int(args.handler(args) or 0)
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            print(f"planbot: setting {name}: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`planbot schedule | head`): stop quietly, as `yes | head` does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        problem = _database_problem(exc)
        if problem is None:
            raise
        print(f"planbot: {problem}", file=sys.stderr)
        return 1
