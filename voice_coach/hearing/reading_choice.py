"""Choosing between the two ears' readings: PocketSphinx's (grammar-confirmed or not) and
Whisper's free reading, each put to the intent matcher. Pure logic on what the ears said and
what the matcher made of it: no audio, no engine, so every decision is tested on scripted
readings.

The rules, in order. On the hearing dev set (voice_coach/bench/hearing_dev.py, 324 utterances; the
README has the table) commands were understood 0.938 clean, 0.672 at 10 dB and 0.641 at 5 dB
(PocketSphinx alone, with RNNoise in hiss, 0.828 / 0.609 / 0.562; Whisper alone 0.766 / 0.469 /
0.391) and out-of-scope sentences rejected 0.975 / 1.000 / 0.975, noise alone 12 of 12;
FREE_SURE and AGREEMENT were chosen by replaying those readings (README, "what each piece
bought").
1. Whisper heard no speech (its no-speech probability at least NO_SPEECH) and PocketSphinx has no
   confirmed command: nothing for the coach.
2. Both ears understood the same intent: take it (the reading with the higher score, for its
   slots).
3. Only Whisper understood a command: take it when its reading is sure enough (average token log
   probability at least FREE_SURE). A doubtful free reading in noise is often a hallucination
   shaped by the prompt.
4. Only PocketSphinx understood a command: take it when its grammar pass confirmed it and
   Whisper's words sound like it (AGREEMENT), or Whisper heard no words.
5. They disagree on the intent: the sure free reading wins, else a confirmed grammar reading
   that Whisper's words sound like.
6. Otherwise nothing for the coach. What Whisper heard is still passed on (unconfirmed), so the
   dialog knows that a partner spoke, e.g. while sharing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .recognition import Transcript

NO_SPEECH = 0.6
FREE_SURE = -1.0
"""Average log probability per token above which Whisper's reading is trusted on its own."""
AGREEMENT = 50.0
"""Character similarity (0-100) of the two ears' readings above which they heard the same
thing: "close" and "pause", "resume" and "review", but not "absolutely not" and "my back hurts a
little" (a confirmed grammar reading Whisper does not echo is everyday talk bent into a
command)."""


@dataclass(frozen=True)
class Verdict:
    """What the matcher made of one reading."""

    text: str
    intent: str | None
    score: float


@dataclass(frozen=True)
class FreeReading:
    """Whisper's readings (best first), their average token log probabilities, and its
    probability that there was no speech at all."""

    texts: tuple[str, ...]
    log_probs: tuple[float, ...]
    no_speech: float


Match = Callable[[str, bool], Verdict]
"""The matcher, as (text, confirmed) -> Verdict."""


def choose(grammar: Transcript, free: FreeReading, match: Match, engine: str = "") -> Transcript:
    """The one Transcript the coach acts on (see the module note for the rules)."""
    heard = _grammar_verdict(grammar, match)
    understood = _free_verdict(free, match)
    free_sure = bool(free.texts) and free.log_probs[0] >= FREE_SURE
    if free.no_speech >= NO_SPEECH and not (heard.intent and grammar.confirmed):
        return _nothing(free, match, engine)
    if heard.intent and heard.intent == understood.intent:
        best = max((heard, understood), key=lambda verdict: verdict.score)
        return _taken(best, engine)
    if understood.intent and not heard.intent:
        return _taken(understood, engine) if free_sure else _nothing(free, match, engine)
    echoed = not free.texts or agreement(grammar.text, free.texts) >= AGREEMENT
    if heard.intent and not understood.intent:
        return _taken(heard, engine) if grammar.confirmed and echoed \
            else _nothing(free, match, engine)
    if heard.intent and understood.intent:
        if free_sure:
            return _taken(understood, engine)
        return _taken(heard, engine) if grammar.confirmed and echoed \
            else _nothing(free, match, engine)
    return _nothing(free, match, engine)


def agreement(text: str, others: tuple[str, ...]) -> float:
    """How alike `text` is to the closest of `others` (rapidfuzz character ratio, 0-100)."""
    from rapidfuzz import fuzz

    return max((fuzz.ratio(text, other) for other in others), default=0.0)


def _grammar_verdict(grammar: Transcript, match: Match) -> Verdict:
    if not grammar.text:
        return Verdict("", None, 0.0)
    return match(grammar.text, grammar.confirmed)


def _free_verdict(free: FreeReading, match: Match) -> Verdict:
    """The first free reading the matcher understands, else the first's verdict."""
    verdicts = [match(text, True) for text in free.texts]
    understood = [verdict for verdict in verdicts if verdict.intent]
    if understood:
        return understood[0]
    return verdicts[0] if verdicts else Verdict("", None, 0.0)


def _taken(verdict: Verdict, engine: str) -> Transcript:
    return Transcript(verdict.text, verdict.score / 100.0, (), engine, confirmed=True)


def _nothing(free: FreeReading, match: Match, engine: str) -> Transcript:
    """Not for the coach: Whisper's words when it heard speech and they stay rejected as an
    unconfirmed reading (so the dialog cannot take them for a command after all), else none."""
    text = free.texts[0] if free.texts and free.no_speech < NO_SPEECH else ""
    if text and match(text, False).intent is not None:
        text = ""
    return Transcript(text, 0.0, (), engine, confirmed=False)
