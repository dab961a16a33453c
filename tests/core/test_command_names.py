"""Commands by name: replies name commands symbolically, each platform spells them
its own way (`/plan-away` in Slack, `plan-away` in Teams, `/away` in the
terminal), every spelling works everywhere, and a typo gets a suggestion.
The clock fixture is Wed 20 Nov 2019, 10:00."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.core import commands
from bot.core.command_names import NAMES, TERMINAL, cmd, expand, namespaced
from bot.core.events import ChoiceMade, Command, Sender
from bot.core.plaintext import render
from bot.core.planbot import Planbot
from bot.core.replies import Reply
from schedules import messages
from schedules.messages import ItemCard
from tests.conftest import LONDON, Chat
from tests.core.syntaxes import SLACK_LIKE, TEAMS_LIKE, slash_commands

ChatFor = Callable[..., Chat]


def shown(replies: list[Reply], syntax: object) -> str:
    return "\n".join(render(r, syntax) for r in replies)  # type: ignore[arg-type]


def test_namespaced_syntax_keeps_plan_names_and_prefixes_the_rest() -> None:
    assert [SLACK_LIKE.typed(n) for n in ("away", "plan-status", "help")] == ["/plan-away", "/plan-status", "/plan-help"]
    assert [TEAMS_LIKE.typed(n) for n in ("away", "plan-status", "help")] == ["plan-away", "plan-status", "plan-help"]
    assert [TERMINAL.typed(n) for n in ("away", "plan-status")] == ["/away", "/plan-status"]
    assert sorted(namespaced("/").typed(n) for n in NAMES) == sorted(
        "/" + (n if n.startswith("plan-") else "plan-" + n) for n in NAMES
    )
    assert expand(f"Type {cmd('snooze')} 2d.", TEAMS_LIKE) == "Type plan-snooze 2d."


def test_every_registered_command_is_named_and_its_help_starts_with_it() -> None:
    assert set(commands.COMMANDS) == set(NAMES)
    for name, handler in commands.COMMANDS.items():
        first = commands.help_lines(handler, coordinator=True)[0]
        assert first.startswith(f"/{name}"), first
    with pytest.raises(ValueError):
        commands.command("plan-nonsense")


def test_help_in_a_slack_like_syntax_names_plan_away_never_away(planbot: Planbot) -> None:
    replies = planbot.handle(Command(Sender("shell", "dee"), "plan-help"))
    text = shown(replies, SLACK_LIKE)
    assert "/plan-away until DATE: hold my scheduled prompts until DATE" in text
    assert "(/plan-away off to end it)" in text
    assert "/plan-schedule: what the clock sends in the next 7 days" in text
    assert "/plan-status export [PERIOD] [FORMAT]" in text
    commands_named = set(slash_commands(text))
    assert commands_named and all(c.startswith("/plan-") for c in commands_named), commands_named
    assert "/away" not in text.replace("/plan-away", "")


def test_help_in_a_teams_like_syntax_has_no_slash_command(planbot: Planbot) -> None:
    replies = planbot.handle(Command(Sender("shell", "dee"), "help"))
    text = shown(replies, TEAMS_LIKE)
    assert slash_commands(text) == []
    assert "plan-snooze 2d: hold my scheduled prompts for a while" in text
    assert "plan-back: I'm available again (ends plan-away or plan-snooze)." in text
    assert "plan-deputy N NAME: name who stands in for item N" in text


def test_help_in_the_terminal_is_unchanged(chat: ChatFor) -> None:
    text = chat("alex").text("/help")
    assert "  - /away until DATE: hold my scheduled prompts until DATE, my items' deputies standing in (/away off to end it)." in text
    assert "  - /plan-status [N | PERSON | overdue | changes]: the whole plan" in text
    assert "plan-schedule" not in text and "export" not in text


@pytest.mark.parametrize(
    "typed", ["plan-away until Friday", "/plan-away until Friday", "away until Friday", "/AWAY until Friday", "Plan-Away until friday"]
)
def test_every_platforms_spelling_of_away_works(chat: ChatFor, typed: str) -> None:
    assert chat("bea").text(typed).startswith("Got it: you're away until Fri 22 Nov 2019.")


@pytest.mark.parametrize("name", ["plan-away", "/plan-away", "away", "AWAY"])
def test_a_slash_command_event_in_any_spelling(planbot: Planbot, name: str) -> None:
    replies = planbot.handle(Command(Sender("shell", "bea"), name, "until Friday"))
    assert shown(replies, SLACK_LIKE).startswith("Got it: you're away until Fri 22 Nov 2019.")
    assert "Type /plan-back if you return sooner." in shown(replies, SLACK_LIKE)


@pytest.mark.parametrize("typed", ["plan-help", "/plan-help", "help", "?", "commands", "plan-commands"])
def test_help_in_any_spelling(chat: ChatFor, typed: str) -> None:
    assert "You are Bea Sample (area lead)." in chat("bea").text(typed)


def test_plain_word_aliases_still_work(chat: ChatFor) -> None:
    assert "== Item 3:" in chat("robin").text("status 3")
    assert "== Item 3:" in chat("robin").text("plan-status 3")
    assert "== The clock: the next 7 days ==" in chat("robin").text("schedule")


def test_a_mistyped_command_gets_the_nearest(chat: ChatFor, planbot: Planbot) -> None:
    assert chat("robin").text("/plan-statsu") == (
        "I don't know the command “plan-statsu”. Did you mean /plan-status? /help lists them all."
    )
    replies = planbot.handle(Command(Sender("shell", "robin"), "plan-snoze", "2d"))
    assert shown(replies, SLACK_LIKE) == (
        "I don't know the command “plan-snoze”. Did you mean /plan-snooze? /plan-help lists them all."
    )
    assert chat("robin").text("plan-statsu 3") == (
        "I don't know the command “plan-statsu”. Did you mean /plan-status? /help lists them all."
    )
    assert chat("robin").text("stauts 3") == (
        "I'm not waiting for an answer from you right now, so I haven't stored that. "
        "Did you mean /plan-status? /help lists what I can do."
    )


def test_an_unknown_command_with_nothing_near_lists_what_the_person_may_use(chat: ChatFor) -> None:
    lead = chat("alex").text("/frobnicate")
    assert lead == (
        "I don't know the command “frobnicate”. The commands are: /plan-status, /plan-update, /help, /away, "
        "/snooze, /back, /deputy, /flag, /milestone. Type /help for what each does."
    )
    assert "/plan-schedule" in chat("robin").text("/frobnicate")


def test_suggestions_never_name_what_a_lead_may_not_use(chat: ChatFor) -> None:
    assert "Did you mean /plan-schedule?" in chat("robin").text("/plan-schedul")
    assert "plan-schedule" not in chat("alex").text("/plan-schedul")
    assert "Did you mean /plan-status export Q2?" in chat("robin").text("/plan-status exprot Q2")
    lead = chat("alex").text("/plan-status exprot Q2")
    assert "export" not in lead and lead.startswith("I don't know anyone called “exprot Q2” in the plan.")


def test_plan_status_overdu_suggests_overdue(chat: ChatFor, planbot: Planbot) -> None:
    assert chat("robin").text("/plan-status overdu") == "I don't know “overdu”. Did you mean /plan-status overdue?"
    assert chat("alex").text("status chnages") == "I don't know “chnages”. Did you mean /plan-status changes?"
    replies = planbot.handle(Command(Sender("shell", "robin"), "plan-status", "overdu"))
    assert shown(replies, TEAMS_LIKE) == "I don't know “overdu”. Did you mean plan-status overdue?"


def test_a_misspelt_person_gets_the_nearest_people(chat: ChatFor) -> None:
    text = chat("robin").text("/plan-status bae")
    assert text.startswith("I don't know anyone called “bae” in the plan. Did you mean Bea Sample (bea)? The people are:")
    assert "Did you mean Alex Example (alex)?" in chat("robin").text("/plan-status Alx Exmaple")
    assert "Did you mean Robin Fictional (robin)?" in chat("robin").text("/plan-status robn")
    assert "Did you mean" not in chat("robin").text("/plan-status Zed")


def test_deputy_examples_name_the_deputy_command(chat: ChatFor) -> None:
    text = chat("alex").text("/deputy 1 bae")
    assert "Did you mean Bea Sample (bea)?" in text
    assert text.endswith("Type /deputy 1 with one of those.")


def teams_script(chat: ChatFor) -> list[tuple[str, str, list[Reply]]]:
    """A coordinator and a lead using most commands, typed the Teams way (no slash)."""
    robin, dee, alex = chat("robin"), chat("dee"), chat("alex")
    steps = [
        (robin, "plan-status"),
        (robin, "plan-status 3"),
        (robin, "plan-status 42"),
        (robin, "plan-status bea"),
        (robin, "plan-status Zed"),
        (robin, "plan-status overdue"),
        (robin, "plan-status overdu"),
        (robin, "plan-status changes"),
        (robin, "plan-status export pdf"),
        (robin, "plan-help"),
        (robin, "plan-schedule"),
        (robin, "plan-statsu"),
        (robin, "frobnicate"),
        (robin, "plan-frobnicate"),
        (robin, "stauts 3"),
        (robin, "cancel"),
        (dee, "plan-help"),
        (dee, "plan-away"),
        (dee, "plan-away until whenever"),
        (dee, "plan-away until 1 Nov 2019"),
        (dee, "plan-away until 28/11/2019"),
        (dee, "plan-back"),
        (dee, "plan-snooze"),
        (dee, "plan-snooze soon"),
        (dee, "plan-snooze 3 weeks"),
        (dee, "plan-snooze 2d"),
        (dee, "plan-back"),
        (dee, "plan-back"),
        (dee, "plan-deputy"),
        (dee, "plan-deputy 7"),
        (dee, "plan-deputy x bea"),
        (dee, "plan-deputy 7 bae"),
        (dee, "plan-deputy 7 bea"),
        (dee, "plan-deputy 7 none"),
        (dee, "plan-flag"),
        (dee, "the evidence base draft is two weeks late"),
        (dee, "plan-flag nothing"),
        (dee, "plan-milestone"),
        (dee, "plan-milestone 7 m9 done"),
        (dee, "plan-milestone 7 m1 maybe"),
        (dee, "plan-milestone 7 m1 slipped"),
        (dee, "31/01/2020"),
        (dee, "plan-milestone 7 m2 done"),
        (dee, "plan-schedule"),
        (alex, "plan-help"),
        (alex, "plan-schedule"),
        (alex, "plan-status exprot"),
        (dee, "hello"),
        (dee, ""),
    ]
    return [(who.sender.user_id, typed, who.say(typed)) for who, typed in steps]


def clock_messages() -> list[Reply]:
    """What the clock sends: prompts, reminders and questions with buttons."""
    card = ItemCard(7, "Leadership opportunities", [("KPI", "")], ["A milestone (due 31 Dec 2019)"], None)
    starts = dt.datetime(2019, 11, 21, 10, tzinfo=LONDON)
    return [
        messages.quarterly_prompt(card, period_key="2019-Q3", period_label="Q3 2019-20", closes=dt.date(2019, 12, 31)),
        messages.chaser(
            card, period_key="2019-Q3", period_label="Q3", seq=1, of=2, closes=dt.date(2019, 12, 31), today=dt.date(2019, 12, 2)
        ),
        messages.pre_call_prompt(call_title="weekly call", starts=starts, occurrence="call@2019-11-21", items=["Item 7"]),
        messages.milestone_due(
            number=7, title="Leadership", key="m1", text="A milestone", due=dt.date(2019, 11, 20), occurrence="m1@2019-11-20"
        ),
    ]


def test_a_whole_session_rendered_for_teams_names_no_slash_command(chat: ChatFor, planbot: Planbot) -> None:
    script = teams_script(chat)
    leaks = []
    for who, typed, replies in script:
        assert replies, f"{who} typed {typed!r} and got nothing"
        text = shown(replies, TEAMS_LIKE)
        leaks += [(who, typed, found) for found in slash_commands(text)]
    for reply in clock_messages():
        leaks += [("clock", reply.blocks[0], found) for found in slash_commands(render(reply, TEAMS_LIKE))]
    assert leaks == []

    by_typed: dict[tuple[str, str], str] = {}
    for who, typed, replies in script:
        by_typed.setdefault((who, typed), shown(replies, TEAMS_LIKE))
    assert "Got it: you're away until Thu 28 Nov 2019." in by_typed[("dee", "plan-away until 28/11/2019")]
    assert "Type plan-back if you return sooner." in by_typed[("dee", "plan-away until 28/11/2019")]
    assert "Welcome back." in by_typed[("dee", "plan-back")]
    assert "Snoozed until Fri 22 Nov 2019, 10:00" in by_typed[("dee", "plan-snooze 2d")]
    assert "Bea Sample is now the deputy for item 7" in by_typed[("dee", "plan-deputy 7 bea")]
    assert "Noted for the CLGU/SELEP weekly catch-up call" in by_typed[("dee", "the evidence base draft is two weeks late")]
    assert "has slipped to Fri 31 Jan 2020" in by_typed[("dee", "31/01/2020")]
    assert "Recorded: item 7's milestone" in by_typed[("dee", "plan-milestone 7 m2 done")]
    assert "== The clock: the next 7 days ==" in by_typed[("robin", "plan-schedule")]
    assert "== The clock: the next 7 days ==" in by_typed[("dee", "plan-schedule")]
    assert by_typed[("alex", "plan-schedule")].startswith("plan-schedule is for coordinators. Type plan-away or plan-snooze")
    assert "plan-schedule" not in by_typed[("alex", "plan-help")]
    assert by_typed[("robin", "plan-statsu")] == (
        "I don't know the command “plan-statsu”. Did you mean plan-status? plan-help lists them all."
    )
    assert by_typed[("robin", "plan-frobnicate")].startswith(
        "I don't know the command “plan-frobnicate”. The commands are: plan-status, plan-update, plan-help, plan-away,"
    )
    assert "Did you mean plan-status overdue?" in by_typed[("robin", "plan-status overdu")]
    assert "For example: plan-status export 2019-Q4 xlsx." in by_typed[("robin", "plan-status export pdf")]
    assert "plan-away until DATE" in by_typed[("dee", "plan-help")]
    everything = "\n".join(by_typed.values())
    for name in NAMES:
        assert TEAMS_LIKE.typed(name) in everything, name


def test_buttons_keep_canonical_values_that_every_platform_accepts(planbot: Planbot) -> None:
    question = messages.pre_call_prompt(
        call_title="weekly call", starts=dt.datetime(2019, 11, 21, 10, tzinfo=LONDON), occurrence="x", items=[]
    )
    values = [c.value for b in question.blocks if hasattr(b, "choices") for c in b.choices]  # type: ignore[attr-defined]
    assert values == ["/flag nothing", "/flag"]
    assert "type plan-flag and your note" in render(question, TEAMS_LIKE)
    replies = planbot.handle(ChoiceMade(Sender("shell", "dee"), "/snooze 2d", "prompt:quarterly-prompt:7:2019-Q3"))
    assert shown(replies, TEAMS_LIKE).startswith("Snoozed until Fri 22 Nov 2019, 10:00")
    assert "Type plan-back to end it sooner." in shown(replies, TEAMS_LIKE)


@pytest.mark.parametrize(
    "typed",
    ["/", "/ ", "//", "/plan-", "plan-", "/" + "x" * 5000, "/☃ 3", "/статус", "\ue000away\ue001", "plan-status\t3", "/?"],
)
def test_odd_command_words_get_a_friendly_answer(chat: ChatFor, typed: str) -> None:
    text = chat("robin").text(typed)
    assert text and "something went wrong" not in text
    assert "\ue000" not in text and "\ue001" not in text
    assert len(text) < 1000 or text.startswith("== ")
