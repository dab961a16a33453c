"""The bot's turn handler: one Teams activity in, the core's replies out.

Messages become `TextMessage`s (the @mention stripped in groups and channels),
card buttons and forms (`Action.Execute` invokes) become `ChoiceMade` and
`FormSubmitted`; installs and first messages in a personal chat record the
person's conversation reference (a group-chat install never replaces it).
Replies go back into the conversation (in `expectReplies` mode, in the HTTP
answer); a reply marked `direct`, or marked for the asker alone (an answer that
names people, asked in a group without `share`: `bot.core.privacy`), goes to the
asker's personal chat instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.core import TurnContext

from bot.core import file_handover as handover
from bot.core.async_boundary import AsyncPlanbot
from bot.core.events import DIRECT, ChoiceMade, Event, FormSubmitted, Sender, TextEdited, TextMessage
from bot.core.ports import PlatformAddress, SendFailed, SentMessage
from bot.core.replies import File, Form, Reply, say
from bot.teams import cards, files, inbound, outgoing
from bot.teams.port import PLATFORM, TeamsPort
from bot.teams.sdk import Sdk
from bot.core.clock import SystemClock
from storage.addresses import get_address
from storage.chat_references import note_chat
from storage.db import read_scope, session_scope
from storage.queries import find_person

logger = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment."
SENT_DIRECT = "I've sent the answer to our personal chat, as it names people. Add `share` to post it here instead."
UPDATE_DIRECT = "I've sent you a personal message to carry on there."
NO_DIRECT = "I couldn't reach our personal chat. Open a chat with Planbot (Apps > Planbot) and ask there."
FILE_DIRECT = "I've offered you the file in our personal chat: accept it there."
FILE_GONE = "That file is no longer here (exports are kept for a while only): ask for the export again."
NOT_ONEDRIVE = "Teams gave an upload address outside OneDrive and SharePoint, so I haven't sent the file."
EXPORT_HERE = "Files are handed over in our personal chat: ask me there with `plan-status export`."
KNOWN_FOR = 60.0
"""Seconds a sender's resolved id is reused: a plan reload that changes someone's `teams:` value is seen within a minute."""
WELCOME = "Hello, I'm Planbot. I'll send you the plan's update prompts here. Type `help` to see what you can ask."


class PlanbotAgent:
    def __init__(self, core: AsyncPlanbot, sdk: Sdk, port: TeamsPort) -> None:
        self.core = core
        self.sdk = sdk
        self.port = port
        self._noted: set[tuple[str, str, str]] = set()
        self._known: dict[tuple[str, ...], tuple[float, str]] = {}

    # --- the turn -----------------------------------------------------------------
    async def on_turn(self, context: TurnContext) -> None:
        """Each activity in its sender's turn, taken before anything is awaited: Teams
        delivers one person's messages side by side, and they must run in arrival order."""
        activity = context.activity
        sender = activity.from_property.id if activity.from_property is not None else None
        if sender:
            read = activity.type == "message" and self.core.bot.reads_only(TextMessage(Sender(PLATFORM, sender), inbound.words(activity)))
            async with self.core.turn(PLATFORM, sender, read=read):
                await self._dispatch(context)
        else:
            await self._dispatch(context)

    async def _dispatch(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == "message":
            await self._message(context)
        elif inbound.edited(activity):
            await self._edited(context)
        elif activity.type == "invoke":
            await self._invoke(context)
        elif inbound.installed(activity):
            await self._installed(context)

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        """The one error handler: the traceback logged once, the person told plainly."""
        activity = context.activity
        logger.error("Teams %s activity failed", activity.type if activity else "?", exc_info=error)
        try:
            if activity is not None and activity.type == "invoke":
                await _invoke_answer(context, _message_response(SORRY))
            else:
                await context.send_activity(Activity.model_validate(outgoing.text_activity(SORRY)))
        except Exception as exc:  # noqa: BLE001  (the person cannot be told; the log has it)
            logger.warning("could not tell the person about the failure: %s", type(exc).__name__)

    # --- who ----------------------------------------------------------------------
    async def _sender(self, activity: Activity) -> Sender | None:
        ids = inbound.ids_of(activity)
        if ids is None or activity.conversation is None:
            return None
        tenant = inbound.tenant_of(activity)
        user_id = await self._known_id(ids)
        if user_id is None:
            user_id = await self._by_email(activity, ids, tenant)
        user_id = user_id or ids.preferred
        personal = inbound.is_personal(activity)
        if personal:
            await self._note(activity, user_id, tenant, source="event")
        else:
            await self._note_chat(activity)
        return Sender(PLATFORM, user_id, DIRECT if personal else activity.conversation.id, tenant)

    async def _known_id(self, ids: inbound.Ids) -> str | None:
        """Which of the user's ids the plan knows, remembered for KNOWN_FOR seconds (a
        message costs one lookup less); the core checks the id again on every event."""
        key = tuple(ids.all)
        now = time.monotonic()
        cached = self._known.get(key)
        if cached is not None and now - cached[0] < KNOWN_FOR:
            return cached[1]
        user_id = await self.core.call(_known_id, self.core.bot.engine, ids.all)
        if user_id is not None:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = (now, user_id)
        return user_id

    async def _by_email(self, activity: Activity, ids: inbound.Ids, tenant: str | None) -> str | None:
        """The plan's email matched against the member's Teams profile (guests too)."""
        try:
            member = await self.sdk.connector.member(activity.service_url, activity.conversation.id, ids.teams)
        except SendFailed as exc:
            logger.info("no Teams profile for an unknown sender: %s", exc)
            return None
        email = member.get("email") or member.get("userPrincipalName")
        if not isinstance(email, str) or "@" not in email:
            return None
        person = await self.core.call(self.core.bot.link_by_email, platform=PLATFORM, user_id=ids.preferred, email=email, team_id=tenant)
        return ids.preferred if person is not None else None

    async def _note(self, activity: Activity, user_id: str, tenant: str | None, *, source: str) -> None:
        """Remember the personal chat (once per process and chat): where prompts go."""
        key = (user_id, activity.conversation.id, activity.service_url or "")
        if key in self._noted:
            return
        person = await self.core.call(
            self.core.bot.note_address,
            platform=PLATFORM,
            user_id=user_id,
            channel=activity.conversation.id,
            team_id=tenant,
            reference=inbound.reference_json(activity),
            source=source,
        )
        if person is not None:
            self._noted.add(key)

    async def _note_chat(self, activity: Activity) -> None:
        """Remember a group chat or channel by its conversation id (once per process and chat),
        so a plan's `coordinators: teams:` can name it."""
        key = ("#chat", activity.conversation.id, activity.service_url or "")
        if key in self._noted or not activity.service_url:
            return
        await self.core.call(_note_chat, self.core.bot.engine, activity.conversation.id, inbound.reference_json(activity))
        self._noted.add(key)

    # --- messages -----------------------------------------------------------------
    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        sender = await self._sender(activity)
        if sender is None:
            return
        text = inbound.words(activity)
        event = TextMessage(
            sender, text, delivery_id=_delivery(activity), message_id=activity.id, reply_to=inbound.replied_to(activity)
        )
        replies = await self.core.answer_read(event)  # a question (`plan-status`) answered as a reader
        if replies is None:
            replies = await self.core.handle(event)
        await self._deliver(context, sender, replies)

    async def _edited(self, context: TurnContext) -> None:
        """The person edited a message in our personal chat: the core replaces its answer if
        it is still the last one given (edits elsewhere change nothing)."""
        activity = context.activity
        sender = await self._sender(activity)
        if sender is None or sender.channel != DIRECT or not activity.id:
            return
        text = inbound.words(activity)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]  # an edit shares its message's id; each new text is news
        event = TextEdited(sender, text, activity.id, delivery_id=f"teams-edit:{activity.id}:{digest}")
        await self._deliver(context, sender, await self.core.handle(event))

    async def _deliver(self, context: TurnContext, sender: Sender, replies: list[Reply]) -> None:
        """Each reply where the core's marks say (`bot.core.privacy`): in a group, a reply
        bound for the person's direct chat or for the asker alone goes to their personal
        chat, and the group is told so."""
        personal = sender.channel == DIRECT
        told: list[str] = []
        for reply in replies:
            if personal or not (reply.direct or reply.audience == "asker"):
                await self._here(context, reply, personal=personal, sender=sender)
                continue
            if not await self._to_personal(sender, reply):
                await self._here(context, say(NO_DIRECT), personal=False)
                return
            note = FILE_DIRECT if outgoing.files(reply) else SENT_DIRECT if reply.audience == "asker" else None
            if note and note not in told:
                told.append(note)
        for note in told:
            await self._here(context, say(note), personal=False)

    async def _here(self, context: TurnContext, reply: Reply, *, personal: bool, sender: Sender | None = None) -> None:
        for file in outgoing.files(reply):
            offer = await self._offer(sender, file) if personal and sender is not None else None
            await context.send_activity(Activity.model_validate(offer or outgoing.text_activity(EXPORT_HERE)))
        first: str | None = None
        for part in outgoing.activities(reply):
            response = await context.send_activity(Activity.model_validate(part))
            first = first or (response.id if response is not None else None)
        if reply.key and first:
            sent = SentMessage(PLATFORM, context.activity.conversation.id, first)
            await self.core.remember_sent(reply.key, sent)

    async def _to_personal(self, sender: Sender, reply: Reply) -> bool:
        """Post a reply in the sender's personal chat (created if none is stored)."""
        row = await self.core.call(_address, self.core.bot.engine, sender.user_id)
        address = row or PlatformAddress(PLATFORM, sender.user_id, team_id=sender.team_id)
        try:
            service_url, conversation = await self.port.personal_chat(address)
            sent = await self.port.post(service_url, conversation, reply)
            for file in outgoing.files(reply):
                offer = await self._offer(sender, file)
                if offer is not None:
                    await self.sdk.connector.send(service_url, conversation, offer)
        except SendFailed as exc:
            logger.info("could not reach a personal chat: %s", exc)
            return False
        if reply.key and sent.message_id:
            await self.core.remember_sent(reply.key, sent)
        return True

    # --- cards and files -------------------------------------------------------------
    async def _invoke(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.name == "fileConsent/invoke":
            await self._file_consent(context)
            return
        action = inbound.card_action(activity)
        sender = await self._sender(activity) if action is not None else None
        if action is None or sender is None:
            await _invoke_answer(context, _message_response("That card is not one of mine."), status=200)
            return
        event: Event
        if action.verb == cards.VERB_FORM:
            values = {k: v for k, v in action.data.items() if k != "step"}
            event = FormSubmitted(sender, values, action.data.get("step", ""), delivery_id=_delivery(activity))
        else:
            event = ChoiceMade(sender, action.data.get("value", ""), action.data.get("step", ""), delivery_id=_delivery(activity))
        replies = await self.core.handle(event)
        form = next((r for r in replies if any(isinstance(b, Form) for b in r.blocks)), None)
        if form is not None and sender.channel == DIRECT:
            await _invoke_answer(context, {"statusCode": 200, "type": cards.CONTENT_TYPE, "value": cards.reply_card(form)})
            replies = [r for r in replies if r is not form]
        else:
            await _invoke_answer(context, _message_response("Got it."))
        await self._deliver(context, sender, replies)

    async def _offer(self, sender: Sender, file: File) -> dict[str, Any] | None:
        """The file-consent card for `file`, carrying a one-time token that names the person
        (`storage.file_offers`); None for someone the plan does not know."""
        token = await self.core.call(
            handover.offer, self.core.bot.engine, platform=PLATFORM, user_id=sender.user_id, file_name=Path(file.path).name, at=self._now()
        )
        return files.consent_activity(file, token) if token else None

    async def _file_consent(self, context: TurnContext) -> None:
        """An accept uploads the file only for the person it was offered to, with the
        offer's token, within a day, once, while they are still a coordinator, and only
        to OneDrive or SharePoint; everything else is refused with the reason."""
        activity = context.activity
        answer = files.read_consent(activity.value)
        await _invoke_answer(context, None, status=200)
        sender = await self._sender(activity)
        if answer is None or sender is None:
            return
        if answer.action != "accept":
            await self.core.call(
                handover.spend, self.core.bot.engine, platform=PLATFORM, user_id=sender.user_id, token=answer.token, at=self._now()
            )
            await self._tell(context, "All right, I haven't sent the file.")
            return
        claimed = await self.core.call(
            handover.claim, self.core.bot.engine, platform=PLATFORM, user_id=sender.user_id, token=answer.token, at=self._now()
        )
        if not isinstance(claimed, handover.Claimed):
            logger.warning("a file consent was refused: %s", claimed)
            await self._tell(context, CONSENT_REFUSED.get(claimed, CONSENT_REFUSED[handover.Refusal.UNKNOWN]))
            return
        path = files.exported(Path(self.core.bot.exports_dir), claimed.file_name)
        if path is None or not files.upload_allowed(answer.upload_url, self.sdk.setup.service_urls):
            problem = FILE_GONE if path is None else NOT_ONEDRIVE
            logger.warning("file consent not uploaded: %s", problem)
            await self.core.call(handover.release, self.core.bot.engine, token=answer.token)
            await self._tell(context, problem)
            return
        try:
            await files.upload(answer.upload_url, path, self.sdk.setup.service_urls)
        except Exception as exc:  # noqa: BLE001  (any failure of the upload: the offer stands for a retry)
            logger.warning("the upload of %s failed: %s", path.name, type(exc).__name__)
            await self.core.call(handover.release, self.core.bot.engine, token=answer.token)
            await self._tell(context, "The upload to your OneDrive failed. Accept the file again to retry (the offer lasts a day).")
            return
        await context.send_activity(Activity.model_validate(files.info_activity(answer)))

    def _now(self) -> dt.datetime:
        return self.core.bot.clock.now()

    async def _tell(self, context: TurnContext, text: str) -> None:
        await context.send_activity(Activity.model_validate(outgoing.text_activity(text)))

    async def _installed(self, context: TurnContext) -> None:
        activity = context.activity
        if not inbound.is_personal(activity):
            await self._note_chat(activity)  # a group chat or team: where coordinators' briefs may go, never a person's prompts
            return
        ids = inbound.ids_of(activity)
        if ids is None:
            return
        tenant = inbound.tenant_of(activity)
        user_id = await self._known_id(ids) or await self._by_email(activity, ids, tenant)
        if user_id is None:
            return
        await self._note(activity, user_id, tenant, source="install")
        if activity.type == "installationUpdate":  # Teams also sends a conversationUpdate: one hello, not two
            await context.send_activity(Activity.model_validate(outgoing.text_activity(WELCOME)))


def _delivery(activity: Activity) -> str | None:
    return f"teams:{activity.id}" if activity.id else None


def _message_response(text: str) -> dict[str, Any]:
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message", "value": text}


async def _invoke_answer(context: TurnContext, body: Any, *, status: int = 200) -> None:
    await context.send_activity(Activity(type="invokeResponse", value=InvokeResponse(status=status, body=body)))


CONSENT_REFUSED: dict[str, str] = {
    handover.Refusal.UNKNOWN: "I don't recognise that file offer, so I haven't sent anything. Ask for the export again.",
    handover.Refusal.SOMEONE_ELSE: "That file was offered to someone else, so I haven't sent it.",
    handover.Refusal.EXPIRED: "That file offer has expired (offers last a day): ask for the export again.",
    handover.Refusal.USED: "That file has already been sent. Ask for the export again for a new copy.",
    handover.NotAllowed.NOT_COORDINATOR: "Only coordinators can have the return's files, so I haven't sent it.",
}


def _known_id(engine: Any, ids: list[str]) -> str | None:
    """Which of the user's ids the plan (or a recorded address) knows."""
    with read_scope(engine) as session:
        for user_id in ids:
            if find_person(session, platform=PLATFORM, user_id=user_id) is not None:
                return user_id
    return None


def _note_chat(engine: Any, conversation_id: str, reference: dict[str, Any]) -> None:
    with session_scope(engine) as session:
        note_chat(session, platform=PLATFORM, conversation_id=conversation_id, reference=reference, at=SystemClock().now())


def _address(engine: Any, user_id: str) -> PlatformAddress | None:
    with read_scope(engine) as session:
        person = find_person(session, platform=PLATFORM, user_id=user_id)
        row = get_address(session, person_id=person.id, platform=PLATFORM) if person is not None else None
        if row is None:
            return None
        return PlatformAddress(PLATFORM, row.user_id, row.team_id, row.channel, row.reference)
