"""The Teams driver: activities over real HTTP to the web app, as a Teams client
sends them (messages in expect-replies mode, card buttons and forms as
`Action.Execute` invokes), and what the bot posts read back from the fake Bot
Connector, cards included (validated against the Adaptive Cards 1.5 schema)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.core.clock import Clock
from bot.teams.cards import VERB_FORM
from bot.teams.syntax import TEAMS
from schedules.reconcile import Reconciler
from tests.conversations.driver import Seen
from tests.teams_fake.connector import CARD, Posted
from tests.teams_fake.harness import TeamsWorld, buttons, check_answers, check_invoke_card, give_teams_ids, inputs, teams_user_id, text_of


def _texts(activity: dict[str, Any]) -> str:
    shown = {**activity, "attachments": [_without_actions(a) for a in activity.get("attachments") or []]}
    return text_of(shown)


def _without_actions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_actions(v) for k, v in node.items() if not (isinstance(v, dict) and v.get("type") == "ActionSet") and k != "actions"}
    if isinstance(node, list):
        return [_without_actions(n) for n in node if not (isinstance(n, dict) and n.get("type") == "ActionSet")]
    return node


def _errors(card: Any) -> dict[str, str]:
    """The notes shown under each input (attention-coloured text after it)."""
    errors: dict[str, str] = {}
    current: str | None = None
    for element in (card or {}).get("body", []):
        if str(element.get("type", "")).startswith("Input."):
            current = element["id"]
        elif element.get("type") == "RichTextBlock" and current:
            runs = element.get("inlines", [])
            if runs and runs[0].get("color") == "attention":
                errors[current] = " ".join(r.get("text", "") for r in runs)
    return errors


def seen(activity: dict[str, Any], conversation: str, message_id: str | None = None) -> Seen:
    cards = [a["content"] for a in activity.get("attachments") or [] if a.get("contentType") == CARD]
    fields = [i["id"] for c in cards for i in inputs(c)]
    return Seen(
        _texts(activity),
        buttons=[b["title"] for b in buttons(activity) if b.get("verb") != VERB_FORM],
        form_fields=fields,
        errors=_errors(cards[-1]) if fields else {},
        handle=(activity, conversation, message_id),
    )


class TeamsDriver:
    name = "teams"

    def __init__(self, engine: Engine, clock: Clock, exports: Path) -> None:
        give_teams_ids(engine)
        self.engine = engine
        self.clock = clock
        self.world = TeamsWorld(engine, clock, exports).start()
        self.last: dict[str, Any] | None = None
        self.said: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        self.world.stop()
        assert self.world.fake.problems == [], self.world.fake.problems

    def typed(self, command: str) -> str:
        return TEAMS.typed(command)

    def run_job(self, job: str) -> None:
        Reconciler(self.engine, self.world.core.bot.port, self.clock, by="teams-driver").run(job)

    def _personal(self, person: str) -> str:
        return self.world.fake.personal_id(teams_user_id(person))

    def inbox(self, person: str) -> list[Seen]:
        """What the bot sent on its own into the person's chat (not answers to what they did)."""
        conversation = self._personal(person)
        return [seen(p.activity, conversation, p.id) for p in self.world.fake.in_conversation(conversation) if p.reply_to is None]

    def _post(self, activity: dict[str, Any]) -> list[Seen]:
        self.last = activity
        conversation = activity["conversation"]["id"]
        before = {p.id for p in self.world.fake.in_conversation(conversation)}
        response = self.world.post(activity)
        accepted = 200 if activity.get("deliveryMode") == "expectReplies" or activity["type"] == "invoke" else 202
        assert response.status_code in (200, accepted), (response.status_code, response.text)
        body = response.json() if response.content else {}
        out: list[Seen] = []
        if activity.get("deliveryMode") == "expectReplies":
            answers = [a for a in body.get("activities", []) if a.get("type") == "message"]
            check_answers(answers)
            out += [seen(a, conversation) for a in answers]
        elif activity["type"] == "invoke" and isinstance(body, dict) and body.get("type") == CARD:
            check_invoke_card(body)
            out.append(seen({"type": "message", "attachments": [{"contentType": CARD, "content": body["value"]}]}, conversation))
        posted: list[Posted] = [p for p in self.world.fake.in_conversation(conversation) if p.id not in before]
        return out + [seen(p.activity, conversation, p.id) for p in posted]

    def say(self, person: str, text: str, *, delivery_id: str | None = None, under: Seen | None = None) -> list[Seen]:
        activity = self.world.message(person, text)
        if delivery_id:
            activity["id"] = delivery_id
        if under is not None:
            activity["replyToId"] = under.handle[2]
        self.said[person] = activity
        return self._post(activity)

    def edit_last(self, person: str, text: str) -> list[Seen]:
        """A `messageUpdate` (eventType editMessage) for the person's last message, as Teams sends on an edit."""
        edited = {**self.said[person], "type": "messageUpdate", "text": text}
        edited["channelData"] = {**edited.get("channelData", {}), "eventType": "editMessage"}
        edited.pop("deliveryMode", None)
        self.said[person] = edited
        return self._post(edited)

    def _press(self, person: str, action: dict[str, Any], values: dict[str, str] | None = None) -> list[Seen]:
        data = {**action.get("data", {}), **(values or {})}
        return self._post(self.world.action(person, action["verb"], data))

    def press(self, person: str, label: str, *, on: Seen) -> list[Seen]:
        activity = on.handle[0]
        for action in buttons(activity):
            if action.get("title") == label and action.get("verb") != VERB_FORM:
                return self._press(person, action)
        raise AssertionError(f"no button {label!r} on {on.text!r}")

    def submit_form(self, person: str, values: dict[str, str], *, on: Seen) -> list[Seen]:
        activity = on.handle[0]
        submit = [a for a in buttons(activity) if a.get("verb") == VERB_FORM]
        assert submit, f"no form on {on.text!r}"
        return self._press(person, submit[-1], values)

    def replay(self) -> list[Seen]:
        assert self.last is not None
        return self._post(self.last)

    def restart(self) -> None:
        self.world.restart()

    def stranger_says(self, text: str) -> list[Seen]:
        return self._post(self.world.message("nobody", text))
