"""Slack's sending port: how the clock (and the web process's edits) reach people.

It posts to the person's user id, which Slack turns into the bot's DM with them,
and stores the DM channel Slack answers with (`conversations.open` is limited to
about 50 a minute, so it is never called per send). A deactivated user is skipped:
Slack still "succeeds" posting to them, so `users.info` is asked first (once an hour
per user) and `RecipientGone` makes the router mark the address, which
/plan-schedule shows coordinators.

Failures, as the port contract says: a 429 waits out a short `Retry-After` here
and retries, or raises `SendFailed(retry_after=...)` for the reconcile to honour;
Slack's "this person or channel is gone" errors raise `RecipientGone`; an error code
not known to be passing fails the send with the code (never retried).

Exactly once: every scheduled message carries its ledger key in Slack's message
metadata. A post whose outcome is unknown (a timeout or a lost connection once the
request was out, a 5xx, Slack's `internal_error`), or one a dead clock had claimed,
is looked for in the conversation's history (`conversations.history` with
`include_all_metadata`) before it is posted again: found, it counts as sent; not
found, it is posted. A look-up is made at most once per conversation per reconcile
(`new_sweep`) and at most `LOOKUPS_PER_MINUTE` a minute (the method is Tier 3); one
that cannot be made raises `OutcomeUnknown`: reported, never doubled.

Pacing: `chat.postMessage` takes about one message a second per channel, and a
workspace has an overall budget; the pacer waits only as long as the next post
needs (the time since that channel's last post, the workspace's token bucket),
so a fan-out to many people never idles.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
import urllib.error
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine

from bot.core import identity
from bot.core.ports import OutcomeUnknown, Recipient, RecipientGone, SendFailed, SentMessage
from bot.core.replies import Reply
from bot.slack.blocks import messages
from storage.db import is_write_refused, session_scope
from storage.models import utcnow

logger = logging.getLogger(__name__)

PLATFORM = "slack"
GONE = {
    "user_not_found",
    "users_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "not_in_channel",
    "user_is_restricted",
    "messages_tab_disabled",
}
"""Slack errors that mean this address will not work again: the person is gone."""
FATAL = {"not_authed", "invalid_auth", "token_revoked", "token_expired", "account_inactive_bot", "missing_scope", "no_permission"}
"""Errors no retry can fix: the app's token or scopes need an admin."""
PASSING = {"ratelimited", "service_unavailable"}
"""Error codes that say Slack did nothing and will take the call later: retried."""
UNSURE = {"internal_error", "fatal_error", "request_timeout"}
"""Error codes after which the call may have taken effect (Slack says so of fatal_error)."""
SEND_EVENT = "planbot_send"
"""The metadata event type of a scheduled message; its payload is {"key": ledger key, "part": n}."""
LOOKUPS_PER_MINUTE = 40
"""conversations.history is Tier 3 (50+ a minute, short bursts allowed): look-ups stay under it."""
LOOKUP_BURST = 10
"""Look-ups made at once before the per-minute pace applies (a restarted clock's orphans)."""
LOOKUP_WAIT = 10.0
"""Seconds a look-up may wait for the cap; longer, the send is reported unknown."""
LOOKUP_PAGES = 10
"""Pages of 200 messages a look-up reads at most (2,000 messages since the claim)."""
SINCE_MARGIN = 300.0
"""Seconds before the claim a look-up starts from (clocks disagree)."""
MAX_INLINE_WAIT = 5.0
"""A 429's Retry-After up to this is waited out in the port; longer goes back to the reconcile."""
ATTEMPTS = 4
LOOKUPS_AT_START = 40
"""users.lookupByEmail allows about 50 calls a minute: a process start never waits on more."""
ACTIVE_FOR = 3600.0
"""Seconds a user's active-or-deactivated answer from users.info is trusted."""


class Pacer:
    """At most one post per `per_channel` seconds to a channel, and `per_minute` across the
    workspace (posts spaced 60/per_minute seconds apart); waits only as needed.

    Thread-safe, and a thread waiting for its channel holds nothing up: it takes a
    workspace slot only once its channel is free, so the clock's other senders post to
    other channels meanwhile (a slot booked ahead for a busy channel would make every
    other channel wait behind it)."""

    def __init__(
        self,
        *,
        per_channel: float = 1.0,
        per_minute: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_channel = per_channel
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock = clock
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._next_slot = 0.0
        self._held_until = 0.0
        self._sent_next = 0.0
        """The earliest the next post may actually go (see `_spaced`)."""
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        while True:
            with self._lock:
                now = self.clock()
                free = max(self._last.get(channel, -1e9) + self.per_channel, self._held_until)
                if free <= now:
                    at = max(now, self._next_slot)
                    self._last[channel] = at
                    if self.interval:
                        self._next_slot = at + self.interval
                    break
            self.sleep(free - now)
        if at > now:
            self.sleep(at - now)
            with self._lock:
                held = self._held_until > self.clock()
            if held:  # a 429 came while this post waited for its slot: wait that out too
                self.wait(channel)
                return
        if self.interval:
            self._spaced()

    def _spaced(self) -> None:
        """Keep the posts that actually go out `interval` apart. A thread that wakes late
        for its slot (the others held the interpreter) posts late, and Slack counts the
        workspace's budget from when posts arrive: the post booked next, woken on time,
        would come too soon after it. So each post also waits for the one before it."""
        while True:
            with self._lock:
                now = self.clock()
                if now >= self._sent_next:
                    self._sent_next = now + self.interval
                    return
                wait = self._sent_next - now
            self.sleep(wait)

    def hold(self, seconds: float) -> None:
        """Slack answered a post with 429 and Retry-After: every other sender waits it out
        too (the workspace's limit was hit, not one thread's), including those already
        waiting for a slot, and the one retrying after `seconds` keeps the first slot.
        Without a workspace budget there is nothing to hold."""
        if not self.interval:
            return
        with self._lock:
            self._held_until = max(self._held_until, self.clock() + seconds)
            self._next_slot = max(self._next_slot, self._held_until + self.interval)
            self._sent_next = max(self._sent_next, self._held_until + self.interval)


class Lookups:
    """History read for look-ups: `burst` reads at once, then `per_minute` (a generic cell
    rate: each read moves a theoretical time on by one interval), and one read per
    conversation per sweep (a read made after the outcome in question serves other keys)."""

    def __init__(
        self, per_minute: float = LOOKUPS_PER_MINUTE, *, burst: int = LOOKUP_BURST, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = 60.0 / per_minute
        self.tolerance = max(0, burst - 1) * self.interval
        self.clock = clock
        self._due = 0.0
        self._read: dict[str, tuple[float, float, dict[str, dict[int, str]]]] = {}
        self._lock = threading.Lock()

    def new_sweep(self) -> None:
        with self._lock:
            self._read.clear()

    def kept(self, channel: str, *, since: float, after: float) -> dict[str, dict[int, str]] | None:
        """The keys found in `channel` by a read made after `after` (wall time) from before `since`."""
        with self._lock:
            read = self._read.get(channel)
        if read is None or read[0] < after or read[1] > since:
            return None
        return read[2]

    def keep(self, channel: str, *, read_at: float, since: float, found: dict[str, dict[int, str]]) -> None:
        with self._lock:
            self._read[channel] = (read_at, since, found)

    def slot(self, wait: Callable[[float], None]) -> bool:
        """Take a read from the budget, waiting up to LOOKUP_WAIT; False when none is free in time."""
        with self._lock:
            now = self.clock()
            start = max(self._due, now)
            at = max(now, start - self.tolerance)
            if at - now > LOOKUP_WAIT:
                return False
            self._due = start + self.interval
        if at > now:
            wait(at - now)
        return True


class SlackPort:
    """The `ChatPort` for Slack, on slack_sdk's synchronous WebClient (the clock is synchronous)."""

    platform = PLATFORM

    def __init__(
        self,
        engine: Engine,
        *,
        token: str,
        base_url: str = "https://slack.com/api/",
        pacer: Pacer | None = None,
        timeout: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        backoff: float = 0.5,
        lookups_per_minute: float = LOOKUPS_PER_MINUTE,
    ) -> None:
        from bot.slack.transport import KeepAliveWebClient

        self.engine = engine
        self.client = KeepAliveWebClient(token=token, base_url=_with_slash(base_url), timeout=timeout, retry_handlers=[])
        self.pacer = pacer or Pacer()
        self.sleep = sleep
        self.backoff = backoff
        self.lookups = Lookups(lookups_per_minute)
        self._active: dict[str, tuple[bool, float]] = {}
        self._dms: dict[str, str] = {}

    def new_sweep(self) -> None:
        """A reconcile begins: history read before now is not trusted for its look-ups."""
        self.lookups.new_sweep()

    def send(self, recipient: Recipient, reply: Reply) -> SentMessage:
        address = recipient.address
        user_id = address.user_id if address is not None else recipient.slack
        if not user_id:
            raise RecipientGone(f"{recipient.name} has no Slack id")
        if not self._is_active(user_id):
            raise RecipientGone("deactivated in Slack")
        if address is not None and (address.channel or "").startswith("D"):
            self._dms.setdefault(user_id, str(address.channel))
        first = self._post_all(user_id, reply, recipient.send_key, recipient.unsure_since, pace=user_id)
        channel, ts = str(first.get("channel") or user_id), str(first.get("ts") or "")
        if address is None or address.channel != channel:
            self._note_channel(recipient, user_id, channel, address.team_id if address is not None else None)
        return SentMessage(PLATFORM, channel, ts)

    def send_to_place(self, place: str, reply: Reply, key: str | None = None, unsure_since: dt.datetime | None = None) -> SentMessage:
        """Post in a channel by its id (the coordinators' channel): no DM, no users.info.
        The bot must be a member; `not_in_channel` or `channel_not_found` raise `RecipientGone`.
        `unsure_since`: a dead clock claimed this post then; it is looked for first."""
        first = self._post_all(place, reply, key, unsure_since, pace=place)
        return SentMessage(PLATFORM, str(first.get("channel") or place), str(first.get("ts") or ""))

    def _post_all(
        self, channel: str, reply: Reply, key: str | None, unsure_since: dt.datetime | None, *, pace: str
    ) -> dict[str, Any]:
        """Post each message of the reply, each marked with the key; parts a dead claimer
        already posted (found by a look-up) are not posted again. The first's answer."""
        bodies = [message.body() for message in messages(reply)]
        posted: dict[int, str] = {}
        if key is not None:
            for part, body in enumerate(bodies):
                body["metadata"] = {"event_type": SEND_EVENT, "event_payload": {"key": key, "part": part}}
            if unsure_since is not None:
                posted = self._find(channel, key, since=unsure_since.timestamp() - SINCE_MARGIN, after=0.0)
        first: dict[str, Any] | None = None
        for part, body in enumerate(bodies):
            if part in posted:
                answer: dict[str, Any] = {"channel": self._history_channel(channel), "ts": posted[part]}
            else:
                self.pacer.wait(pace)  # the bot's DM with this user, whatever its channel id
                answer = self._post(channel, body, key, part)
            first = first or answer
        assert first is not None
        return first

    def _post(self, channel: str, body: dict[str, Any], key: str | None, part: int) -> dict[str, Any]:
        """chat.postMessage; a keyed post whose outcome is unknown is looked for before it is tried again."""
        if key is None:
            return self._call("chat.postMessage", channel=channel, **body)
        began = time.time()

        def look() -> dict[str, Any] | None:
            found = self._find(channel, key, since=began - SINCE_MARGIN, after=time.time())
            return {"channel": self._history_channel(channel), "ts": found[part]} if part in found else None

        return self._call("chat.postMessage", unsure=look, channel=channel, **body)

    def _history_channel(self, channel: str) -> str:
        """The conversation id whose history holds posts to `channel` (a user id posts to the DM)."""
        if channel[:1] not in ("U", "W"):
            return channel
        known = self._dms.get(channel)
        if known is None:
            opened = self._call("conversations.open", users=channel)  # opening a DM notifies nobody
            known = str((opened.get("channel") or {}).get("id") or "")
            if not known:
                raise OutcomeUnknown("Slack gave no DM channel to look in")
            self._dms[channel] = known
        return known

    def _find(self, channel: str, key: str, *, since: float, after: float) -> dict[int, str]:
        """The parts of `key` already in the conversation (part: ts), read after `after` (wall time).
        Raises `OutcomeUnknown` when Slack cannot be asked (a failure, the look-up budget)."""
        try:
            where = self._history_channel(channel)
            kept = self.lookups.kept(where, since=since, after=after)
            if kept is not None:
                return kept.get(key, {})
            if not self.lookups.slot(self.sleep):
                raise OutcomeUnknown("too many look-ups this minute to check whether it arrived")
            read_at = time.time()
            found = self._read_history(where, since)
        except OutcomeUnknown:
            raise
        except SendFailed as exc:
            raise OutcomeUnknown(f"could not check whether it arrived: {exc}") from None
        self.lookups.keep(where, read_at=read_at, since=since, found=found)
        return found.get(key, {})

    def _read_history(self, channel: str, since: float) -> dict[str, dict[int, str]]:
        """Every scheduled message in the conversation since `since`: key -> part -> ts."""
        found: dict[str, dict[int, str]] = {}
        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = self._call(
                "conversations.history", channel=channel, oldest=f"{since:.6f}", include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == SEND_EVENT and isinstance(payload.get("key"), str):
                    found.setdefault(payload["key"], {})[int(payload.get("part") or 0)] = str(message.get("ts") or "")
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                return found
        raise OutcomeUnknown(f"more than {LOOKUP_PAGES * 200} messages to search since the claim")

    def prepare(self, *, limit: int = LOOKUPS_AT_START) -> int:
        """Learn the Slack ids of plan people known only by email (`users.lookupByEmail`), so the
        clock can reach them before they ever write to the bot; once per process, and again
        for anyone still unmatched next time. Returns how many were linked; never raises."""
        from sqlmodel import col, select

        from storage.addresses import addresses_of
        from storage.models import Person

        with session_scope(self.engine) as session:
            wanted = [
                (p.id, p.email)
                for p in session.exec(select(Person).where(col(Person.in_plan), col(Person.active)))
                if p.email and not p.slack and PLATFORM not in addresses_of(session, person_id=p.id)
            ]
        if len(wanted) > limit:
            logger.warning(
                "%d plan people are known to Slack only by email; looking up %d now, the rest at the next start "
                "or when they write to the bot (or give their slack: id in the plan)",
                len(wanted),
                limit,
            )
        linked = 0
        for person_id, email in wanted[:limit]:
            try:
                answer = self._call("users.lookupByEmail", email=email)
            except RecipientGone:
                continue  # not in this workspace (users_not_found)
            except SendFailed as exc:
                logger.warning("looking up plan people in Slack stopped: %s", exc)
                break
            user = answer.get("user") or {}
            if not user.get("id") or user.get("deleted") or user.get("is_bot"):
                continue
            try:
                with session_scope(self.engine) as session:
                    found = identity.link_by_email(
                        session, platform=PLATFORM, user_id=str(user["id"]), email=email, team_id=user.get("team_id"), at=utcnow()
                    )
            except Exception as exc:
                if not is_write_refused(exc):
                    raise
                logger.warning("the database is read-only: Slack ids learned from emails were not recorded")
                break
            if found is not None and found.id == person_id:
                linked += 1
        return linked

    def update(self, sent: SentMessage, reply: Reply) -> None:
        """Edit the first message of what was sent (a prompt fits in one)."""
        message = messages(reply)[0]
        self._call("chat.update", channel=sent.channel, ts=sent.message_id, text=message.text, blocks=message.blocks)

    def _is_active(self, user_id: str) -> bool:
        """Asked once an hour per user: the clock process runs for weeks, and people leave."""
        known = self._active.get(user_id)
        if known is None or known[1] < time.monotonic():
            info = self._call("users.info", user=user_id)
            user = info.get("user") or {}
            known = (not user.get("deleted", False), time.monotonic() + ACTIVE_FOR)
            self._active[user_id] = known
        return known[0]

    def _note_channel(self, recipient: Recipient, user_id: str, channel: str, team_id: str | None) -> None:
        """The DM channel Slack answered with, stored so the next send paces by it and commands know it."""
        try:
            with session_scope(self.engine) as session:
                identity.note_direct_channel(
                    session,
                    person_id=recipient.person_id,
                    platform=PLATFORM,
                    user_id=user_id,
                    channel=channel,
                    team_id=team_id,
                    at=utcnow(),
                    named_in_plan=recipient.slack == user_id,
                )
        except Exception:
            logger.exception("could not store the DM channel of %s", user_id)

    def _call(self, method: str, *, unsure: Callable[[], dict[str, Any] | None] | None = None, **params: Any) -> dict[str, Any]:
        """One Web API call with the retries the contract asks for; returns the response's data.

        `unsure` (a post): after a failure that may have taken effect, it looks for the
        result (returned when found) before the call is tried again; without it, such a
        call is retried as is (reads and edits are safe to repeat)."""
        from slack_sdk.errors import SlackApiError

        for attempt in range(1, ATTEMPTS + 1):
            maybe_done = False
            try:
                response = getattr(self.client, method.replace(".", "_"))(**params)
                return dict(response.data) if isinstance(response.data, dict) else {}
            except SlackApiError as exc:
                status = exc.response.status_code
                error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
                if status == 429:
                    wait = _retry_after(exc.response.headers)
                    if method == "chat.postMessage":
                        self.pacer.hold(wait)
                    if wait <= MAX_INLINE_WAIT and attempt < ATTEMPTS:
                        logger.info("%s: Slack asked to wait %.1f s", method, wait)
                        self.sleep(wait)
                        continue
                    raise SendFailed(f"Slack is rate limiting {method}", retryable=True, retry_after=wait) from None
                if error in GONE:
                    raise RecipientGone(f"Slack says {error}") from None
                if error in FATAL:
                    raise SendFailed(f"Slack refused {method}: {error} (check the bot token and its scopes)", retryable=False) from None
                if status < 500 and error not in PASSING | UNSURE:
                    raise SendFailed(f"Slack refused {method}: {error or status}", retryable=False) from None
                maybe_done = status >= 500 or error in UNSURE
                reason = f"Slack answered {status}{f' {error}' if error else ''} to {method}"
            except (TimeoutError, socket.timeout, urllib.error.URLError, ConnectionError) as exc:
                maybe_done = not _refused(exc)
                reason = f"Slack did not answer {method}: {exc.__class__.__name__}"
            if maybe_done and unsure is not None:
                self.sleep(self.backoff * 2 ** (attempt - 1))  # give a slow post time to land before looking
                found = unsure()
                if found is not None:
                    logger.info("%s: found the post made before the failure (%s), not posting again", method, reason)
                    return found
            elif attempt < ATTEMPTS:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            if attempt == ATTEMPTS:
                raise SendFailed(f"{reason} ({ATTEMPTS} tries)", retryable=True)
        raise SendFailed(f"Slack did not take {method}", retryable=True)


def _refused(exc: BaseException) -> bool:
    """A connection refused before any request went out (nothing can have been posted)."""
    cause = exc.__cause__ or getattr(exc, "reason", None)
    return isinstance(exc, ConnectionRefusedError) or isinstance(cause, ConnectionRefusedError)


def _retry_after(headers: Any) -> float:
    raw = None
    if headers:
        for name, value in dict(headers).items():
            if name.lower() == "retry-after":
                raw = value[0] if isinstance(value, list) else value
    try:
        return max(0.0, float(raw)) if raw is not None else 1.0
    except ValueError:
        return 1.0


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
