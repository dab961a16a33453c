"""What keeps a Teams message cheap: a built card is read-only (so the SDK's defensive
copy hands back the card itself), and no user-token client is made for a turn
(Planbot signs no one in)."""

from __future__ import annotations

import asyncio
import copy
import json

import pytest
from microsoft_agents.activity import Activity, ExpectedReplies
from microsoft_agents.hosting.core import ClaimsIdentity

from bot.core.replies import Heading, Paragraph, Reply, Table
from bot.teams import outgoing
from bot.teams.cards import Sealed, card
from bot.teams.sdk import NO_USER_SIGN_IN, ClientFactory


def status_reply() -> Reply:
    rows = [[str(n), f"Item {n} [gov.uk](https://evil.example)", "Robin", "amber"] for n in range(1, 30)]
    return Reply([Heading("Plan status"), Table(["#", "Item", "Lead", "Status"], rows), Paragraph("Type plan-status 5 for one item.")])


def test_a_built_card_is_read_only_and_the_sdks_copy_is_the_card_itself() -> None:
    [part] = outgoing.activities(status_reply())
    built = part["attachments"][0]["content"]
    assert isinstance(built, Sealed)
    with pytest.raises(TypeError):
        built["body"] = []
    with pytest.raises(TypeError):
        built.update(version="1.6")

    activity = Activity.model_validate(part)
    copied = copy.deepcopy(activity)  # what TurnContext.send_activities does to every activity
    assert copied.attachments[0].content is built

    sent = ExpectedReplies(activities=[copied]).model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert json.loads(json.dumps(sent))["activities"][0]["attachments"][0]["content"] == json.loads(json.dumps(dict(built)))
    assert copy.copy(card([])) == card([])


def test_a_turn_gets_no_user_token_client_and_using_one_says_why() -> None:
    factory = ClientFactory(connection_manager=None)  # type: ignore[arg-type]
    made = asyncio.run(factory.create_user_token_client(None, ClaimsIdentity(), True))  # type: ignore[arg-type]
    assert made is NO_USER_SIGN_IN
    asyncio.run(made.close())
    with pytest.raises(RuntimeError, match="no OAuth"):
        made.user_token
    with pytest.raises(RuntimeError, match="no OAuth"):
        made.get_user_token("29:someone", "graph", "msteams")


def sent_as_the_sdk_does(parts: list[dict]) -> list[Activity]:
    """The activities as `TurnContext.send_activities` buffers them in expect-replies mode."""
    from microsoft_agents.hosting.core import TurnContext

    incoming = Activity.model_validate(
        {
            "type": "message",
            "id": "m-1",
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/uk/",
            "from": {"id": "29:robin", "aadObjectId": "00000000-0000-4000-8000-000000000005"},
            "recipient": {"id": "28:planbot", "name": "Planbot"},
            "conversation": {"id": "a:personal", "conversationType": "personal", "tenantId": "t-1"},
            "text": "plan-status",
            "deliveryMode": "expectReplies",
        }
    )
    ref = incoming.get_conversation_reference()
    out = []
    for part in parts:
        activity = TurnContext.apply_conversation_reference(copy.deepcopy(Activity.model_validate(part)), ref)
        activity.input_hint = activity.input_hint or "acceptingInput"
        activity.id = None
        out.append(activity)
    return out


@pytest.mark.parametrize(
    "replies",
    [
        [status_reply()],
        [Reply([Paragraph("Plain words, and a [gov.uk](https://evil.example) link typed by a lead")])],
        [Reply([Paragraph("first")]), status_reply(), Reply([Paragraph('planbot-card-0 "quotes" \\ and \u00e9')], key="k")],
    ],
    ids=["card", "text", "mixed"],
)
def test_the_expect_replies_body_is_the_json_the_sdk_writes(replies: list[Reply]) -> None:
    from bot.teams.replies_body import RepliesBody

    activities = sent_as_the_sdk_does([part for reply in replies for part in outgoing.activities(reply)])
    sdk = ExpectedReplies(activities=activities).model_dump(mode="json", by_alias=True, exclude_unset=True)
    ours = RepliesBody(activities).text()
    assert json.loads(ours) == json.loads(json.dumps(sdk))
    assert json.loads(RepliesBody(activities).text()) == json.loads(ours), "a card's kept JSON serves again"


def test_a_card_naming_what_looks_like_a_splice_point_is_written_as_typed() -> None:
    from bot.teams.replies_body import RepliesBody

    typed = 'planbot-card-' + "0" * 32
    activities = sent_as_the_sdk_does(outgoing.activities(Reply([Heading(typed), Table(["a"], [[typed]])], key="k")))
    body = json.loads(RepliesBody(activities).text())
    assert json.dumps(body).count(typed) == 2
