"""Start-up shared by every process: settings, a migrated database, a loaded plan."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from bot.config import Settings
from storage.db import is_write_refused, make_engine, read_scope, session_scope, startup_lock, upgrade
from storage.plan_loader import load_plan
from storage.planfile import BUNDLED_PLAN, plan_warnings, read_plan
from storage.queries import get_plan

logger = logging.getLogger(__name__)


def open_database(settings: Settings) -> Engine:
    """The engine, migrated to the newest schema (the database is created on first start)."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def ensure_plan(engine: Engine, settings: Settings) -> None:
    """Load PLAN_FILE at every start (reloading keeps updates), else the bundled plan once.

    A broken PLAN_FILE raises PlanFileError before anything is written.
    """
    doc = read_plan(settings.plan_file) if settings.plan_file is not None else None
    for warning in plan_warnings(doc) if doc is not None else []:
        logger.warning("PLAN_FILE %s: %s", settings.plan_file, warning)
    with read_scope(engine) as session:
        if doc is None and get_plan(session) is not None:
            return
    try:
        with startup_lock(engine), session_scope(engine) as session:
            if doc is not None:
                load_plan(session, doc, source=str(settings.plan_file))
            elif get_plan(session) is None:
                load_plan(session, read_plan(BUNDLED_PLAN), source="bundled")
                logger.info("loaded the bundled plan")
    except Exception as exc:
        if not is_write_refused(exc) or not _has_plan(engine):
            raise
        logger.warning("the database is read-only, so PLAN_FILE was not reloaded: showing the plan as last loaded")


def _has_plan(engine: Engine) -> bool:
    with read_scope(engine) as session:
        return get_plan(session) is not None


def start(settings: Settings) -> Engine:
    engine = open_database(settings)
    ensure_plan(engine, settings)
    return engine
