"""The plan's `plan: coordinators:` entry: the coordinators' channel per platform,
where briefs and Board summaries go instead of one direct message each."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{6,20}$")
TEAMS_CHAT = re.compile(r"^19:[A-Za-z0-9_.=+/-]{1,250}@thread\.[a-z0-9]{1,12}$")


def _shown(value: str) -> str:
    return repr(value[:57] + "..." if len(value) > 60 else value)


class CoordinatorPlaces(BaseModel):
    """Where the coordinators' briefs and Board summaries go instead of one DM each."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slack: str | None = Field(default=None, description="A Slack channel id (C... or G...); the bot must be a member.")
    teams: str | None = Field(
        default=None, description="A Teams channel or group chat's conversation id (19:...@thread...)."
    )

    @field_validator("slack")
    @classmethod
    def _slack_channel(cls, value: str | None) -> str | None:
        if value is not None and not SLACK_CHANNEL.match(value):
            raise ValueError(
                f"{_shown(value)} is not a Slack channel id: use the id from the channel's details (it starts with C or G, "
                "e.g. C0123ABCD), not its #name"
            )
        return value

    @field_validator("teams")
    @classmethod
    def _teams_chat(cls, value: str | None) -> str | None:
        if value is not None and not TEAMS_CHAT.match(value):
            raise ValueError(
                f"{_shown(value)} is not a Teams conversation id: it looks like 19:...@thread.tacv2 (a channel) "
                "or 19:...@thread.v2 (a group chat)"
            )
        return value

    @model_validator(mode="after")
    def _some(self) -> CoordinatorPlaces:
        if self.slack is None and self.teams is None:
            raise ValueError(
                "name the coordinators' place with slack: (a channel id) and/or teams: (a chat id), or leave coordinators: out"
            )
        return self
