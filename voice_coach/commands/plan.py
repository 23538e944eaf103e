"""`voice-coach plan EXERCISE`: the exercise's timeline, printed at once. Each partner is taken to
use their whole time box and every question is answered "yes", so the plan shows the longest
ordinary run — what a therapist editing the file wants to see."""

from __future__ import annotations

import argparse

from ..coaching.clock import VirtualClock
from ..coaching.dialog import new_session
from ..coaching.events import as_json
from ..coaching.exercises import load_exercises
from ..coaching.session import Cue, Listen, Say, Start, estimate_speech_seconds, simulate
from ..errors import ExerciseError
from ..settings import load_settings
from ..voice.prerender import answer_yes


def run(args: argparse.Namespace) -> int:
    exercises = load_exercises()
    if args.exercise not in exercises:
        raise ExerciseError(
            f"There is no exercise called {args.exercise!r}; choose one of {', '.join(exercises)}."
        )
    settings, _ = load_settings()
    clock = VirtualClock()
    session = new_session(exercises[args.exercise], settings, clock, estimate_speech_seconds)
    for event in simulate(session, clock, answer=answer_yes):
        print(as_json(event) if args.json else _line(event))
    return 0


def _line(event) -> str:
    minutes, seconds = divmod(event.t, 60)
    stamp = f"{int(minutes):2d}:{seconds:04.1f}  "
    if isinstance(event, Say):
        return f"{stamp}say     {event.text}"
    if isinstance(event, Cue):
        return f"{stamp}cue     {event.phase.replace('_', ' ')}"
    if isinstance(event, Listen):
        what = "partner shares" if event.sharing else "answer"
        return f"{stamp}listen  up to {event.until - event.t:.0f} s ({what})"
    if isinstance(event, Start):
        return f"{stamp}start   {event.exercise}"
    return f"{stamp}end     {event.exercise}"
