"""Reading untrusted activities: card actions, file consents and mentions, for any
value a client could send (property tests), and odd activities over HTTP."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from microsoft_agents.activity import Activity

from bot.teams import files, inbound
from tests.teams_fake.harness import BOT, TeamsWorld, text_of

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: reading activities does not depend on the engine."""
    return sqlite_db_url


@settings(max_examples=200, deadline=None)
@given(value=JSON, verb=JSON, data=JSON)
def test_any_invoke_value_reads_as_an_action_or_nothing(value: object, verb: object, data: object) -> None:
    for candidate in (value, {"action": {"verb": verb, "data": data}}, {"action": value}):
        activity = Activity(type="invoke", name="adaptiveCard/action", value=candidate)
        action = inbound.card_action(activity)
        assert action is None or (isinstance(action.verb, str) and all(isinstance(v, str) for v in action.data.values()))


@settings(max_examples=200, deadline=None)
@given(value=JSON, name=st.text(max_size=40))
def test_any_file_consent_reads_as_a_consent_or_nothing_and_names_no_path(value: object, name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    consent = files.read_consent(value)
    assert consent is None or consent.action in ("accept", "decline")
    folder = tmp_path_factory.getbasetemp()
    found = files.exported(folder, name)
    assert found is None or found.parent == folder.resolve()


@given(st.text(max_size=200))
def test_the_bots_mention_is_stripped_from_any_words(words: str) -> None:
    activity = Activity(
        type="message",
        text=f"<at>Planbot</at> {words}",
        conversation={"id": "19:x", "conversationType": "channel"},
        recipient=BOT,
        entities=[{"type": "mention", "text": "<at>Planbot</at>", "mentioned": BOT}],
    )
    assert "<at>" not in inbound.words(activity)


def test_odd_activities_change_nothing_and_never_fail(world: TeamsWorld) -> None:
    odd = [
        world.activity("cal", type="invoke", name="adaptiveCard/action", value="not an object"),
        world.activity("cal", type="invoke", name="adaptiveCard/action", value={"action": {"verb": "planbot.form", "data": {"step": "nonsense:9"}}}),
        world.activity("cal", type="invoke", name="fileConsent/invoke", value={"action": "accept"}),
        world.activity("cal", type="messageReaction", reactionsAdded=[{"type": "like"}]),
        world.activity("cal", type="typing"),
    ]
    for activity in odd:
        activity["type"] = activity.get("type", "message")
        assert world.post(activity).status_code in (200, 202)
    replies = world.say("cal", "")
    assert "Sorry, something went wrong" not in "\n".join(text_of(a) for a in replies)
    assert world.fake.problems == []
