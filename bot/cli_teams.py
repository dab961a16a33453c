"""`planbot teams package -o planbot.zip`: the app package a Teams admin uploads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _package(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from bot.teams.package import MANIFEST_DIR, PackageError, build_package

    app_id = args.app_id or get_settings().teams_app_id
    if not app_id:
        print("planbot teams package: set TEAMS_APP_ID (the Azure Bot's Microsoft App ID) or pass --app-id", file=sys.stderr)
        return 2
    try:
        names = build_package(app_id, Path(args.output), Path(args.manifest_dir) if args.manifest_dir else MANIFEST_DIR)
    except PackageError as exc:
        print(f"planbot teams package: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output} ({', '.join(names)}) for app id {app_id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    teams = sub.add_parser("teams", help="Microsoft Teams: the app package")
    teams_sub = teams.add_subparsers(dest="teams_command", metavar="COMMAND")
    package = teams_sub.add_parser("package", help="build the Teams app package (manifest with the app id, icons)")
    package.add_argument("-o", "--output", required=True, help="the zip to write, e.g. planbot.zip")
    package.add_argument("--app-id", default=None, help="the app id (default TEAMS_APP_ID)")
    package.add_argument("--manifest-dir", default=None, help="the folder with manifest.json and icons (default the checkout's teams/)")
    package.set_defaults(handler=_package)
    teams.set_defaults(handler=lambda args: (teams.print_help(), 2)[1])
