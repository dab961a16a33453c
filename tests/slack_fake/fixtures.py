"""pytest fixtures for tests that talk to the fake Slack.

Import them into a conftest.py (``from tests.slack_fake.fixtures import fake_slack,
fake_slack_server  # noqa: F401``). One fake runs per test session (per xdist worker);
each test gets it reset, and the test fails at teardown if the fake saw a protocol
violation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slack_fake.server import FakeSlack


@pytest.fixture(scope="session")
def fake_slack_server() -> Iterator[FakeSlack]:
    """The session's fake Slack (started once; use `fake_slack` in tests)."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(fake_slack_server: FakeSlack) -> Iterator[FakeSlack]:
    """A clean fake Slack (no calls, messages, failures or problems; no users) that fails
    the test at teardown if the bot broke Slack's protocol."""
    fake_slack_server.reset(users=True)
    yield fake_slack_server
    problems = fake_slack_server.take_problems()
    fake_slack_server.reset(users=True)
    fail_on_problems(problems)


def fail_on_problems(problems: list[str]) -> None:
    """Fail the running test when the fake saw any protocol violation, listing them."""
    if problems:
        pytest.fail("the fake Slack saw protocol violations:\n  " + "\n  ".join(problems), pytrace=False)
