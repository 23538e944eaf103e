"""`voice-coach run EXERCISE`: one exercise, live, straight away (asking for it is consent)."""

from __future__ import annotations

from ..coaching.exercises import load_exercises
from ..errors import ExerciseError
from . import live


def run(args) -> int:
    exercises = load_exercises()
    if args.exercise not in exercises:
        raise ExerciseError(f"There is no exercise called {args.exercise!r}; choose one of: "
                            f"{', '.join(sorted(exercises))}.")
    return live.run(args, exercise=args.exercise)
