"""Fuzzing `voice-coach chat` input: any line is a turn, a skipped line with one plain sentence, or
nothing; and any accepted turn, at any time, plays through the dialog without an exception."""

from datetime import datetime, timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from voice_coach.coaching.answers import load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import estimate_speech_seconds
from voice_coach.commands.chat import BadTurn, Turn, converse, parse_turn
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher

FUZZ = settings(max_examples=100, deadline=timedelta(seconds=3))
ANY_TIME = st.floats() | st.integers(min_value=0, max_value=10**30).map(float)
"""nan, inf, huge and ordinary seconds."""
REQUESTS = ["coach, start a hug", "coach breathe with us", "stop", "pause", "hello"]


@cache
def matcher() -> IntentMatcher:
    return IntentMatcher(load_catalog())


def turn_or_error(line):
    try:
        return parse_turn(line)
    except BadTurn as error:
        return error


def play(turn) -> list:
    exercises = load_exercises()
    clock = VirtualClock()
    dialog = Dialog(exercises, load_answers(exercises), clock, estimate_speech_seconds,
                    matcher=matcher(), started_at=datetime(2026, 11, 26, 21, 30))
    return list(converse(dialog, clock, [turn]))


@FUZZ
@given(st.text(max_size=80))
def test_any_line_is_a_turn_nothing_or_a_bad_turn(line):
    assert isinstance(turn_or_error(line), Turn | BadTurn | None)


@FUZZ
@given(ANY_TIME, st.sampled_from(REQUESTS))
def test_a_turn_at_any_written_time_is_refused_or_played_through(at, request):
    turn = turn_or_error(f"@{at!r} {request}")
    assert isinstance(turn, BadTurn) or play(turn)[0].text == request
