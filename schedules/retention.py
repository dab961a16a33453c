"""The retention job: once a day the clock prunes what is kept only for
PLANBOT_RETENTION_DAYS (storage.retention says what). Idempotent, like every job."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.engine import Engine

from bot.core.clock import Clock
from storage.db import session_scope
from storage.retention import prune

logger = logging.getLogger(__name__)

EVERY = dt.timedelta(days=1)


class RetentionJob:
    def __init__(self, engine: Engine, clock: Clock, *, days: int) -> None:
        self.engine = engine
        self.clock = clock
        self.days = days

    def cutoff(self) -> dt.datetime:
        return self.clock.now() - dt.timedelta(days=self.days)

    def run(self) -> dict[str, int]:
        """Delete what is older than the retention period, in one transaction."""
        with session_scope(self.engine) as session:
            counts = prune(session, before=self.cutoff())
        if any(counts.values()):
            logger.info("retention (%d days): pruned %s", self.days, ", ".join(f"{n} {t}" for t, n in counts.items() if n))
        return counts
