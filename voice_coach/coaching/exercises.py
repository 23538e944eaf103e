"""Exercises are data a therapist can edit: one TOML file per exercise in data/exercises/ (its
README.md documents the format). This module loads and checks them, so a typo is reported with the
file, the step and the key instead of surfacing mid-session in the dark."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import ExerciseError
from ..paths import PACKAGE_DATA
from ..settings import BreathSettings

EXERCISE_DIR = PACKAGE_DATA / "exercises"
EXERCISE_IDS = (
    "appreciation",
    "sentence_stems",
    "stress_map",
    "hug",
    "breathing",
    "rose_thorn_bud",
    "magic_minutes",
    "gentle_start",
)
CUE_PHASES = frozenset({"inhale", "hold", "exhale", "timer_start", "timer_end"})


class StepKind(StrEnum):
    """What a step does; each is also the key that names it in an exercise file."""

    SAY = "say"
    CUE = "cue"
    SILENCE = "silence"
    TIMER = "timer"
    BREATHE = "breathe"
    PROMPT = "prompt"
    RATING = "rating"
    ASK = "ask"


STEP_OPTIONS: dict[StepKind, frozenset[str]] = {
    StepKind.SAY: frozenset(),
    StepKind.CUE: frozenset(),
    StepKind.SILENCE: frozenset(),
    StepKind.TIMER: frozenset({"start_cue", "end_cue"}),
    StepKind.BREATHE: frozenset({"inhale", "hold", "exhale"}),
    StepKind.PROMPT: frozenset({"seconds", "end_cue"}),
    StepKind.RATING: frozenset({"label", "say_back", "seconds"}),
    StepKind.ASK: frozenset({"seconds", "if_no"}),
}
"""The options each kind of step may carry besides its own key."""
# {first} and {second} name the partners anywhere; {partner} and {other} only inside a turn.
_BOTH_NAMES = frozenset({"first", "second"})
_TURN_NAMES = _BOTH_NAMES | {"partner", "other"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Step:
    """One thing the coach does; the fields its kind does not use keep their defaults."""

    kind: StepKind
    text: str = ""
    """What the coach says (say, prompt, rating, ask); may name {first}, {second}, and inside an
    each_partner turn {partner} (whose turn it is) and {other}."""
    phase: str = ""
    """The cue sound to play (cue)."""
    seconds: float = 0.0
    """Timer or silence length; the time box of a prompt, rating or ask."""
    count: int = 0
    """Breaths (breathe)."""
    inhale: float = BreathSettings.inhale_s
    hold: float = BreathSettings.hold_s
    exhale: float = BreathSettings.exhale_s
    """Breath pace (breathe); the settings' pace replaces it when the coach runs a session."""
    start_cue: bool = True
    end_cue: bool = True
    """Timer: chime at start / soft bell at the end. Prompt: soft bell when the time box ends."""
    label: str = ""
    """Rating: what was rated, kept in the history with the partner, e.g. "stress"."""
    say_back: str = ""
    """Rating: what the coach says back, with {value}."""
    if_no: str = ""
    """Ask: said before the exercise ends on a "no"."""
    partner: int | None = None
    """0 or 1 when the step belongs to one partner's turn (from an each_partner block)."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    """Shown in plans and lists, e.g. "The twenty-second hug"."""
    name: str
    """How the coach names it inside a sentence, e.g. "a twenty-second hug"."""
    duration: str
    """Said before it starts, e.g. "six breaths, about a minute"."""
    steps: tuple[Step, ...]
    minutes: float = 5.0
    """Its typical length, so tonight's pick fits the time a couple has."""
    calming: bool = False
    """It suits the last half hour before sleep (tonight's pick prefers it late)."""


def load_exercises(folder: Path = EXERCISE_DIR) -> dict[str, Exercise]:
    """Every *.toml in `folder`, by id, in file-name order."""
    files = sorted(Path(folder).glob("*.toml"))
    if not files:
        raise ExerciseError(
            f"No exercise files were found in {folder}; reinstall voice-coach "
            f"or point it at a folder of exercise .toml files."
        )
    return {exercise.id: exercise for exercise in map(load_exercise, files)}


def load_exercise(path: Path) -> Exercise:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ExerciseError(
            f"Could not read the exercise file {path} ({error}); "
            f"check that it exists and is UTF-8 text."
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ExerciseError(f"{path.name} is not valid TOML ({error}); fix that line.") from error
    where = path.name
    _only_keys(data, {"id", "title", "name", "duration", "minutes", "calming", "steps"}, where)
    exercise_id = _text(data, "id", where)
    if not _ID.match(exercise_id) or exercise_id != path.stem:
        raise ExerciseError(
            f"{where}: id {exercise_id!r} must be lowercase words joined by _ "
            f"and match the file name {path.stem!r}; rename one of them."
        )
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ExerciseError(f"{where}: there are no [[steps]]; add at least one step.")
    steps: list[Step] = []
    for number, raw in enumerate(raw_steps, start=1):
        steps.extend(_parse_step(raw, f"{where}, step {number}"))
    return Exercise(
        id=exercise_id,
        title=_text(data, "title", where),
        name=_text(data, "name", where),
        duration=_text(data, "duration", where),
        steps=tuple(steps),
        minutes=_number(data, "minutes", where, unit="minutes"),
        calming=_flag(data, "calming", where),
    )


def _parse_step(raw: object, where: str) -> list[Step]:
    if not isinstance(raw, dict):
        raise ExerciseError(f'{where}: a step must be a table such as {{ say = "..." }}; fix it.')
    if "each_partner" in raw:
        _only_keys(raw, {"each_partner"}, where)
        inner = raw["each_partner"]
        if not isinstance(inner, list) or not inner:
            raise ExerciseError(f"{where}: each_partner must be a list of steps; add at least one.")
        turn = [
            _parse_single(item, f"{where}, each_partner item {n}", _TURN_NAMES)
            for n, item in enumerate(inner, start=1)
        ]
        return [_with_partner(step, partner) for partner in (0, 1) for step in turn]
    return [_parse_single(raw, where, _BOTH_NAMES)]


def _parse_single(raw: object, where: str, names: frozenset[str]) -> Step:
    if not isinstance(raw, dict):
        raise ExerciseError(f'{where}: a step must be a table such as {{ say = "..." }}; fix it.')
    kinds = [key for key in raw if key in STEP_OPTIONS]
    if len(kinds) != 1:
        raise ExerciseError(
            f"{where}: a step needs exactly one of {', '.join(STEP_OPTIONS)} "
            f"(found {', '.join(kinds) or 'none'}); keep one."
        )
    kind = kinds[0]
    _only_keys(raw, {kind} | STEP_OPTIONS[kind], where)
    value = raw[kind]
    if kind in ("say", "prompt", "rating", "ask"):
        text = _text(raw, kind, where)
        fields: dict = {"text": text}
        _check_placeholders(text, where, kind, names)
    elif kind == "cue":
        if value not in CUE_PHASES:
            raise ExerciseError(
                f"{where}: cue {value!r} is not a cue sound; use one of "
                f"{', '.join(sorted(CUE_PHASES))}."
            )
        fields = {"phase": value}
    elif kind == "breathe":
        fields = {"count": _number(raw, "breathe", where, whole=True)}
    else:
        fields = {"seconds": _number(raw, kind, where)}
    for option in STEP_OPTIONS[kind] & raw.keys():
        if option in ("start_cue", "end_cue"):
            if not isinstance(raw[option], bool):
                raise ExerciseError(f"{where}: {option} must be true or false.")
            fields[option] = raw[option]
        elif option in ("seconds", "inhale", "exhale"):
            fields[option] = _number(raw, option, where)
        elif option == "hold":
            fields[option] = _number(raw, option, where, zero_ok=True)
        else:
            fields[option] = _text(raw, option, where)
            _check_placeholders(
                fields[option], where, option, names | {"value"} if option == "say_back" else names
            )
    if kind in ("prompt", "rating", "ask") and "seconds" not in fields:
        fields["seconds"] = {"prompt": 60.0, "rating": 30.0, "ask": 60.0}[kind]
    if kind == "rating" and not fields.get("label"):
        raise ExerciseError(
            f'{where}: a rating needs a label (what is rated, e.g. "stress") '
            f"so the history can tell ratings apart; add one."
        )
    return Step(kind=StepKind(kind), **fields)


def _with_partner(step: Step, partner: int) -> Step:
    return Step(**{**step.__dict__, "partner": partner})


def _only_keys(table: dict, allowed: set | frozenset, where: str) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ExerciseError(
            f"{where}: unknown key {unknown[0]!r}; use only {', '.join(sorted(allowed))}."
        )


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ExerciseError(f"{where}: {key} must be some text in quotes; add it.")
    return " ".join(value.split())


def _flag(table: dict, key: str, where: str) -> bool:
    value = table.get(key)
    if not isinstance(value, bool):
        raise ExerciseError(f"{where}: {key} must be true or false, not {value!r}; fix it.")
    return value


def _number(table: dict, key: str, where: str, whole: bool = False, zero_ok: bool = False,
            unit: str = "seconds") -> float:
    value = table.get(key)
    kinds = (int,) if whole else (int, float)
    if (
        isinstance(value, bool)
        or not isinstance(value, kinds)
        or value < 0
        or (value == 0 and not zero_ok)
    ):
        wanted = (
            "a whole number above 0"
            if whole
            else (f"0 or more {unit}" if zero_ok else f"a number of {unit} above 0")
        )
        raise ExerciseError(f"{where}: {key} must be {wanted}, not {value!r}; fix it.")
    return int(value) if whole else float(value)


def _check_placeholders(text: str, where: str, key: str, allowed: frozenset[str]) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise ExerciseError(
            f"{where}: {key} has a stray brace ({error}); write names as "
            f"{{partner}} or remove the brace."
        ) from error
    unknown = sorted(names - allowed)
    if unknown:
        raise ExerciseError(
            f"{where}: {key} names {{{unknown[0]}}}, which the coach does not know; "
            f"use {', '.join('{' + n + '}' for n in sorted(allowed))}."
        )
