"""Planbot: an improvement plan's quarterly cycle, run in chat."""
