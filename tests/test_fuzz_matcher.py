"""Fuzzing the matcher: whatever a recogniser hears or a user types (unicode, control characters,
digits by the thousand, nothing at all) gives an IntentResult with a score from 0 to 100."""

from datetime import timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_coach.understanding.catalog import CONTROL_INTENTS, INTENT_IDS, load_catalog
from voice_coach.understanding.intent import IntentMatcher, IntentResult

FUZZ = settings(max_examples=200, deadline=timedelta(seconds=2))

# Everything str can hold, lone surrogates (what surrogateescape makes of bad bytes) included.
any_text = st.text(alphabet=st.characters(codec=None), max_size=300)
spoken_ish = st.lists(st.sampled_from(["coach", "hey", "stop", "breathe", "with", "us", "um",
                                       "seven", "7", "0", "100", "101", "hug", "rose", "please",
                                       "what's", "ça", "'", "--", "breahte", "\x00", "\u2019"]),
                      max_size=30).map(" ".join)


@cache
def matcher() -> IntentMatcher:
    return IntentMatcher(load_catalog())


def is_valid(result: IntentResult, text: str) -> bool:
    return (isinstance(result, IntentResult) and result.text == text
            and 0.0 <= result.score <= 100.0
            and (result.intent is None or result.intent in INTENT_IDS))


@FUZZ
@given(any_text)
def test_any_text_gives_a_result_scored_0_to_100(text):
    assert is_valid(matcher().match(text), text)


@FUZZ
@given(spoken_ish)
def test_word_salad_of_catalog_words_gives_a_result_scored_0_to_100(text):
    assert is_valid(matcher().match(text), text)


@FUZZ
@given(any_text, st.sets(st.sampled_from(INTENT_IDS)))
def test_a_restricted_match_only_returns_an_allowed_intent(text, allowed):
    result = matcher().match(text, allowed=allowed)
    assert is_valid(result, text)
    assert result.intent in allowed | {None}


@FUZZ
@given(spoken_ish)
def test_the_wake_word_in_front_is_always_noticed(text):
    assert matcher().match("coach " + text).woke


@FUZZ
@given(st.integers(min_value=1, max_value=10_000), st.sampled_from("0179"))
def test_a_number_of_any_length_gives_a_result(length, digit):
    # Python refuses int() of more than 4300 digits; a recogniser never says one, a cat might.
    text = f"rate it {digit * length}"
    assert is_valid(matcher().match(text), text)


@FUZZ
@given(st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]),
               max_size=200))
def test_control_format_and_space_characters_alone_match_nothing(text):
    assert matcher().match(text).intent is None


@pytest.mark.parametrize("text", ["stop " * 20_000, "coach breathe with us " * 1000,
                                  "\x00" * 100_000, "é " * 50_000, "x" * 20_000])
def test_a_huge_input_gives_a_result(text):
    assert is_valid(matcher().match(text), text)


def test_empty_text_matches_nothing_with_score_zero():
    assert matcher().match("") == IntentResult("", None, 0.0, {}, False)


def test_restricting_to_nothing_matches_nothing():
    assert matcher().match("stop", allowed=set()).intent is None


def test_controls_still_match_when_restricted_to_controls():
    assert matcher().match("stop", allowed=CONTROL_INTENTS).intent == "stop"
