from tests.slack_fake.fixtures import fake_slack, fake_slack_server  # noqa: F401
