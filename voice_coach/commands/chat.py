"""`voice-coach chat`: the whole dialog on text. Each stdin line is a turn: `@T text` is heard T
seconds after the start, a plain line is heard the next time the coach waits for someone. With
the virtual clock nothing waits and speech takes its estimated spoken length, so a ten-minute
session prints in milliseconds; `--json` prints one event per line for scripts and tests."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from ..answers import load_answers
from ..clock import Clock, RealClock, VirtualClock
from ..dialog import Dialog, Heard
from ..exercises import load_exercises
from ..history import History, Rating, SessionRecord
from ..intent import IntentMatcher
from ..intent_catalog import load_catalog
from ..session import Cue, End, Event, Say, Start, estimate_speech_seconds
from ..settings import load_settings

SIMULATED_HOURS = 4.0
"""After the last turn the coach runs on until idle; this bounds a session that never ends."""


@dataclass(frozen=True)
class Turn:
    text: str
    at: float | None
    """Seconds after the start; None: when the coach next waits for someone."""


class BadTurn(ValueError):
    """A line that cannot be a turn; the message is one plain sentence."""


def run(args: argparse.Namespace) -> int:
    settings, warnings = load_settings()
    for warning in warnings:
        print(f"voice-coach: {warning}", file=sys.stderr)
    clock: Clock = VirtualClock() if args.clock == "virtual" else RealClock()
    history = History()
    exercises = load_exercises()
    dialog = Dialog(exercises, load_answers(exercises), clock, estimate_speech_seconds,
                    settings=settings, matcher=IntentMatcher(load_catalog()),
                    history=history if args.clock == "real" else Rehearsal(history))
    turns, problems = parse_turns(sys.stdin if args.clock == "real" else sys.stdin.read().splitlines())
    start = clock.now()
    for event in converse(dialog, clock, turns):
        line = as_json(event, start) if args.json else as_text(event, start)
        if line is not None:
            print(line, flush=True)
    for problem in problems:
        print(f"voice-coach: {problem}", file=sys.stderr)
    return 2 if problems else 0


def parse_turns(lines: Iterable[str]) -> tuple[Iterator[Turn], list[str]]:
    """Turns from lines; bad lines are skipped and described in the returned list (filled as the
    turns are read, so the rest of the input is still used)."""
    problems: list[str] = []

    def turns() -> Iterator[Turn]:
        for number, line in enumerate(lines, start=1):
            try:
                turn = parse_turn(line)
            except BadTurn as error:
                problems.append(f"line {number}: {error}")
                continue
            if turn is not None:
                yield turn

    return turns(), problems


def parse_turn(line: str) -> Turn | None:
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    if not line.startswith("@"):
        return Turn(line, None)
    stamp, _, text = line[1:].partition(" ")
    try:
        at = float(stamp)
    except ValueError:
        raise BadTurn(f"{'@' + stamp!r} is not a time in seconds; write it like @12.5 followed by "
                      f"what is said.") from None
    if at < 0 or not text.strip():
        raise BadTurn(f"{line!r} needs a time of 0 or more and something said, like @12.5 stop.")
    return Turn(text.strip(), at)


def converse(dialog: Dialog, clock: Clock, turns: Iterable[Turn]) -> Iterator[Event | Heard]:
    """Play the turns to the dialog on `clock`, then run on until the coach is idle."""
    start = clock.now()
    for turn in turns:
        if turn.at is not None:
            yield from _run_until(dialog, clock, start + turn.at)
        else:
            yield from _run_until_waiting(dialog, clock)
        yield from dialog.hear(turn.text)
    limit = clock.now() + SIMULATED_HOURS * 3600
    while not (dialog.idle and dialog.next_deadline() is None):
        deadline = dialog.next_deadline()
        if deadline is None or deadline > limit:
            break
        _wait_until(clock, deadline)
        yield from dialog.poll()


def _run_until(dialog: Dialog, clock: Clock, when: float) -> Iterator[Event | Heard]:
    while (deadline := dialog.next_deadline()) is not None and deadline <= when:
        _wait_until(clock, deadline)
        yield from dialog.poll()
    _wait_until(clock, when)
    yield from dialog.poll()


def _run_until_waiting(dialog: Dialog, clock: Clock) -> Iterator[Event | Heard]:
    while not dialog.awaiting_reply:
        candidates = [t for t in (dialog.next_deadline(), dialog.speaking_until) if t is not None
                      and t > clock.now()]
        if not candidates:
            return
        _wait_until(clock, min(candidates))
        yield from dialog.poll()


def _wait_until(clock: Clock, when: float) -> None:
    clock.sleep(max(0.0, when - clock.now()))


def as_json(event: Event | Heard, start: float) -> str | None:
    """The contract's events; None for the live loop's own (listen, interrupt)."""
    fields: dict = {"t": round(event.t - start, 3)}
    if isinstance(event, Say):
        fields |= {"event": "say", "text": event.text, "rate": round(event.rate),
                   "volume": round(event.volume, 2)}
    elif isinstance(event, Cue):
        fields |= {"event": "cue", "phase": event.phase}
    elif isinstance(event, Heard):
        fields |= {"event": "heard", "text": event.text, "intent": event.intent,
                   "slots": event.slots}
    elif isinstance(event, Start):
        fields |= {"event": "start", "exercise": event.exercise}
    elif isinstance(event, End):
        fields |= {"event": "end", "exercise": event.exercise, "completed": event.completed}
    else:
        return None
    return json.dumps(fields, ensure_ascii=False)


def as_text(event: Event | Heard, start: float) -> str | None:
    stamp = f"{event.t - start:7.1f}  "
    if isinstance(event, Say):
        return f"{stamp}coach: {event.text}"
    if isinstance(event, Cue):
        return f"{stamp}({event.phase.replace('_', ' ')})"
    if isinstance(event, Heard):
        return f"{stamp}heard: {event.text}  -> {event.intent or 'not for the coach'}"
    if isinstance(event, Start):
        return f"{stamp}-- {event.exercise} starts"
    if isinstance(event, End):
        return f"{stamp}-- {event.exercise} {'completed' if event.completed else 'stopped'}"
    return None


class Rehearsal:
    """The history for a virtual-clock chat: reads the real one (tonight's pick, progress) but keeps
    its own sessions in memory, since they ran on a simulated clock and are not real rituals."""

    def __init__(self, real: History) -> None:
        self._real = real
        self._own: list[SessionRecord] = []

    def start(self, exercise: str, when: datetime) -> int:
        self._own.insert(0, SessionRecord(-len(self._own) - 1, exercise, when.astimezone(), None, False))
        return self._own[0].id

    def finish(self, session_id: int, when: datetime, completed: bool) -> None:
        self._update(session_id, ended_at=when.astimezone(), completed=completed)

    def add_rating(self, session_id: int, label: str, value: int) -> None:
        record = next(r for r in self._own if r.id == session_id)
        self._update(session_id, ratings=(*record.ratings, Rating(label, value)))

    def recent(self, limit: int | None = None) -> list[SessionRecord]:
        records = self._own + self._real.recent(limit)
        return records if limit is None else records[:limit]

    def _update(self, session_id: int, **changes) -> None:
        self._own = [replace(r, **changes) if r.id == session_id else r for r in self._own]
