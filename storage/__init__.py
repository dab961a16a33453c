"""Persistence: SQLModel tables, the plan loader, queries and migrations."""
