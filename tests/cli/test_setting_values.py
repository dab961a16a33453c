"""Settings a newcomer gets wrong stop the command with one line naming the setting,
never a traceback: an impossible port, an idle time of infinity, a secret of spaces."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings
from tests.in_process import planbot


@pytest.mark.parametrize(
    ("extra", "args", "named"),
    [
        ({"PORT": "99999"}, ("schedule",), "PORT: must be a TCP port number from 1 to 65535"),
        ({"PLANBOT_CONVERSATION_IDLE_HOURS": "inf"}, ("schedule",), "PLANBOT_CONVERSATION_IDLE_HOURS: must be a number of hours above 0"),
        ({"PLANBOT_CONVERSATION_IDLE_HOURS": "nan"}, ("schedule",), "PLANBOT_CONVERSATION_IDLE_HOURS: must be a number of hours above 0"),
        ({}, ("serve", "--port", "99999"), "99999 is not a TCP port: use 1 to 65535"),
    ],
)
def test_a_value_that_cannot_work_is_one_line_naming_it(db_url: str, extra: dict[str, str], args: tuple[str, ...], named: str) -> None:
    result = planbot(*args, database_url=db_url, extra_env=extra)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert named in result.stderr and len([line for line in result.stderr.splitlines() if line.strip()]) <= 3


def test_a_secret_of_spaces_is_no_secret_and_one_pasted_with_a_newline_is_the_secret() -> None:
    settings = Settings(slack_bot_token="xoxb-1", slack_signing_secret="   ", teams_app_password="\t")
    assert settings.slack_signing_secret is None and settings.teams_app_password is None
    assert Settings(slack_signing_secret="abc123\n").slack_signing_secret.get_secret_value() == "abc123"  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="PORT"):
        Settings(port=-1)
