"""Redaction reads stored free text that anyone may have typed: for any text and
any name, the name is gone afterwards wherever it stood as words of its own, text
without it is unchanged, and no name (brackets, dots, accents) breaks the pattern."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from storage.redaction import Needles, redact

LABEL = "former lead (erased 2026-12-01)"
names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() and re.match(r"\w", s.strip()) and re.search(r"\w$", s.strip())
)
separators = st.sampled_from([" ", "\n", ", ", ": ", " (", ") ", ". ", "'s "])
filler = st.lists(st.sampled_from(["update", "on track", "Board", "KPI", "42", "é", "—"]), max_size=6)


@given(name=names, before=filler, after=filler, sep=separators)
def test_a_name_standing_as_its_own_words_is_always_redacted(name: str, before: list[str], after: list[str], sep: str) -> None:
    pattern = Needles((name,), ()).pattern()
    assert pattern is not None
    text = " ".join(before) + sep + name + sep + " ".join(after)
    out = redact(text, pattern, LABEL)
    assert not pattern.search(out.replace(LABEL, ""))
    assert LABEL in out


@given(text=st.text(max_size=200))
def test_text_without_the_name_is_unchanged(text: str) -> None:
    pattern = Needles(("Wren Fairweather", "wren.fairweather@example.org"), ("wren", "U0WREN001")).pattern()
    assert pattern is not None
    if not pattern.search(text):
        assert redact(text, pattern, LABEL) == text


def test_ids_match_only_whole_ids_in_json_keys_and_values() -> None:
    pattern = Needles(("Wren Fairweather",), ("wren", "U0WREN001")).pattern()
    assert pattern is not None
    stored = {"wren": ["wren-2 and wren.b stay", "ask wren.", "U0WREN0012 stays, U0WREN001 goes"], "wren-2": 3}
    assert redact(stored, pattern, "X") == {"X": ["wren-2 and wren.b stay", "ask X.", "U0WREN0012 stays, X goes"], "wren-2": 3}
    assert redact("WREN\n  fairweather said", pattern, "X") == "X said"
