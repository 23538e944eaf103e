"""`voice-coach chat`: the whole dialog on text. Each stdin line is a turn: `@T text` is heard T
seconds after the start, a plain line is heard the next time the coach waits for someone. With
the virtual clock nothing waits and speech takes its estimated spoken length, so a ten-minute
session prints in milliseconds; `--json` prints one event per line for scripts and tests."""

from __future__ import annotations

import argparse
import queue
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ..coaching.answers import load_answers
from ..coaching.clock import Clock, RealClock, VirtualClock
from ..coaching.dialog import Dialog, Heard, Mode
from ..coaching.events import as_json
from ..coaching.exercises import load_exercises
from ..coaching.history import History, Rating, SessionRecord
from ..coaching.session import Cue, End, Event, Say, Start, estimate_speech_seconds
from ..settings import load_settings
from ..understanding.catalog import load_catalog
from ..understanding.intent import IntentMatcher

SIMULATED_HOURS = 4.0
"""The longest chat: turns are timed within it, and a session that never ends is cut there."""


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
    virtual = args.clock == "virtual"
    clock: Clock = VirtualClock() if virtual else RealClock()
    history = History()
    exercises = load_exercises()
    dialog = Dialog(
        exercises,
        load_answers(exercises),
        clock,
        estimate_speech_seconds,
        settings=settings,
        matcher=IntentMatcher(load_catalog(), wake=settings.wake),
        history=Rehearsal(history) if virtual else history,
    )
    turns, problems = parse_turns(sys.stdin.read().splitlines() if virtual else sys.stdin)
    source = ListedTurns(turns) if virtual else TypedTurns(turns)
    start = clock.now()
    for event in converse(dialog, clock, source):
        if isinstance(event, SHOWN):
            print(as_json(event, start) if args.json else as_text(event, start), flush=True)
    for problem in problems:
        print(f"voice-coach: {problem}", file=sys.stderr)
    return 2 if problems else 0


class EndOfInput:
    """No more turns will come."""


END = EndOfInput()


class Turns(Protocol):
    def get(self, timeout: float | None) -> Turn | None | EndOfInput:
        """The next turn; None if none came within `timeout` seconds; END when input is over."""


class ListedTurns:
    """Turns known in advance (virtual clock): never waits."""

    def __init__(self, turns: Iterable[Turn]) -> None:
        self._turns = iter(turns)

    def get(self, timeout: float | None) -> Turn | EndOfInput:
        return next(self._turns, END)


class TypedTurns:
    """Turns as they are typed or piped (real clock): a thread reads them, so the coach keeps
    time while waiting for the next line."""

    def __init__(self, turns: Iterator[Turn]) -> None:
        self._queue: queue.Queue[Turn | EndOfInput] = queue.Queue()
        threading.Thread(target=self._read, args=(turns,), daemon=True).start()

    def _read(self, turns: Iterator[Turn]) -> None:
        for turn in turns:
            self._queue.put(turn)
        self._queue.put(END)

    def get(self, timeout: float | None) -> Turn | None | EndOfInput:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None


def parse_turns(lines: Iterable[str]) -> tuple[Iterator[Turn], list[str]]:
    """Turns from lines, read lazily; a bad line is skipped and described in the list returned
    (filled as the turns are read), so the rest of the input is still used."""
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
    """A turn, or None for a blank line or a # comment; BadTurn says what is wrong."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    if not line.startswith("@"):
        return Turn(line, None)
    stamp, _, text = line[1:].partition(" ")
    try:
        at = float(stamp)
    except ValueError:
        raise BadTurn(
            f"{'@' + stamp!r} is not a time in seconds; write it like @12.5 followed by "
            f"what is said."
        ) from None
    if not 0 <= at <= SIMULATED_HOURS * 3600:
        raise BadTurn(
            f"{'@' + stamp!r} is not a time from 0 to {SIMULATED_HOURS * 3600:.0f} seconds; "
            f"write it like @12.5 followed by what is said."
        )
    if not text.strip():
        raise BadTurn(f"{line!r} has nothing said after the time; write it like @12.5 stop.")
    return Turn(text.strip(), at)


def converse(
    dialog: Dialog, clock: Clock, turns: Iterable[Turn] | Turns
) -> Iterator[Event | Heard]:
    """Play the turns to the dialog in order, each at its moment (a plain turn when the coach
    next waits for someone), then run on until no exercise is running and the coach has finished
    speaking."""
    source = turns if hasattr(turns, "get") else ListedTurns(turns)
    start = clock.now()
    pending: deque[Turn] = deque()
    ended = False
    while True:
        if pending and _due(pending[0], dialog, clock, start):
            yield from dialog.hear(pending.popleft().text)
            continue
        if ended and not pending and not _busy(dialog):
            return
        wake = _next_moment(dialog, clock, start, pending[0] if pending else None)
        if not ended:
            got = source.get(None if wake is None else max(0.0, wake - clock.now()))
            if isinstance(got, EndOfInput):
                ended = True
            elif got is not None:
                pending.append(got)
            if got is not None:
                continue
        elif wake is None or wake - start > SIMULATED_HOURS * 3600:
            return
        else:
            clock.sleep(max(0.0, wake - clock.now()))
        yield from dialog.poll()


def _due(turn: Turn, dialog: Dialog, clock: Clock, start: float) -> bool:
    if turn.at is not None:
        return clock.now() >= start + turn.at
    return dialog.awaiting_reply


def _busy(dialog: Dialog) -> bool:
    return dialog.mode is Mode.EXERCISE or not dialog.awaiting_reply


def _next_moment(dialog: Dialog, clock: Clock, start: float, turn: Turn | None) -> float | None:
    """When something may next happen: a deadline, the end of the coach's speech, a timed turn."""
    speech_end = dialog.speaking_until if dialog.speaking_until > clock.now() else None
    moments = [
        dialog.next_deadline(),
        speech_end,
        None if turn is None or turn.at is None else start + turn.at,
    ]
    return min((moment for moment in moments if moment is not None), default=None)


SHOWN = (Say, Cue, Heard, Start, End)
"""What a chat prints; listen and interrupt are the live loop's business."""


def as_text(event: Event | Heard, start: float) -> str:
    stamp = f"{event.t - start:7.1f}  "
    if isinstance(event, Say):
        return f"{stamp}coach: {event.text}"
    if isinstance(event, Cue):
        return f"{stamp}({event.phase.replace('_', ' ')})"
    if isinstance(event, Heard):
        return f"{stamp}heard: {event.text}  -> {event.intent or 'not for the coach'}"
    if isinstance(event, Start):
        return f"{stamp}-- {event.exercise} starts"
    return f"{stamp}-- {event.exercise} {'completed' if event.completed else 'stopped'}"


class Rehearsal:
    """The history for a virtual-clock chat: reads the real one (tonight's pick, progress) but keeps
    its own sessions in memory, since they ran on a simulated clock and are not real rituals."""

    def __init__(self, real: History) -> None:
        self._real = real
        self._own: list[SessionRecord] = []

    def start(self, exercise: str, when: datetime) -> int:
        self._own.insert(
            0, SessionRecord(-len(self._own) - 1, exercise, when.astimezone(), None, False)
        )
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
