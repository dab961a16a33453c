"""The retention job: once a day the clock prunes what is kept only for
PLANBOT_RETENTION_DAYS (storage.retention says what), and the exported files in its
exports folder older than that (their age read from the file, in real time, whatever
clock the job runs on). Idempotent, like every job."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.clock import Clock
from storage.db import session_scope
from storage.retention import prune

logger = logging.getLogger(__name__)

EVERY = dt.timedelta(days=1)


class RetentionJob:
    def __init__(self, engine: Engine, clock: Clock, *, days: int, exports: Path | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.days = days
        self.exports = exports

    def cutoff(self) -> dt.datetime:
        return self.clock.now() - dt.timedelta(days=self.days)

    def run(self) -> dict[str, int]:
        """Delete what is older than the retention period, in one transaction."""
        with session_scope(self.engine) as session:
            counts = prune(session, before=self.cutoff())
        if self.exports is not None:
            counts["exports"] = prune_exports(self.exports, before=time.time() - self.days * 86400)
        if any(counts.values()):
            logger.info("retention (%d days): pruned %s", self.days, ", ".join(f"{n} {t}" for t, n in counts.items() if n))
        return counts


def prune_exports(folder: Path, *, before: float) -> int:
    """Delete the regular files directly in `folder` last written before `before` (a
    timestamp); links and folders are left alone. How many went."""
    gone = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0  # no folder yet: nothing exported
    for path in entries:
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_mtime >= before:
                continue
            path.unlink()
            gone += 1
        except OSError as exc:
            logger.warning("could not delete the old export %s: %s", path.name, exc)
    return gone
