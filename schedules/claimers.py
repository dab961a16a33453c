"""Which processes holding claims are alive: the reconcile takes over a dead one's
claims (orphans) and resolves them, instead of waiting out the claim lease.

A claimer beats in the ledger's `clockbeat` table while it works (real time, every
`BEAT_EVERY`); one silent for `ORPHAN_AFTER` is dead. On this host a claimer's
process id (`host:pid:nonce`, see `reconcile.clock_id`) is checked directly, so a
clock restarted after a crash takes its predecessor's claims over at once. A
process id equal to ours under another name is left to the beats: two reconcilers
can share a process (tests), and a container restart reuses small ids.
"""

from __future__ import annotations

import datetime as dt
import os
import socket

from sqlmodel import Session

from storage.sends import NOBODY, ORPHAN_AFTER, Claimers, beats, claimants


def read_claimers(session: Session, *, me: str, now: dt.datetime) -> Claimers:
    """The claimers of the claims held now, sorted into dead and beating (`now`: real time)."""
    held = [by for by in claimants(session) if by != me]
    if not held:
        return NOBODY
    last = beats(session)
    dead, beating = set(), set()
    for by in held:
        if died_here(by):
            dead.add(by)
        elif by in last:
            (beating if now - last[by] < ORPHAN_AFTER else dead).add(by)
    orphans_at = min((last[by] for by in beating), default=None)
    return Claimers(frozenset(dead), frozenset(beating), orphans_at + ORPHAN_AFTER if orphans_at else None)


def died_here(by: str) -> bool:
    """A claimer named `host:pid:nonce` on this host whose process is gone."""
    parts = by.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False
