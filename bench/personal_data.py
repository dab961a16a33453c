"""How long a subject-access export and an erasure take on a database with history.

The bundled plan plus two leads (tests.people_data: rows in every table that names
people), then bulk history: 10,000 update versions by other leads (one in ten
mentioning the erased lead by name), 5,000 terminal inbox messages and 5,000
ledger rows. Erasure reads every text and JSON column of every table to redact
mentions, so its time grows with the whole database, not with one person's rows.

    .venv/bin/python bench/personal_data.py
    .venv/bin/python bench/personal_data.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.erasure import erase_person  # noqa: E402
from storage.models import InboxMessage, Send, Update  # noqa: E402
from storage.subject_access import export_person  # noqa: E402
from tests.people_data import WHEN, WREN, build, load, plan_yaml  # noqa: E402

UPDATES, INBOX, LEDGER = 10_000, 5_000, 5_000


def history(engine: sa.engine.Engine) -> None:
    periods = ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"]
    items = [1, 2, 3, 4, 5]
    authors = ["alex", "bea", "cal", "dee"]
    rows = []
    for n in range(UPDATES):
        item, period = items[n % len(items)], periods[(n // len(items)) % len(periods)]
        version = 1000 + n // (len(items) * len(periods))
        summary = f"Update {n}: " + (f"met {WREN.name} about the LIS" if n % 10 == 0 else "steady progress on KPIs")
        rows.append(dict(item_number=item, period_key=period, version=version, is_latest=False, rag="on_track",
                         summary=summary, blockers="", author_id=authors[n % 4], on_behalf_of_id=None,
                         created_at=WHEN, source="bench"))
    inbox = [dict(person_id=authors[n % 4], reply={"text": f"Reminder {n} about item {n % 7 + 1}"}, created_at=WHEN, read_at=None)
             for n in range(INBOX)]
    ledger = [dict(key=f"bench|{authors[n % 4]}|-|{n}", kind="bench", person_id=authors[n % 4], item_number=None,
                   occurrence=str(n), due=WHEN, status="sent", attempts=1, claimed_by="bench", claimed_at=WHEN,
                   last_error="", platform="shell", channel=authors[n % 4], message_id=str(n))
              for n in range(LEDGER)]
    with engine.begin() as conn:
        conn.execute(sa.insert(Update), rows)
        conn.execute(sa.insert(InboxMessage), inbox)
        conn.execute(sa.insert(Send), ledger)


def run(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    build(engine)
    history(engine)
    load(engine, plan_yaml(with_wren=False))
    started = time.perf_counter()
    with session_scope(engine) as session:
        data = export_person(session, person_id=WREN.id, at=WHEN)
    exported = time.perf_counter() - started
    rows = sum(len(s["rows"]) for s in data["sections"])
    started = time.perf_counter()
    with session_scope(engine) as session:
        report = erase_person(session, person_id=WREN.id, at=WHEN)
    erased = time.perf_counter() - started
    engine.dispose()
    print(f"{make_url(url).get_backend_name()}: export {exported * 1000:.0f} ms ({rows} rows about the person); "
          f"erase {erased * 1000:.0f} ms (redacted {sum(report.redacted.values())} rows in a database of "
          f"{UPDATES} updates, {INBOX} inbox messages, {LEDGER} ledger rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL server to make a scratch database on (default: a SQLite file)")
    args = parser.parse_args()
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db")
        return
    admin = make_engine(args.database_url)
    name = f"planbot_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    try:
        run(make_url(admin.url).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


if __name__ == "__main__":
    main()
