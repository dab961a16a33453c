"""The Agents SDK's configuration from Planbot's settings, checked at start-up.

`TEAMS_APP_ID`, `TEAMS_APP_PASSWORD` and `TEAMS_TENANT_ID` become the SDK's
service connection (client id, client secret, tenant). All three are needed;
the password is a `SecretStr` read only here and never logged.
`PLANBOT_TEAMS_ANONYMOUS=true` runs without them, for local testing against a
fake or the Agents Playground: it is warned about at start-up and refused
together with real credentials, so a production deployment cannot drop its
token checks by a stray variable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes

from bot.config import Settings
from bot.teams.service_urls import ServiceUrls

logger = logging.getLogger(__name__)

ANONYMOUS_WARNING = (
    "Teams: PLANBOT_TEAMS_ANONYMOUS=true: /api/messages accepts requests without a token and the bot "
    "may post to loopback service URLs. For local testing only; never expose this process."
)


class TeamsConfigError(ValueError):
    """Teams' settings are missing or contradict each other; the message names them."""


@dataclass(frozen=True)
class TeamsSetup:
    anonymous: bool
    app_id: str
    tenant_id: str | None
    auth: AgentAuthConfiguration
    service_urls: ServiceUrls
    public_service_url: str

    @classmethod
    def from_settings(cls, settings: Settings, *, warn: bool = True) -> TeamsSetup:
        password = settings.teams_app_password.get_secret_value() if settings.teams_app_password else ""
        anonymous = settings.planbot_teams_anonymous
        beside = [
            name
            for name, value in (
                ("TEAMS_APP_ID", settings.teams_app_id),
                ("TEAMS_APP_PASSWORD", password),
                ("SLACK_BOT_TOKEN", settings.slack_bot_token),
                ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
                ("SLACK_APP_TOKEN", settings.slack_app_token),
            )
            if value
        ]
        if anonymous and beside:
            raise TeamsConfigError(
                "PLANBOT_TEAMS_ANONYMOUS=true is for local testing only (anyone who reaches it can claim to be "
                f"anyone) and is refused beside real secrets: unset PLANBOT_TEAMS_ANONYMOUS, or {' and '.join(beside)}."
            )
        if not anonymous:
            missing = [
                name
                for name, value in (
                    ("TEAMS_APP_ID", settings.teams_app_id),
                    ("TEAMS_APP_PASSWORD", password),
                    ("TEAMS_TENANT_ID", settings.teams_tenant_id),
                )
                if not value
            ]
            if missing:
                raise TeamsConfigError(f"Teams needs {', '.join(missing)} (from the Azure Bot's app registration; see the README).")
        urls = ServiceUrls(allow_loopback=anonymous)
        if not urls.is_allowed(settings.teams_service_url):
            raise TeamsConfigError(
                f"TEAMS_SERVICE_URL: {settings.teams_service_url} is not a Microsoft Bot Connector URL "
                "(https on a Microsoft host; loopback only with PLANBOT_TEAMS_ANONYMOUS=true)."
            )
        if anonymous:
            auth = AgentAuthConfiguration(anonymous_allowed=True)
            if warn:
                logger.warning(ANONYMOUS_WARNING)
        else:
            auth = AgentAuthConfiguration(
                auth_type=AuthTypes.client_secret,
                client_id=settings.teams_app_id,
                tenant_id=settings.teams_tenant_id,
                client_secret=password,
                connection_name="SERVICE_CONNECTION",
                anonymous_allowed=False,
                validate_issuer=True,
            )
        return cls(
            anonymous=anonymous,
            app_id=settings.teams_app_id or "",
            tenant_id=settings.teams_tenant_id,
            auth=auth,
            service_urls=urls,
            public_service_url=settings.teams_service_url,
        )

    def __repr__(self) -> str:  # never show the configuration object, which holds the secret
        return f"TeamsSetup(anonymous={self.anonymous}, app_id={self.app_id!r}, tenant_id={self.tenant_id!r})"
