"""A fake Microsoft Teams Bot Connector on loopback, for the Teams adapter's tests."""
