"""`voice-coach history [--json]`: the rituals done, most recent first. It also lets a couple see
for themselves that only times, completion and ratings are kept."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from .. import paths
from ..coaching.history import History, SessionRecord

EMPTY = 'No rituals yet. Whenever you are ready, ask the coach "what should we do tonight?"'


def run(args: argparse.Namespace) -> int:
    path = paths.history_path()
    # Only reading: a first look at an empty history should not create the file.
    records: list[SessionRecord] = []
    if path.exists():
        with History(path, on_warning=lambda message: print(f"voice-coach: {message}",
                                                            file=sys.stderr)) as history:
            records = history.recent()
    if args.json:
        for record in records:
            print(json.dumps(as_json(record)))
    elif records:
        for record in records:
            print(as_line(record))
    else:
        print(EMPTY)
    return 0


def as_json(record: SessionRecord) -> dict:
    return {
        "id": record.id,
        "exercise": record.exercise,
        "started_at": _local_text(record.started_at),
        "ended_at": _local_text(record.ended_at) if record.ended_at else None,
        "duration_s": record.duration_s,
        "completed": record.completed,
        "ratings": [{"label": r.label, "value": r.value} for r in record.ratings],
    }


def as_line(record: SessionRecord) -> str:
    when = record.started_at.astimezone().strftime("%a %d %b %Y %H:%M")
    if record.ended_at is None:
        status = "not finished"
    else:
        status = "completed" if record.completed else "stopped early"
    ratings = ", ".join(f"{r.label} {r.value}" for r in record.ratings)
    duration = _duration(record.duration_s)
    return f"{when}  {record.exercise:<15} {duration:>9}  {status:<13}  {ratings}".rstrip()


def _local_text(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
