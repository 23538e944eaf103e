"""Both ears on every utterance: PocketSphinx with the coach's grammar and Whisper free, decoded
side by side (CTranslate2 lets go of Python's lock while Whisper runs, so the two share the
machine's two cores), and one reading chosen by voice_coach.hearing.reading_choice."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..audio.denoise import SteadyNoiseDenoiser
from ..audio.priority import lower_for_free_ear
from ..understanding.intent import IntentMatcher
from .pocketsphinx_engine import PocketSphinxRecognizer
from .reading_choice import FreeReading, Verdict, choose
from .recognition import Transcript
from .whisper_engine import WhisperRecognizer


class PairedRecognizer:
    """The Recognizer protocol over PocketSphinx and Whisper together."""

    sample_rate = 16000
    staged = True
    """`transcribe` gives the grammar ear's reading to `on_first` as soon as it has one, before
    Whisper has finished: a "stop" said over the coach is acted on from it (the live coach's
    early path, EarlyRecognizer), as PocketSphinx alone would act, without waiting for the
    slower ear."""

    def __init__(self, grammar_ear: PocketSphinxRecognizer | SteadyNoiseDenoiser,
                 free_ear: Callable[[], WhisperRecognizer], matcher: IntentMatcher) -> None:
        """`free_ear` loads Whisper: it is called on Whisper's own thread, below the grammar
        ear's priority, so that CTranslate2's threads, started as the model loads, inherit it.
        A RecognizerError from it is raised here."""
        self._grammar_ear, self._matcher = grammar_ear, matcher
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper",
                                          initializer=lower_for_free_ear)
        try:
            self._free_ear = self._worker.submit(_loaded, free_ear).result()
        except BaseException:
            self._worker.shutdown()
            raise
        self.name = f"{grammar_ear.name} + {self._free_ear.name}"
        self.missing_words = grammar_ear.missing_words

    def transcribe(self, samples: bytes | np.ndarray,
                   on_first: Callable[[Transcript], None] | None = None) -> Transcript:
        free = self._worker.submit(self._free_ear.read, samples)
        grammar = self._grammar_ear.transcribe(samples)
        if on_first is not None:
            on_first(grammar)
        reading = free.result()
        return choose(grammar, FreeReading(reading.texts, reading.log_probs, reading.no_speech),
                      self._verdict, self.name)

    def _verdict(self, text: str, confirmed: bool) -> Verdict:
        result = self._matcher.match(text, confirmed=confirmed)
        return Verdict(text, result.intent, result.score)


def _loaded(free_ear: Callable[[], WhisperRecognizer]) -> WhisperRecognizer:
    ear = free_ear()
    ear.warm_up()  # CTranslate2 starts its threads on the first call
    return ear
