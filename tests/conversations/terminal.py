"""The terminal's driver: typed lines and numbered choices, as `planbot shell`
takes them, with scheduled messages waiting in the terminal inbox."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.core.clock import Clock
from bot.core.events import ChoiceMade, Event, FormSubmitted, TextMessage
from bot.core.planbot import Planbot
from bot.core.plaintext import render
from bot.core.replies import Choices, Form, Reply
from bot.core.reply_codec import decode
from bot.shell.session import ShellSession
from bot.shell.inbox_port import InboxPort
from schedules.reconcile import Reconciler
from storage.db import make_engine, session_scope
from storage.inbox import messages
from tests.conversations.driver import Seen


def seen(reply: Reply) -> Seen:
    buttons = [c.label for b in reply.blocks if isinstance(b, Choices) for c in b.choices]
    forms = [b for b in reply.blocks if isinstance(b, Form)]
    return Seen(
        render(reply),
        buttons=buttons,
        form_fields=[f.name for f in forms[-1].fields] if forms else [],
        errors=dict(forms[-1].errors) if forms else {},
        handle=reply,
    )


class TerminalDriver:
    name = "terminal"

    def __init__(self, engine: Engine, clock: Clock, exports: Path) -> None:
        self.url = engine.url.render_as_string(hide_password=False)
        self.clock = clock
        self.exports = exports
        self.last: Event | None = None
        self._start()

    def _start(self) -> None:
        self.engine = make_engine(self.url)
        self.port = InboxPort(self.engine)
        self.bot = Planbot(self.engine, self.clock, exports_dir=self.exports, port=self.port)

    def close(self) -> None:
        self.engine.dispose()

    def typed(self, command: str) -> str:
        return f"/{command}"

    def run_job(self, job: str) -> None:
        Reconciler(self.engine, self.port, self.clock, by="terminal-driver").run(job)

    def inbox(self, person: str) -> list[Seen]:
        with session_scope(self.engine) as session:
            return [seen(decode(row.reply)) for row in messages(session, person_id=person)]

    def _handle(self, event: Event) -> list[Seen]:
        self.last = event
        return [seen(r) for r in self.bot.handle(event)]

    def say(self, person: str, text: str, *, delivery_id: str | None = None, under: Seen | None = None) -> list[Seen]:
        """A typed line; the terminal has no threads, so `under` changes nothing."""
        shell = ShellSession(self.bot, person)
        return self._handle(TextMessage(shell.sender, text, delivery_id=delivery_id))

    def edit_last(self, person: str, text: str) -> list[Seen]:
        pytest.skip("a line typed in the terminal cannot be edited after it was sent")

    def press(self, person: str, label: str, *, on: Seen) -> list[Seen]:
        """A typed number picks a choice in the shell; this is the event it makes."""
        reply: Reply = on.handle
        for block in reply.blocks:
            if isinstance(block, Choices):
                for choice in block.choices:
                    if choice.label == label:
                        sender = ShellSession(self.bot, person).sender
                        return self._handle(ChoiceMade(sender, choice.value, block.step))
        raise AssertionError(f"no button {label!r} on {on.text!r}")

    def submit_form(self, person: str, values: dict[str, str], *, on: Seen) -> list[Seen]:
        forms = [b for b in on.handle.blocks if isinstance(b, Form)]
        assert forms, f"no form on {on.text!r}"
        sender = ShellSession(self.bot, person).sender
        return self._handle(FormSubmitted(sender, dict(values), forms[-1].step))

    def replay(self) -> list[Seen]:
        assert self.last is not None
        return self._handle(self.last)

    def restart(self) -> None:
        self.engine.dispose()
        self._start()

    def stranger_says(self, text: str) -> list[Seen]:
        return self._handle(TextMessage(dataclasses.replace(ShellSession(self.bot, "nobody-here").sender), text))
