"""Slack's rate limits as the fake applies them, when a test sets them: chat.postMessage at
most once per interval per channel, a workspace-wide cap on chat.postMessage, and per-method
caps (conversations.open is about 50 a minute). Over a limit the call gets 429 with an
integer Retry-After, as from Slack; a client that calls again before that time is over is
reported.

Limits are spacing, not windows: at N a minute, calls must be 60/N seconds apart (less a
small tolerance for clock jitter), so the minimum time for n accepted calls is
(n - 1) * 60 / N, which `RateLimits.report` compares with what a fan-out achieved.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Protocol

# Calls arriving this soon after a 429 were already in flight: refused, not reported.
RETRY_AFTER_GRACE = 0.25
# A call this much early for its slot still passes: a client pacing itself by its own
# clock arrives a little early or late, and Slack's limits are not that exact either.
RATE_TOLERANCE = 0.05

WORKSPACE = "*"


class _Answered(Protocol):
    at: float
    status: int
    response: dict[str, Any] | None

    @property
    def ok(self) -> bool: ...


class RateLimits:
    """The configured limits and where each key (method, channel or the workspace) stands."""

    def __init__(
        self,
        *,
        post_interval_per_channel: float | None = None,
        workspace_rate_per_minute: float | None = None,
        method_rate_per_minute: dict[str, float] | None = None,
    ) -> None:
        self.post_interval_per_channel = post_interval_per_channel
        self.workspace_rate_per_minute = workspace_rate_per_minute
        self.method_rate_per_minute: dict[str, float] = dict(method_rate_per_minute or {})
        self.tolerance = RATE_TOLERANCE
        self.grace = RETRY_AFTER_GRACE
        self.clear()

    def clear(self) -> None:
        """Forget every slot taken and every Retry-After given."""
        self._next_slot: dict[str, float] = {}
        self._last_post: dict[str, float] = {}
        self._blocked: dict[tuple[str, str], tuple[float, float, int]] = {}

    def rate_for(self, method: str) -> float | None:
        """Calls a minute allowed to ``method`` across the workspace, or None for no limit."""
        rate = self.method_rate_per_minute.get(method)
        if rate is None and method == "chat.postMessage":
            rate = self.workspace_rate_per_minute
        return rate or None

    def block(self, method: str, at: float, retry_after: int, channel: str = WORKSPACE) -> None:
        """Record a 429 given at ``at``: calls before ``at + retry_after`` are refused."""
        self._blocked[(method, channel)] = (at, at + retry_after, retry_after)

    def check(self, method: str, channel: str | None, at: float) -> tuple[int | None, str | None]:
        """(Retry-After, problem) for a call arriving at ``at``: Retry-After is None when the
        call is within the limits (it then takes its slot); problem names a client that did
        not wait out an earlier Retry-After."""
        keys = [(method, WORKSPACE)] + ([(method, channel)] if channel else [])
        for key in keys:
            blocked = self._blocked.get(key)
            if blocked and at < blocked[1]:
                since, until, retry = blocked
                problem = None
                if at - since > self.grace:
                    where = f" (channel {key[1]})" if key[1] != WORKSPACE else ""
                    problem = f"{method}: called {at - since:.2f} s after a 429 with Retry-After: {retry}{where}"
                return max(1, math.ceil(until - at)), problem
        waits: list[tuple[str, float]] = []
        rate = self.rate_for(method)
        if rate:
            slot = self._next_slot.get(method, 0.0)
            if at < slot - self.tolerance:
                waits.append((WORKSPACE, slot - at))
        interval = self.post_interval_per_channel
        if channel and interval:
            last = self._last_post.get(channel)
            if last is not None and at - last < interval - self.tolerance:
                waits.append((channel, interval - (at - last)))
        if waits:
            where, wait = max(waits, key=lambda w: w[1])
            retry = max(1, math.ceil(wait))
            self.block(method, at, retry, where)
            return retry, None
        if rate:
            self._next_slot[method] = max(self._next_slot.get(method, 0.0), at) + 60.0 / rate
        if channel:
            self._last_post[channel] = at
        return None, None

    def report(self, method: str, calls: list[_Answered]) -> dict[str, Any]:
        """How the calls to ``method`` went against the limits: accepted, rate_limited, and
        (when any was accepted) first, last, elapsed, floor (the limits' minimum time for
        the accepted calls) and ratio = elapsed / floor (None without a limit)."""
        accepted = [c for c in calls if c.ok]
        report: dict[str, Any] = {"accepted": len(accepted), "rate_limited": sum(c.status == 429 for c in calls)}
        if not accepted:
            return report
        floor = 0.0
        rate = self.rate_for(method)
        if rate:
            floor = (len(accepted) - 1) * 60.0 / rate
        if method == "chat.postMessage" and self.post_interval_per_channel:
            per_channel: dict[str, int] = defaultdict(int)
            for call in accepted:
                per_channel[str((call.response or {}).get("channel"))] += 1
            floor = max(floor, (max(per_channel.values()) - 1) * self.post_interval_per_channel)
        elapsed = accepted[-1].at - accepted[0].at
        report.update(
            first=accepted[0].at,
            last=accepted[-1].at,
            elapsed=elapsed,
            floor=floor,
            ratio=(elapsed / floor) if floor else None,
        )
        return report
