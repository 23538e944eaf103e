"""Any utterances, at any moments, in any exercise: the session never breaks its own transition
table, never schedules into the past, and always ends."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.exercises import EXERCISE_IDS, load_exercises
from voice_coach.coaching.session import (
    CONTROLS,
    End,
    Session,
    State,
    estimate_speech_seconds,
    simulate,
)
from voice_coach.understanding.intent import IntentResult

EXERCISES = load_exercises()
INTENTS = [*sorted(CONTROLS | {"number", "breathing"}), None]
FUZZ = settings(max_examples=150, deadline=timedelta(seconds=2))

utterances = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=900, allow_nan=False),
        st.sampled_from(INTENTS),
        st.integers(min_value=-2, max_value=12),
    ),
    max_size=25,
)


def play(name, said):
    clock = VirtualClock()
    session = Session(EXERCISES[name], clock, estimate_speech_seconds)
    inputs = [(t, IntentResult(intent or "", intent, 100.0, {"value": value}))
              for t, intent, value in said]
    return simulate(session, clock, inputs), session


@FUZZ
@given(st.sampled_from(EXERCISE_IDS), utterances)
def test_any_utterances_end_the_session_once(name, said):
    events, session = play(name, said)
    assert session.state is State.ENDED
    assert [type(e) for e in events].count(End) == 1


@FUZZ
@given(st.sampled_from(EXERCISE_IDS), utterances)
def test_events_never_go_back_in_time(name, said):
    events, _ = play(name, said)
    assert all(a.t <= b.t + 1e-9 for a, b in zip(events, events[1:], strict=False))


@FUZZ
@given(st.sampled_from(EXERCISE_IDS), utterances)
def test_ratings_are_always_one_to_ten(name, said):
    _, session = play(name, said)
    assert all(1 <= rating.value <= 10 for rating in session.ratings)
