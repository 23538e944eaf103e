"""Any intents, woken or not, at any moments: the dialog never breaks its transition tables and
always comes back to idle once nothing more is said."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from voice_coach.coaching.answers import ANSWER_IDS, load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog
from voice_coach.coaching.exercises import EXERCISE_IDS, load_exercises
from voice_coach.coaching.session import CONTROLS, estimate_speech_seconds

EXERCISES = load_exercises()
ANSWERS = load_answers(EXERCISES)
INTENTS = [*EXERCISE_IDS, *sorted(CONTROLS), *ANSWER_IDS, "define", "tonight", "progress", "number"]


@dataclass(frozen=True)
class Result:
    text: str
    intent: str | None
    slots: dict = field(default_factory=dict)
    woke: bool = False


turns = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=60, allow_nan=False),
        st.sampled_from([*INTENTS, None]),
        st.booleans(),
        st.sampled_from([{}, {"value": 3}, {"term": "repair"}]),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=timedelta(seconds=2))
@given(turns, st.sampled_from([datetime(2026, 11, 26, 12), datetime(2026, 11, 26, 23, 30)]))
def test_any_turns_leave_the_coach_idle_in_the_end(said, started_at):
    clock = VirtualClock()
    dialog = Dialog(EXERCISES, ANSWERS, clock, estimate_speech_seconds, started_at=started_at)
    for gap, intent, woke, slots in said:
        clock.advance(gap)
        dialog.heard(Result("coach ..." if woke else "...", intent, slots, woke))
    while (deadline := dialog.next_deadline()) is not None:
        clock.advance_to(deadline)
        dialog.poll()
    assert dialog.idle
