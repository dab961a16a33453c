"""The one way a long title, milestone or quoted cell is shortened for a line."""

from __future__ import annotations

import pytest

from bot.core.wording import clip


def test_short_text_is_kept_with_its_spacing_tidied() -> None:
    assert clip("Appoint  a\nteam", 60) == "Appoint a team"


def test_long_text_is_cut_between_words() -> None:
    assert clip("Endorsement and engagement with all changes pertaining to the LEP Review", 40) == (
        "Endorsement and engagement with all…"
    )


def test_a_word_ending_at_the_limit_is_kept_whole() -> None:
    assert clip("Procure consultants for the evidence base production", 30) == "Procure consultants for the…"
    assert clip("aaaa bbbb cccc", 10) == "aaaa bbbb…"


def test_trailing_punctuation_is_dropped_before_the_ellipsis() -> None:
    assert clip("Recruit staff, then procure consultants", 16) == "Recruit staff…"


def test_one_long_word_is_cut_inside_it() -> None:
    assert clip("Supercalifragilistic expialidocious", 10) == "Supercali…"


@pytest.mark.parametrize("limit", range(2, 40))
def test_never_longer_than_the_limit(limit: int) -> None:
    text = "Increase strategy capacity to deliver the LIS, and review - quarterly"
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    assert clipped.endswith("…")


def test_help_says_every_role_the_plan_gives(chat) -> None:  # type: ignore[no-untyped-def]
    assert "You are Dee Demo (coordinator and area lead)." in chat("dee").text("/help")
    assert "You are Robin Fictional (coordinator)." in chat("robin").text("/help")
