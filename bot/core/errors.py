"""Expected failures: each becomes a friendly reply, never a stack trace."""

from __future__ import annotations


class PlanbotError(Exception):
    """A problem the person can fix; the message is shown to them as it is."""


class UnknownPerson(PlanbotError):
    pass


class NotAllowed(PlanbotError):
    pass


class NotFound(PlanbotError):
    pass


class BadInput(PlanbotError):
    pass
