"""One Settings object, read from the environment and validated at start-up.

Nothing else in the project reads os.environ: a bad or missing setting stops the
process here with a message that names it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_RETENTION_DAYS = 30
"""Below this the clock could forget a send it may still retry (grace windows are hours to days)."""
DEFAULT_DB = Path.home() / ".local" / "share" / "planbot" / "planbot.db"
MAX_IDLE_HOURS = 24 * 366
"""Longer than a year is no idle limit at all (and `inf` cannot be a time)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = Field(default=f"sqlite:///{DEFAULT_DB}")
    plan_file: Path | None = None
    planbot_timezone: str = "Europe/London"
    planbot_exports_dir: Path = Field(default=Path("exports"))
    planbot_conversation_idle_hours: float = 24.0
    planbot_retention_days: int = 365
    port: int = 3000
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_posts_per_minute: float = 300.0
    """The workspace-wide budget the Slack port paces chat.postMessage to (besides one a second per channel)."""
    teams_app_id: str | None = None
    teams_app_password: SecretStr | None = None
    teams_tenant_id: str | None = None
    planbot_teams_anonymous: bool = False
    teams_service_url: str = "https://smba.trafficmanager.net/teams/"

    @property
    def slack_configured(self) -> bool:
        """Slack is configured when its bot token is set (the signing secret is then required to serve)."""
        return self.slack_bot_token is not None and bool(self.slack_bot_token.get_secret_value())

    @property
    def teams_configured(self) -> bool:
        """Teams is configured by its app id, or for local testing by PLANBOT_TEAMS_ANONYMOUS."""
        return bool(self.teams_app_id) or self.planbot_teams_anonymous

    @field_validator("planbot_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"PLANBOT_TIMEZONE: unknown timezone '{value}' (use an IANA name such as Europe/London)") from None
        return value

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", "teams_app_password", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        """A secret pasted with spaces or a newline around it is the secret; one of spaces alone is no secret."""
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("planbot_conversation_idle_hours")
    @classmethod
    def _idle(cls, value: float) -> float:
        if not (0 < value <= MAX_IDLE_HOURS):
            raise ValueError(
                f"PLANBOT_CONVERSATION_IDLE_HOURS: must be a number of hours above 0 and at most {MAX_IDLE_HOURS:g} "
                f"(a year), not {value}"
            )
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError(f"PORT: must be a TCP port number from 1 to 65535 (0 picks a free one), not {value}")
        return value

    @field_validator("planbot_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value < MIN_RETENTION_DAYS:
            raise ValueError(
                f"PLANBOT_RETENTION_DAYS: must be at least {MIN_RETENTION_DAYS} days (the clock still needs recent "
                f"ledger rows to know what it sent), not {value}"
            )
        return value

    @field_validator("slack_posts_per_minute")
    @classmethod
    def _posts(cls, value: float) -> float:
        if not value > 0:
            raise ValueError(f"SLACK_POSTS_PER_MINUTE: must be a positive number, not {value}")
        return value

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        from storage.database_url import check_database_url

        return check_database_url(value)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
