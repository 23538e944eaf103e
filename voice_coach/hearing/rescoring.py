"""A second look at what the recogniser heard: the template sentences nearest to its first
readings become a tiny grammar, the same audio is decoded again against only those, and the
sentence found there is taken when it agrees with what was heard freely. Engine-free: the
recogniser runs both decodes, this module picks the candidates, writes the grammar and judges.

Why: the free (n-gram) pass often hears a command nearly right ("coach speak talk", "how long
will the day"), and the matcher then misses it; a grammar of twenty near sentences decodes in
tens of milliseconds and usually finds the sentence really said. But a grammar always returns
one of its sentences, so everyday talk would be snapped onto commands: the forced sentence is
kept only when it is whole, sounds close to one of the free readings and the grammar pass did
not have to cover the speech with silence or noise to fit it (see `verified`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from ..understanding.wake_word import DEFAULT, WakeWord

CANDIDATES = 20
"""Template sentences decoded in the second pass. Always taking the grammar's sentence would
understand 76% of the dev set's clean commands and 49% at 10 dB: the ceiling of this pass."""
MIN_AGREEMENT = 70.0
"""The forced sentence must sound this close (rapidfuzz ratio of phone strings, 0-100) to one
free reading. Phones rather than letters: at the same commands understood, 1.5 points more
everyday sentences rejected on the dev set."""
MAX_FILLER_SHARE = 0.1
"""...and the grammar pass may give at most this share of the speech to silence or noise."""
SHORT_WORDS = 2
"""Template sentences of at most this many words (besides the wake word) make the short grammar,
tried first on short utterances: the free pass hears one- and two-word commands worst ("seven"
as "silly", "yes" as "biaz"; 38% of them understood clean, against 83% of longer ones)."""
SHORT_SPEECH = 100
"""Frames (10 ms) from the free pass's first word to its last up to which an utterance is short.
On the dev set no everyday sentence was shorter than 98 frames; half the short commands were
under 80."""
MIN_SHORT_AGREEMENT = 30.0
"""MIN_AGREEMENT for the short grammar: a free reading of a short command is often far off
("coach speak up" heard as "go to the clock"), and the filler share already turns away most
everyday speech forced into two words."""


@dataclass(frozen=True)
class Segment:
    """A word of a decode and the frames it covers (inclusive)."""

    word: str
    start: int
    end: int
    prob: float = 1.0
    """The decoder's posterior probability of the word (from its lattice)."""

    @property
    def is_word(self) -> bool:
        """A spoken word, not a sentence mark (<s>), silence (<sil>) or noise ([NOISE])."""
        return not self.word.startswith(("<", "["))


class Sounds:
    """Text as a string of sounds, one character a phone, so that rapidfuzz compares how words
    sound, not how they are spelt: "topic" (T AA P IH K) is near "stop" (S T AA P), "close"
    near "pause"; a word without a pronunciation keeps its letters."""

    def __init__(self, pronounce: Callable[[str], str | None], wake: WakeWord = DEFAULT) -> None:
        self._pronounce = pronounce
        self._wake = wake
        self._phones: dict[str, str] = {}
        self._words: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return "".join(self._word(w) for w in self._wake.split(text.split())[1])

    def _word(self, word: str) -> str:
        if word not in self._words:
            phones = (self._pronounce(word) or "").split()
            self._words[word] = "".join(self._phone(p) for p in phones) if phones else word
        return self._words[word]

    def _phone(self, phone: str) -> str:
        # private-use characters: no letter of a bare word can collide with a phone
        return self._phones.setdefault(phone, chr(0xE000 + len(self._phones)))


class NearestSentences:
    """The catalog's spoken sentences, searched by sound; built once per recogniser."""

    def __init__(self, sentences: Iterable[str], sounds: Sounds,
                 count: int = CANDIDATES) -> None:
        self.sounds = sounds
        self._sentences = sorted(set(sentences))
        self._keys = [sounds(s) for s in self._sentences]
        self._count = min(count, len(self._sentences))

    def __call__(self, readings: Sequence[str]) -> list[str]:
        """The sentences nearest to any of `readings`, nearest first."""
        queries = [self.sounds(r) for r in readings if r.strip()]
        if not queries or not self._count:
            return []
        scores = process.cdist(queries, self._keys, scorer=fuzz.ratio, dtype=np.float32,
                               workers=1).max(axis=0)
        best = np.argpartition(-scores, self._count - 1)[: self._count]
        return [self._sentences[i] for i in best[np.argsort(-scores[best], kind="stable")]]


def grammar(sentences: Sequence[str], wake: WakeWord = DEFAULT) -> str:
    """A JSGF grammar of `sentences`, each optionally after the wake word."""
    body = " | ".join(f"( {s} )" for s in sentences)
    before = f"[{wake.text}] " if wake.words else ""
    return f"#JSGF V1.0;\ngrammar verify;\npublic <said> = {before}( {body} );\n"


def word_tree(sentences: Iterable[str], wake: WakeWord = DEFAULT) -> tuple[int, list[tuple]]:
    """(final state, transitions) of a finite-state grammar of `sentences`, each optionally after
    the wake word, sharing prefixes: state 0 starts, state 1 ends. A JSGF alternative of the 767
    short sentences took seconds an utterance to decode (its null transitions); this tree
    decodes in about 65 ms."""
    final, root = 1, 2
    states: dict[tuple[str, ...], int] = {}
    arcs: set[tuple[int, int, str]] = set()
    for sentence in sentences:
        words = sentence.split()
        source = root
        for i, word in enumerate(words):
            target = final if i == len(words) - 1 else states.setdefault(
                tuple(words[: i + 1]), root + 1 + len(states))
            arcs.add((source, target, word))
            source = target
    fan_out = Counter(source for source, _, _ in arcs)
    transitions: list[tuple] = [(0, root, 0.5 if wake.words else 1.0)]
    source = 0
    for i, word in enumerate(wake.words):  # the wake word, a state per word after the first
        target = root if i == len(wake.words) - 1 else root + 1 + len(states) + i
        transitions.append((source, target, 0.5 if i == 0 else 1.0, word))
        source = target
    transitions += [(s, t, 1.0 / fan_out[s], w) for s, t, w in sorted(arcs)]
    return final, transitions


def speech_frames(segments: Sequence[Segment]) -> int:
    """Frames from the first spoken word to the last (0 when no word was heard)."""
    words = [s for s in segments if s.is_word]
    return words[-1].end - words[0].start + 1 if words else 0


def verified(forced: str, candidates: Collection[str], forced_segments: Sequence[Segment],
             readings: Sequence[str], free_segments: Sequence[Segment],
             sounds: Callable[[str], str], min_agreement: float = MIN_AGREEMENT,
             wake: WakeWord = DEFAULT) -> bool:
    """Whether the grammar pass's sentence may replace the free reading (see the module note).
    It must be a whole candidate: when the grammar search cannot reach a sentence's end it
    returns the words so far (23% of second passes on the dev set), and "i'd give it a" is no
    rating. Dev set: 64 command phrasings of our own and 46 everyday sentences, 5 espeak-ng
    voices x 2 rates, clean and at 10 dB (pink, babble, fan), 640 + 460 utterances per
    condition. Commands understood: 58.3% -> 70.5% clean, 33.4% -> 41.4% noisy. Everyday
    sentences rejected: 82.6% -> 82.2% clean, 72.4% -> 71.1% noisy. Snapped to a control or
    rating (what the dialog allows during an exercise): 0.4% -> 0.4% clean, 3.9% -> 4.8% noisy.
    Agreement 65 understood 1-2 points more and rejected 1-2 points less."""
    if not forced or not readings:
        return False
    said = " ".join(wake.split(forced.split())[1])
    if said not in candidates:
        return False
    agreement = max(fuzz.ratio(sounds(said), sounds(r)) for r in readings)
    return agreement >= min_agreement and filler_share(forced_segments, free_segments) \
        <= MAX_FILLER_SHARE


def filler_share(forced_segments: Sequence[Segment], free_segments: Sequence[Segment]) -> float:
    """The share of the free pass's speech (first word to last) that the grammar pass gave to
    silence or noise: high when the audio held more than the forced sentence says."""
    words = [s for s in free_segments if s.is_word]
    if not words:
        return 1.0
    first, last = words[0].start, words[-1].end
    covered = sum(max(0, min(s.end, last) - max(s.start, first) + 1)
                  for s in forced_segments if not s.is_word and s.word not in ("<s>", "</s>"))
    return covered / (last - first + 1)

