"""Where the bot may post: Microsoft's Bot Connector hosts only, in production.

The clock posts to service URLs stored from earlier activities, so a forged or
stale URL must never make the bot send its token elsewhere. The SDK's
`OutboundHostValidator` (https, Microsoft's hosts, no private or loopback
addresses) checks every inbound activity's `serviceUrl` before its turn runs,
and `TeamsPort` checks stored URLs with the same validator before it posts.

Tests run a fake Bot Connector on loopback over plain http. That is allowed
only in the local-testing configuration (`PLANBOT_TEAMS_ANONYMOUS=true`, which
start-up refuses together with real credentials): there, `http://127.0.0.1`,
`http://[::1]` and `http://localhost` are accepted beside Microsoft's hosts,
and nothing else. With credentials, loopback is refused like any other host.
"""

from __future__ import annotations

from yarl import URL

from microsoft_agents.hosting.core import OutboundHostValidator

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
PUBLIC_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
"""Teams' public Bot Connector endpoint, for creating a 1:1 conversation no activity has told us about."""


class ServiceUrls(OutboundHostValidator):
    """The SDK's validator, enabled, plus loopback when `allow_loopback` (local testing only)."""

    def __init__(self, *, allow_loopback: bool) -> None:
        super().__init__(enabled=True)
        self.allow_loopback = allow_loopback

    def is_allowed(self, url: str | URL) -> bool:  # type: ignore[override]
        if self.allow_loopback and is_loopback(url):
            return True
        return super().is_allowed(url)


def is_loopback(url: str | URL) -> bool:
    try:
        parsed = URL(str(url))
    except (ValueError, TypeError):
        return False
    return parsed.scheme in ("http", "https") and (parsed.host or "").strip("[]") in LOOPBACK_HOSTS and not parsed.user
