"""The routing port: the clock's one chat port, which sends each message to the
platform where the person can be reached.

Per message it tries, in order, the person's addresses on the configured
platforms (the plan's preferred `chat:` platform first; see `bot.core.reach`),
then the terminal inbox. A platform's `RecipientGone` marks that address
unreachable (shown in /plan-schedule) and the next one is tried; any other
failure goes back to the reconcile, which retries it inside the grace window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.core.ports import ChatPort, PlatformAddress, Recipient, RecipientGone, SentMessage, SendFailed, send_in
from bot.core.reach import reach
from bot.core.replies import Reply
from storage.addresses import addresses_of, all_addresses, mark_reachable, mark_unreachable, preferred_platforms
from storage.db import read_scope, session_scope
from storage.models import Person, Plan, utcnow

logger = logging.getLogger(__name__)


class RoutingPort:
    """A `ChatPort` over a port per platform, with the terminal inbox as the fallback."""

    def __init__(
        self,
        engine: Engine,
        ports: Mapping[str, ChatPort],
        fallback: ChatPort,
        *,
        now: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.ports = dict(ports)
        self.fallback = fallback
        self.now = now
        self.platform = "+".join([*self.ports, fallback.platform])
        self._routed = threading.local()
        """Per sending thread: the routes `send_in` just read, for the `send` that follows it."""
        self._preferences: tuple[dt.datetime, dict[str, str]] | None = None
        self._held: dict[str, list[PlatformAddress]] | None = None
        """While `held_routes` is open: the routes read up front, by person."""

    @property
    def platforms(self) -> tuple[str, ...]:
        """The chat platforms it can send to (the inbox aside)."""
        return tuple(self.ports)

    @contextmanager
    def held_routes(self, people: Iterable[Person]) -> Iterator[None]:
        """For one reconcile: everyone's routes read up front in two statements, and kept
        until it ends, instead of read again for each send. A send that finds an address
        gone, or answers in a conversation the address did not know, drops that person's
        routes: they are read again for their next send."""
        people = list(people)
        with read_scope(self.engine) as session:
            addresses = all_addresses(session) if people and self.ports else {}
            preferred = self._preferred(session) if people and self.ports else {}
        held: dict[str, list[PlatformAddress]] = {}
        for person in people:
            found = reach(person, platforms=self.platforms, addresses=addresses.get(person.id, {}), preferred=preferred.get(person.id))
            held[person.id] = list(found.routes)
        self._held = held
        try:
            yield
        finally:
            self._held = None

    def routes(self, recipient: Recipient, session: Session | None = None) -> list[PlatformAddress]:
        """Where to try, in order; the terminal inbox is always last."""
        inbox = PlatformAddress(self.fallback.platform, recipient.person_id, channel=recipient.person_id)
        if not self.ports:
            return [inbox]
        held = self._held.get(recipient.person_id) if self._held is not None else None
        if held is not None:
            return [*held, inbox]
        if session is None:
            with read_scope(self.engine) as own:
                return self.routes(recipient, own)
        person = session.get(Person, recipient.person_id)
        if person is None:
            return [inbox]
        preferred = self._preferred(session).get(person.id)
        found = reach(
            person,
            platforms=self.platforms,
            addresses=addresses_of(session, person_id=person.id),
            preferred=preferred,
        )
        return [*found.routes, inbox]

    def send_in(self, session: Session, recipient: Recipient, reply: Reply) -> SentMessage | None:
        """When the terminal inbox is the only route, the message is written in the
        caller's transaction (see `bot.core.ports.send_in`); otherwise None, and the
        caller uses `send`, which tries each platform in turn. The routes are read in a
        session of their own: the caller's begins (and, on SQLite, locks) only to write."""
        routes = self.routes(recipient)
        if len(routes) > 1:
            self._routed.last = (recipient, routes)  # the caller's `send` comes next: it reads them once
            return None
        return send_in(self.fallback, session, dataclasses.replace(recipient, address=routes[0]), reply)

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        gone: list[str] = []
        last, self._routed.last = getattr(self._routed, "last", None), None
        routes = last[1] if last is not None and last[0] is recipient else self.routes(recipient)
        held = self._held
        for address in routes:
            port = self.ports.get(address.platform, self.fallback)
            try:
                sent = port.send(dataclasses.replace(recipient, address=address), reply)
            except RecipientGone as exc:
                if port is self.fallback:
                    raise
                logger.info("%s cannot be reached on %s (%s): trying the next", recipient.person_id, address.platform, exc)
                self._mark(recipient.person_id, address, str(exc))
                if held is not None:
                    held.pop(recipient.person_id, None)  # read again, with the mark, for their next send
                gone.append(f"{address.platform}: {exc}")
                continue
            if port is not self.fallback and held is not None and recipient.person_id in held:
                self._after_held(held, recipient.person_id, address, sent)
            elif port is not self.fallback:
                self._reachable(recipient.person_id, address.platform)
            elif gone:
                logger.warning("%s went to the terminal inbox (%s)", recipient.person_id, "; ".join(gone))
            return sent
        raise SendFailed("no route", retryable=False)  # unreachable: the inbox is always a route

    def send_to_place(
        self, platform: str, place: str, reply: Reply, key: str | None = None, unsure_since: dt.datetime | None = None
    ) -> SentMessage:
        """Post in a coordinators' channel on one platform (see `PlacePort`)."""
        port = self.ports.get(platform)
        if port is None:
            raise SendFailed(f"{platform.capitalize()} is not configured for this clock", retryable=False)
        post = getattr(port, "send_to_place", None)
        if post is None:
            raise SendFailed(f"the {platform} port cannot post to a channel", retryable=False)
        sent: SentMessage = post(place, reply, key=key, unsure_since=unsure_since)
        return sent

    def new_sweep(self) -> None:
        """A reconcile begins (see `SlackPort.new_sweep`)."""
        for port in self.ports.values():
            sweep = getattr(port, "new_sweep", None)
            if sweep is not None:
                sweep()

    def platforms_of(self, recipient: Recipient) -> set[str]:
        """The chat platforms the person can be reached on (a channel post there reaches them)."""
        return {a.platform for a in self.routes(recipient)} - {self.fallback.platform}

    def update(self, sent: SentMessage, reply: Reply) -> None:
        """Edits go back to the platform the message went to."""
        if sent.platform == self.fallback.platform:
            self.fallback.update(sent, reply)
            return
        port = self.ports.get(sent.platform)
        if port is None:
            raise SendFailed(f"{sent.platform} is not configured here, so its message cannot be updated", retryable=False)
        port.update(sent, reply)

    def _mark(self, person_id: str, address: PlatformAddress, reason: str) -> None:
        with session_scope(self.engine) as session:
            mark_unreachable(
                session,
                person_id=person_id,
                platform=address.platform,
                user_id=address.user_id,
                reason=reason,
                at=self.now(),
            )

    def _reachable(self, person_id: str, platform: str) -> None:
        with session_scope(self.engine) as session:
            mark_reachable(session, person_id=person_id, platform=platform)

    @staticmethod
    def _after_held(held: dict[str, list[PlatformAddress]], person_id: str, address: PlatformAddress, sent: SentMessage) -> None:
        """A held route was just used. It was read without an unreachable mark (`reach`
        leaves those out), so there is none to clear. If the platform answered with another
        conversation than the address knew, the port has stored it (a Slack DM channel, a
        Teams personal chat and its reference): the person's routes are read again for
        their next send, so it continues that conversation instead of starting another."""
        if sent.platform == address.platform and sent.channel != address.channel:
            held.pop(person_id, None)

    def _preferred(self, session: Session) -> dict[str, str]:
        """Each person's `chat:` from the plan document, read again only when the plan is reloaded."""
        loaded = session.exec(select(Plan.loaded_at)).first()
        if loaded is None:
            return {}
        if self._preferences is None or self._preferences[0] != loaded:
            plan = session.get(Plan, 1)
            self._preferences = (loaded, preferred_platforms(plan.document if plan else {}))
        return self._preferences[1]
