"""Every exercise's whole flow on the virtual clock, untouched and with each control midway."""

import pytest

from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.exercises import EXERCISE_IDS, load_exercises
from voice_coach.coaching.session import (
    Cue,
    End,
    Listen,
    Say,
    Session,
    State,
    estimate_speech_seconds,
    simulate,
)
from voice_coach.understanding.intent import IntentResult

EXERCISES = load_exercises()


def said(intent, **slots):
    return IntentResult(intent or "", intent, 100.0, slots)


def agree(listen):
    if "number" in listen.allowed:
        return said("number", value=4)
    return None if listen.sharing else said("yes")


def run(name, inputs=()):
    clock = VirtualClock()
    session = Session(EXERCISES[name], clock, estimate_speech_seconds, partners=("Sam", "Alex"))
    return simulate(session, clock, list(inputs), answer=agree), session


def quiet_window(events):
    """A moment inside a timer, breath or partner's turn: 1 s after a cue or listen with at least
    2 s to the next event."""
    for event, following in zip(events, events[1:], strict=False):
        if isinstance(event, (Cue, Listen)) and following.t - event.t >= 2.0:
            return event.t + 1.0
    raise AssertionError("no quiet window")


def middle(events):
    return events[-1].t / 2


def script(events):
    """The session's own events (no acknowledgements), as comparable tuples."""
    return [
        (type(e).__name__, round(e.t, 6), getattr(e, "text", getattr(e, "phase", "")))
        for e in events
        if not isinstance(e, Listen)
    ]


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_runs_to_completion(name):
    events, session = run(name)
    assert (events[-1], session.state) == (End(events[-1].t, name, True), State.ENDED)


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_fits_the_duration_it_announces(name):
    events, _ = run(name)
    assert events[-1].t < 11 * 60


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_stop_in_the_middle_ends_now(name):
    baseline, _ = run(name)
    events, session = run(name, [(middle(baseline), said("stop"))])
    assert (events[-1].t, session.completed) == (pytest.approx(middle(baseline)), False)


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_pause_shifts_everything_after_by_exactly_the_pause(name):
    baseline, _ = run(name)
    paused_at = quiet_window(baseline)
    events, _ = run(name, [(paused_at, said("pause")), (paused_at + 42.5, said("resume"))])
    later = [
        e
        for e in events
        if e.t > paused_at + 42.5 or (e.t == paused_at + 42.5 and not isinstance(e, Say))
    ]
    shifted = [type(e)(**{**e.__dict__, "t": e.t + 42.5}) for e in baseline if e.t > paused_at]
    assert script(later) == script(shifted)


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_next_in_the_middle_finishes_sooner(name):
    baseline, _ = run(name)
    events, session = run(name, [(quiet_window(baseline), said("next"))])
    assert session.completed
    assert events[-1].t < baseline[-1].t


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_repeat_in_the_middle_says_something_again(name):
    baseline, _ = run(name)
    events, session = run(name, [(middle(baseline), said("repeat"))])
    assert session.completed
    assert len([e for e in events if isinstance(e, Say)]) > len(
        [e for e in baseline if isinstance(e, Say)]
    )


@pytest.mark.parametrize("name", EXERCISE_IDS)
@pytest.mark.parametrize("control", ["slower", "faster"])
def test_pace_change_in_the_middle_changes_later_speech(name, control):
    baseline, _ = run(name)
    events, session = run(name, [(middle(baseline), said(control))])
    before, after = baseline[-2], [e for e in events if isinstance(e, Say)][-1]
    assert session.completed
    assert after.rate < before.rate if control == "slower" else after.rate > before.rate


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_controls_in_every_state_never_break_the_session(name):
    baseline, _ = run(name)
    moments = [e.t + 0.5 for e in baseline[1:-1:3]]
    controls = ["help", "time_left", "louder", "quieter", "pause", "resume", "repeat", "faster"]
    events, session = run(
        name, [(t, said(controls[i % len(controls)])) for i, t in enumerate(moments)]
    )
    assert session.state is State.ENDED
    assert isinstance(events[-1], End)
