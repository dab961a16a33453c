"""The Slack adapter: slack-bolt's AsyncApp over the core, pure Block Kit builders,
the request guard in front of bolt, and the sending port the clock uses."""
