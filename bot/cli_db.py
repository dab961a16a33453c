"""`planbot db upgrade`: apply migrations (the Procfile's release step)."""

from __future__ import annotations

import argparse


def _upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy import text

    from bot.bootstrap import open_database
    from bot.config import get_settings

    settings = get_settings()
    engine = open_database(settings)
    with engine.connect() as conn:
        revision = conn.execute(text("select version_num from alembic_version")).scalar()
    url = engine.url.render_as_string(hide_password=True)
    print(f"Database {url} is at schema revision {revision}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db.set_defaults(handler=lambda args: db.print_help() or 2)
    db_sub.add_parser("upgrade", help="apply schema migrations (safe to repeat)").set_defaults(handler=_upgrade)
