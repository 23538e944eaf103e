"""What every coach voice shares, whichever engine speaks: text is rendered to memory sentence by
sentence, each sentence is cached, and volume is a gain on the cached rendering.

Sentence by sentence, because a neural voice renders a whole sentence at once: the first
sentence of a long reply can play while the next is rendered, and a sentence the coach says in
many places ("Breathe in.") is rendered once. The cache is what makes a duration exact before
the sound plays: once rendered, a phrase's length is known to the sample."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..audio.types import Audio
from ..errors import SynthesisError

DEFAULT_RATE_WPM = 165
"""Unhurried but not slow; night mode passes a lower rate."""
PLANNING_MARGIN = 1.25
"""A duration guessed for text not yet rendered errs long: the speaker reports the real end of
the speech, and a step that waited a little too long is corrected then, while one that started
too early would talk over the voice. Over the scripts, Piper took 0.54-0.90 of this guess at
128, 150 and 200 words a minute."""
FIRST_PIECE_WORDS = 6
"""A first sentence longer than this starts with its opening clauses (cut at a comma, colon or
semicolon) as a piece of their own, when they are this short: a neural voice takes about a
tenth of a sentence's length to render it (Piper here: about 80 ms per second of speech, and
six slow words last about 2.5 s), and the first sound of a reply may take at most 200 ms."""
OPENING_WORDS = 2
"""A one-word opening ("Yes,") would make a piece of a breath and sound clipped."""
LONGEST_PIECE_WORDS = 12
"""A sentence longer than this is rendered in runs of whole clauses of at most this many words
(a clause longer than this stays whole). Piper's memory grows with the longest piece it has
rendered (onnxruntime keeps its largest buffers): about 10 MB per second of speech, so the
glossary's 25-word sentence took the coach's process about 100 MB over a 12-word one."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def split_sentences(text: str) -> list[str]:
    """`text` with its whitespace tidied, cut after each sentence's final punctuation."""
    text = " ".join(text.split())
    return [part for part in _SENTENCE_END.split(text) if part]


def split_pieces(text: str) -> list[tuple[str, bool]]:
    """The pieces `text` is rendered in, each with whether a sentence ends after it: its
    sentences, the first one's opening clause apart when it is long (see FIRST_PIECE_WORDS),
    and a long sentence in runs of clauses (LONGEST_PIECE_WORDS)."""
    pieces: list[tuple[str, bool]] = []
    for index, sentence in enumerate(split_sentences(text)):
        opening = _opening_clauses(sentence) \
            if index == 0 and len(sentence.split()) > FIRST_PIECE_WORDS else None
        if opening:
            pieces.append((opening, False))
            sentence = sentence[len(opening):].lstrip()
        runs = _clause_runs(sentence)
        pieces += [(run, n == len(runs) - 1) for n, run in enumerate(runs)]
    return pieces


def _clause_runs(sentence: str) -> list[str]:
    """`sentence` whole when it is at most LONGEST_PIECE_WORDS long, else cut into runs of whole
    clauses of at most that many words each."""
    if len(sentence.split()) <= LONGEST_PIECE_WORDS:
        return [sentence]
    runs: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        if runs and len(runs[-1].split()) + len(clause.split()) <= LONGEST_PIECE_WORDS:
            runs[-1] = f"{runs[-1]} {clause}"
        else:
            runs.append(clause)
    return runs


def _opening_clauses(sentence: str) -> str | None:
    """The first run of whole clauses at the start of `sentence` with at least OPENING_WORDS
    words, if it is quick to render (at most FIRST_PIECE_WORDS), else None."""
    clauses = _CLAUSE_END.split(sentence)[:-1]
    words = 0
    for count, clause in enumerate(clauses, start=1):
        words += len(clause.split())
        if words > FIRST_PIECE_WORDS:
            return None
        if words >= OPENING_WORDS:
            return " ".join(clauses[:count])
    return None


@dataclass(frozen=True)
class _Key:
    sentence: str
    rate_wpm: int


class RenderedVoice:
    """A voice that renders to memory, with a bounded cache of sentences. Subclasses say how one
    sentence is rendered (`_render_sentence`) and what they are called (`name`)."""

    name = "a voice"
    """What `say` and `doctor` call this voice."""
    sentence_gap_s = 0.0
    plans_by_rendering = False
    """True for a voice that renders so fast (espeak-ng: under a hundredth of the speech's
    length) that a duration asked for is simply rendered, and so exact."""
    """Silence after a sentence that is followed by another (engines differ in how much they
    leave at the end of a sentence)."""

    def __init__(self, cache_size: int = 256, cache_seconds: float = 60.0) -> None:
        """The cache keeps at most `cache_size` sentences and `cache_seconds` of audio (about 5 MB
        a minute at 22 kHz float32): long answers would otherwise grow memory all night."""
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self._cache: OrderedDict[_Key, Audio] = OrderedDict()
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        self._cached_seconds = 0.0
        self._kept: dict[_Key, Audio] = {}
        """Pieces rendered ahead to stay (`keep`): never evicted by the cache's bounds."""
        self._wanted = 0
        """Renders someone is waiting for (a reply, a script): `keep` gives way to them."""
        self._wanted_done = threading.Condition(self._lock)
        self.last_render_s: float | None = None
        """Seconds the last uncached sentence took to render (for the benchmark and `doctor`)."""

    def render(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM, volume: float = 1.0) -> Audio:
        """`text` spoken at `rate_wpm` words per minute, scaled by `volume` (0..1)."""
        pieces = list(self.render_sentences(text, rate_wpm, volume))
        if len(pieces) == 1:
            return pieces[0]
        return Audio(np.concatenate([piece.samples for piece in pieces]), pieces[0].rate)

    def render_sentences(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM,
                         volume: float = 1.0) -> Iterator[Audio]:
        """`text` one sentence at a time (a long first sentence's opening clause apart), each
        rendered only when asked for, so the first can play while the rest are rendered.
        Together they are exactly `render(text)`."""
        pieces = split_pieces(text)
        if not pieces:
            raise SynthesisError("There is nothing to say: give some text to speak.")
        return self._pieces(pieces, int(rate_wpm), volume)

    def duration(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM) -> float:
        """Seconds `text` takes to say (renders it, so it is then cached for playing)."""
        return self.render(text, rate_wpm).seconds

    def planned_seconds(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM) -> float:
        """Seconds `text` takes to say without waiting for a render: exact for what is cached,
        a word-count guess (erring long) for the rest, unless the voice plans by rendering."""
        from ..coaching.session import estimate_speech_seconds

        if self.plans_by_rendering:
            return self.duration(text, rate_wpm)
        pieces = split_pieces(text)
        total = self.sentence_gap_s * sum(ends for _, ends in pieces[:-1])
        for sentence, _ in pieces:
            audio = self._lookup(_Key(sentence, int(rate_wpm)))
            total += audio.seconds if audio is not None else \
                PLANNING_MARGIN * estimate_speech_seconds(sentence, rate_wpm)
        return total

    def is_cached(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM) -> bool:
        return all(self._lookup(_Key(piece, int(rate_wpm))) is not None
                   for piece, _ in split_pieces(text))

    def keep(self, pieces: Iterable[str], rate_wpm: int = DEFAULT_RATE_WPM) -> int:
        """Render `pieces` (as split_pieces cuts them) now and keep them for the session, so a
        reply that opens with one starts without waiting for a render (prerender.py's reply
        openings). Returns how many were rendered."""
        rendered = 0
        for piece in pieces:
            key = _Key(piece, int(rate_wpm))
            with self._lock:
                # a thread lock is not fair: this loop would take the render lock again and
                # again, and a reply waiting for it would wait for all the pieces (seen in the
                # room: "help" said right after start-up answered 7 s late)
                self._wanted_done.wait_for(lambda: self._wanted == 0)
                if key in self._kept:
                    continue
                audio = self._cache.pop(key, None)  # already cached: kept from now on
                if audio is not None:
                    self._cached_seconds -= audio.seconds
            if audio is None:
                with self._render_lock:
                    audio = self._render_sentence(key.sentence, key.rate_wpm)
                rendered += 1
            with self._lock:
                self._kept[key] = audio
        return rendered

    def close(self) -> None:
        """Free what the engine holds (nothing, unless a subclass says otherwise)."""

    # ---- inside -----------------------------------------------------------------------------

    def _pieces(self, pieces: list[tuple[str, bool]], rate_wpm: int,
                volume: float) -> Iterator[Audio]:
        for index, (piece, sentence_ends) in enumerate(pieces):
            audio = self._cached_or_rendered(_Key(piece, rate_wpm))
            if sentence_ends and index < len(pieces) - 1 and self.sentence_gap_s > 0:
                gap = np.zeros(round(self.sentence_gap_s * audio.rate), np.float32)
                audio = Audio(np.concatenate([audio.samples, gap]), audio.rate)
            if volume != 1.0:
                audio = Audio((audio.samples * np.float32(max(0.0, volume))).astype(np.float32),
                              audio.rate)
            yield audio

    def _lookup(self, key: _Key) -> Audio | None:
        """The rendering of `key` if it is kept or cached (marked as just used), else None."""
        with self._lock:
            audio = self._kept.get(key)
            if audio is None:
                audio = self._cache.get(key)
                if audio is not None:
                    self._cache.move_to_end(key)
            return audio

    def _cached_or_rendered(self, key: _Key) -> Audio:
        """Rendered outside the lock: a sentence being rendered in the background (the rest of a
        reply, a script ahead) must not hold up the loop asking how long a cached one is."""
        audio = self._lookup(key)
        if audio is not None:
            return audio
        with self._lock:
            self._wanted += 1
        try:
            with self._render_lock:  # one render at a time: engines keep state (espeak-ng's)
                started = time.perf_counter()
                audio = self._render_sentence(key.sentence, key.rate_wpm)
                elapsed = time.perf_counter() - started
        finally:
            with self._lock:
                self._wanted -= 1
                self._wanted_done.notify_all()
        with self._lock:
            self.last_render_s = elapsed
            self._cache[key] = audio
            self._cached_seconds += audio.seconds
            while len(self._cache) > 1 and (len(self._cache) > self._cache_size
                                            or self._cached_seconds > self._cache_seconds):
                self._cached_seconds -= self._cache.popitem(last=False)[1].seconds
            return audio

    def _render_sentence(self, sentence: str, rate_wpm: int) -> Audio:
        raise NotImplementedError
