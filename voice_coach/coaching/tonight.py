"""Tonight's pick: one exercise, and one sentence saying why. What the couple says weighs most
("we're stressed", "we had a fight", "we only have two minutes"), then the hour (calming things
late, no hard talk near bedtime unless they ask), then a rotation, so they are not offered last
night's ritual again. Deterministic: the same history, time and words give the same pick."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache

from ..settings import NightSettings
from ..understanding.templates import number_words
from .exercises import Exercise, load_exercises
from .history import SessionRecord
from .progress import ritual_day

STRESSED, TIRED, SHORT, HARD_TALK, DISCONNECTED = (
    "stressed", "tired", "short", "hard_talk", "disconnected")
HINTS = frozenset({STRESSED, TIRED, SHORT, HARD_TALK, DISCONNECTED})
# A hard conversation started after this tends to run into sleep time.
HARD_TALK_CUTOFF = time(22, 0)
DEFAULT_NIGHT = NightSettings()
# "We're short on time" without a number.
SHORT_MINUTES = 3.0


PREFERENCE = ("breathing", "appreciation", "hug", "rose_thorn_bud", "magic_minutes",
              "sentence_stems", "stress_map", "gentle_start")
"""In order of preference when nothing else decides: the smallest, easiest rituals first. Each
exercise's name, length and whether it calms come from its file (data/exercises/*.toml)."""


@lru_cache(maxsize=1)
def _installed() -> dict[str, Exercise]:
    return load_exercises()


def choices(exercises: Mapping[str, Exercise] | None = None) -> dict[str, Exercise]:
    """The exercises tonight's pick chooses from, in PREFERENCE order (one added to the files
    and not named there comes last)."""
    exercises = _installed() if exercises is None else exercises
    order = [ex for ex in PREFERENCE if ex in exercises]
    return {ex: exercises[ex] for ex in order + sorted(set(exercises) - set(order))}


# What each hint makes more fitting, and by how much; a hint outweighs the hour and the rotation.
_HINT_BONUS: dict[str, dict[str, int]] = {
    HARD_TALK: {"gentle_start": 100},
    STRESSED: {"breathing": 60, "stress_map": 50, "hug": 30},
    TIRED: {"hug": 40, "breathing": 40, "magic_minutes": 35},
    DISCONNECTED: {"appreciation": 50, "rose_thorn_bud": 45, "sentence_stems": 40},
}

_HINT_REASON: dict[tuple[str, str], str] = {
    (HARD_TALK, "gentle_start"): "Since something hard is between you, {name} gives it a safe "
                                 "shape: calm bodies first, then one speaks, one listens.",
    (STRESSED, "breathing"): "You sound stressed, so let's settle your bodies first with {name}.",
    (STRESSED, "stress_map"): "You sound stressed, so {name} can show each of you what the other "
                              "is carrying this week.",
    (STRESSED, "hug"): "You sound stressed, and {name} is the quickest way to calm down together.",
    (TIRED, "hug"): "You sound tired, so something gentle and short: {name}.",
    (TIRED, "breathing"): "You sound tired, so something gentle and short: {name}.",
    (TIRED, "magic_minutes"): "You sound tired, so let's just wind down together with {name}.",
    (DISCONNECTED, "appreciation"): "To feel close again, {name} is a small, easy way back "
                                    "to each other.",
    (DISCONNECTED, "rose_thorn_bud"): "To feel close again, {name} lets you catch up on each "
                                      "other's days.",
    (DISCONNECTED, "sentence_stems"): "To feel close again, {name} help you say what usually "
                                      "goes unsaid.",
}

_HINT_WORDS: dict[str, re.Pattern[str]] = {
    STRESSED: re.compile(r"\bstress|overwhelm|anxious|\btense\b|frazzled|burn(t|ed) out|"
                         r"(rough|long|hard|bad) (day|week)"),
    TIRED: re.compile(r"\b(tired|sleepy|exhausted|knackered|wiped|drained|worn out)\b"),
    SHORT: re.compile(r"\b(quick|quickly|short|hurry|rushed|in a rush)\b|"
                      r"(not much|no|little) time|only (have|got)"),
    HARD_TALK: re.compile(r"\b(fight|fought|fighting|argu\w*|conflict)\b|(had|having) a row\b|"
                          r"(hard|difficult|tough|touchy) (topic|conversation|talk|subject)|"
                          r"talk about something|upset with"),
    DISCONNECTED: re.compile(r"disconnect|distant|grown apart|drift\w* apart|roommates|"
                             r"miss (each other|us)|out of touch"),
}
_NUMBER_WORDS = {number_words(n): n for n in range(1, 61)} | {"a": 1, "a couple of": 2, "a few": 3}
"""How a couple says how many minutes they have, spelled as the recogniser spells numbers."""
_MINUTES = re.compile(r"\b(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) +
                      r")\s+min(ute)?s?\b|\bhalf an hour\b|\b(an|one) hour\b")


@dataclass(frozen=True)
class Suggestion:
    exercise: str
    """Exercise id, e.g. "breathing"."""
    reason: str
    """One sentence saying why this one, naming it."""


def hints_in(text: str) -> frozenset[str]:
    """The hints a sentence carries, e.g. "we had a fight" -> {"hard_talk"}."""
    lowered = text.lower().replace("’", "'")
    found = {hint for hint, pattern in _HINT_WORDS.items() if pattern.search(lowered)}
    return frozenset(found | ({SHORT} if minutes_in(text) is not None else set()))


def minutes_in(text: str) -> float | None:
    """The time the couple says they have: "we only have two minutes" -> 2."""
    match = _MINUTES.search(text.lower())
    if match is None:
        return None
    if match.group(1) is None:
        return 30.0 if "half" in match.group(0) else 60.0
    number = match.group(1)
    return float(number) if number.isdigit() else float(_NUMBER_WORDS[number])


def pick(sessions: Iterable[SessionRecord], now: datetime,
         hints: str | Iterable[str] = (), minutes_available: float | None = None,
         night: NightSettings = DEFAULT_NIGHT,
         exercises: Mapping[str, Exercise] | None = None) -> Suggestion:
    """Choose tonight's exercise (from `exercises`, the installed ones by default).

    `sessions`: the history (any order). `now`: the local time (naive means this machine's zone).
    `hints`: what the couple said, as text, or hint names from HINTS (other strings are read as
    text). `minutes_available`: the time they have, if known; otherwise read from the words."""
    history = sorted(sessions, key=lambda s: s.started_at, reverse=True)
    words = [hints] if isinstance(hints, str) else list(hints)
    wanted = frozenset().union(*[{w} if w in HINTS else hints_in(w) for w in words])
    if minutes_available is None:
        minutes_available = next((m for m in map(minutes_in, words) if m is not None),
                                 SHORT_MINUTES if SHORT in wanted else None)
    late = night.includes(now.time())
    offered = choices(exercises)
    candidates = [ex for ex in offered
                  if _allowed(ex, now.time(), wanted)
                  and (minutes_available is None or offered[ex].minutes <= minutes_available)]
    if not candidates:
        # Even one minute is enough for a hug.
        candidates = [min(offered, key=lambda ex: offered[ex].minutes)]
    days_since = _days_since(history, now)
    last = history[0].exercise if history else None
    best = max(candidates, key=lambda ex: (_score(offered, ex, wanted, late, last, days_since),
                                           -list(offered).index(ex)))
    reason = _reason(offered, best, wanted, late, minutes_available, last, days_since,
                     bool(history))
    return Suggestion(best, reason.format(name=offered[best].name))


def _allowed(exercise: str, clock: time, wanted: frozenset[str]) -> bool:
    late_for_hard_talk = clock >= HARD_TALK_CUTOFF or clock < time(6, 0)
    return not (exercise == "gentle_start" and late_for_hard_talk and HARD_TALK not in wanted)


def _days_since(history: list[SessionRecord], now: datetime) -> dict[str, int]:
    """Ritual days since each exercise was last done (history is most recent first)."""
    today = ritual_day(now, now)
    days: dict[str, int] = {}
    for session in history:
        days.setdefault(session.exercise, (today - ritual_day(session.started_at, now)).days)
    return days


def _score(offered: Mapping[str, Exercise], exercise: str, wanted: frozenset[str], late: bool,
           last: str | None, days_since: dict[str, int]) -> int:
    score = sum(_HINT_BONUS.get(hint, {}).get(exercise, 0) for hint in wanted)
    if late:
        score += 25 if offered[exercise].calming else 0
        score -= 10 if exercise in ("stress_map", "sentence_stems") else 0
    if exercise == "gentle_start" and HARD_TALK not in wanted:
        # A hard conversation is theirs to propose.
        score -= 20
    if exercise == last:
        score -= 40
    elif days_since.get(exercise, 99) <= 1:
        score -= 20
    # Longer unseen, more welcome; something never tried counts as a week unseen.
    return score + min(days_since.get(exercise, 7), 14)


def _reason(offered: Mapping[str, Exercise], exercise: str, wanted: frozenset[str], late: bool,
            minutes: float | None, last: str | None, days_since: dict[str, int],
            has_history: bool) -> str:
    for hint in (HARD_TALK, STRESSED, TIRED, DISCONNECTED):
        if hint in wanted and (hint, exercise) in _HINT_REASON:
            return _HINT_REASON[(hint, exercise)]
    if minutes is not None and minutes <= SHORT_MINUTES:
        return "You're short on time, so let's do something quick: {name}."
    if late and offered[exercise].calming:
        return "It's getting late, so something calming before sleep: {name}."
    if not has_history:
        return "A good first ritual is {name}: small and easy to say yes to."
    if exercise not in days_since:
        return "You haven't tried {name} yet, so it's a nice one to discover."
    days = days_since[exercise]
    if days <= 1:
        return "Let's keep it simple with {name}."
    if last in offered and last != exercise:
        return (f"It's been {days} days since you last did {{name}}, "
                f"and it makes a change from {offered[last].name}.")
    return f"It's been {days} days since you last did {{name}}, so it's a good one to come back to."
