"""The benchmark's held-out sets and how typed text scores against them.

The sets in data/ were written blind to the templates and are never used to tune them, so the
figures measure how the coach copes with phrasings nobody planned for."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str | None
    """None: not for the coach."""
    slots: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Scores:
    accuracy: float
    """Share of in-scope lines given the right intent and slots."""
    rejection: float
    """Share of out-of-scope lines given no intent."""
    misses: tuple[tuple[str, str | None, str | None], ...]
    """(text, expected, got) for every wrong answer, for reading, not for tuning."""


def load_labelled(name: str) -> list[Labelled]:
    """A `text<TAB>intent or -<TAB>slots json` file from bench/data."""
    items = []
    for line in (BENCH_DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, intent, slots = line.split("\t")
        items.append(Labelled(text, None if intent == "-" else intent, json.loads(slots)))
    return items


def load_conversation() -> list[str]:
    lines = (BENCH_DATA / "conversation.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def is_right(item: Labelled, intent: str | None, slots: dict) -> bool:
    if intent != item.intent:
        return False
    return {k: str(v) for k, v in item.slots.items()} == {k: str(v) for k, v in slots.items()}


def score(items: Iterable[Labelled], answers: Iterable[tuple[str | None, dict]]) -> Scores:
    right = inscope = rejected = outscope = 0
    misses = []
    for item, (intent, slots) in zip(items, answers, strict=True):
        ok = is_right(item, intent, slots)
        if item.intent is None:
            outscope += 1
            rejected += ok
        else:
            inscope += 1
            right += ok
        if not ok:
            misses.append((item.text, item.intent, intent))
    return Scores(right / max(1, inscope), rejected / max(1, outscope), tuple(misses))


def text_scores(matcher, items: list[Labelled]) -> Scores:
    results = [matcher.match(item.text) for item in items]
    return score(items, [(r.intent, dict(r.slots)) for r in results])
