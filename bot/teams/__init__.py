"""The Microsoft Teams adapter (Microsoft 365 Agents SDK): activities in, core
events through `AsyncPlanbot`, replies out as plain-text messages and Adaptive
Cards; proactive sends through the Bot Connector (`port.TeamsPort`)."""
