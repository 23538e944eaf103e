"""Every event the coach tells a person or a script about, and its one JSON shape.

The session makes most of them (Say, Cue, Listen, Interrupt, Start, End), the dialog adds Heard,
and the live loop adds its own (Ready, Notice, Underrun). `as_fields` is the only place an event
becomes JSON: the live loop's `--json-events`, `chat --json` and `plan --json` all print through
it, so a script reads one shape (the README's "Events" table documents it)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .dialog import Heard
from .session import Cue, End, Interrupt, Listen, Say, Start


@dataclass(frozen=True)
class Ready:
    """The microphone is open: the coach listens from now on."""

    t: float


@dataclass(frozen=True)
class Notice:
    """Something the person must know, in one sentence: a device lost or back, a reply that
    could not be spoken."""

    t: float
    text: str


@dataclass(frozen=True)
class Underrun:
    """The speaker was asked for `count` blocks too late (the benchmark counts them; a person is
    not told of each one)."""

    t: float
    count: int


Told = Say | Cue | Listen | Interrupt | Start | End | Heard | Ready | Notice | Underrun

KINDS: dict[type, str] = {Say: "say", Cue: "cue", Listen: "listen", Interrupt: "interrupt",
                          Start: "start", End: "end", Heard: "heard", Ready: "ready",
                          Notice: "warning", Underrun: "underrun"}
"""The `event` name of each event in JSON."""


def kind(event: Told) -> str:
    """The event's name, e.g. "say"."""
    return KINDS[type(event)]


def as_fields(event: Told, since: float = 0.0) -> dict:
    """`event` as JSON-ready fields; `t` counts seconds from `since`."""
    fields: dict = {"t": round(event.t - since, 4), "event": kind(event)}
    if isinstance(event, Say):
        fields |= {"text": event.text, "rate": round(event.rate), "volume": round(event.volume, 2)}
        if event.seconds is not None:
            fields["seconds"] = round(event.seconds, 3)
    elif isinstance(event, Cue):
        fields["phase"] = event.phase
    elif isinstance(event, Listen):
        fields |= {"seconds": round(event.until - event.t, 3), "sharing": event.sharing}
    elif isinstance(event, Heard):
        fields |= {"text": event.text, "intent": event.intent, "slots": event.slots}
    elif isinstance(event, (Start, End)):
        fields["exercise"] = event.exercise
        if isinstance(event, End):
            fields["completed"] = event.completed
    elif isinstance(event, Notice):
        fields["text"] = event.text
    elif isinstance(event, Underrun):
        fields["count"] = event.count
    return fields


def as_json(event: Told, since: float = 0.0) -> str:
    """One line of JSON for `event`."""
    return json.dumps(as_fields(event, since), ensure_ascii=False)
