"""PocketSphinx, the embedded engine: its wheel ships a US English model, so the coach hears
offline on a fresh machine with no download.

Measured choices (espeak-ng voices, voice_coach/partner_voice.py; numbers in the hearing report):
- Every utterance is scaled to one quiet peak level first. The acoustic model was trained on
  recordings far quieter than full scale: a set of phrases at full scale was heard right 53% of
  the time, the same at a peak of 0.05 93%.
- Dither: synthetic or gated audio has runs of exact zeros, which upset feature normalisation.
- A trigram language model of the template sentences, not a JSGF grammar: the grammar of the
  whole catalog decoded at 1-5x real time on this machine (PocketSphinx's grammar search has no
  shared lexicon tree), and when its search could not reach the grammar's end it returned cut
  phrases ("what are the"); the n-gram search runs well under 0.2x real time and its output goes
  to the fuzzy matcher, which rejects what is not a command.
- About 5,300 general words (every 13th short word of the wheel's dictionary) in the model as
  rare unigrams, so everyday speech has somewhere to go: on the dev set, rejection of everyday
  sentences rose from 78% to 84% clean and from 69% to 84% at 10 dB, for 2.5 points of command
  accuracy; 23,000 words cost 12 points of accuracy and doubled decoding time."""

from __future__ import annotations

import logging
import os
import re
import tempfile

import numpy as np

from .errors import RecognizerError
from .intent_catalog import IntentCatalog
from .recognition import Transcript
from .recognition_grammar import EXTRA_PRONUNCIATIONS, arpa_language_model

log = logging.getLogger(__name__)

PEAK_LEVEL = 0.05
"""Utterances are scaled to this peak (full scale = 1) before decoding; see the module note."""
SAMPLE_RATE = 16000
BACKGROUND_STEP = 13
"""Every this-many-th short dictionary word joins the language model (see the module note)."""


class PocketSphinxRecognizer:
    """The coach's sentences with a catalog; dictation (the wheel's general model) without."""

    sample_rate = SAMPLE_RATE

    def __init__(self, catalog: IntentCatalog | None) -> None:
        try:
            import pocketsphinx

            self._decoder = pocketsphinx.Decoder(loglevel="FATAL", dither=True)
        except (ImportError, RuntimeError, ValueError) as error:
            raise RecognizerError(f"PocketSphinx could not start ({error}): reinstall it with "
                                  "`pip install --force-reinstall pocketsphinx`.") from None
        self.missing_words: frozenset[str] = frozenset()
        if catalog is not None:
            self._use_catalog(catalog)
        self.name = "pocketsphinx en-us" + (" coach" if catalog is not None else " dictation")

    def _use_catalog(self, catalog: IntentCatalog) -> None:
        decoder = self._decoder
        for word, phones in EXTRA_PRONUNCIATIONS.items():
            if decoder.lookup_word(word) is None:
                decoder.add_word(word, phones, False)
        self.missing_words = frozenset(w for w in catalog.vocabulary()
                                       if decoder.lookup_word(w) is None)
        if self.missing_words:
            log.warning("PocketSphinx has no pronunciation for %s: phrases using them cannot "
                        "be heard", ", ".join(sorted(self.missing_words)))
        # PocketSphinx reads language models from files only; the file holds no audio and is
        # gone as soon as it is loaded.
        handle, path = tempfile.mkstemp(suffix=".arpa")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(arpa_language_model(catalog, _background_words()))
            decoder.add_lm_file("coach", path)
        finally:
            os.unlink(path)
        decoder.activate_search("coach")

    def transcribe(self, samples: bytes | np.ndarray) -> Transcript:
        pcm = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype=np.int16)
        peak = int(np.max(np.abs(pcm.astype(np.int32)))) if len(pcm) else 0
        if peak == 0:
            return Transcript("", 0.0, (), self.name)
        scaled = (pcm.astype(np.float32) * (PEAK_LEVEL * 32767 / peak)).astype("<i2")
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(scaled.tobytes(), full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None or not hypothesis.hypstr.strip():
            return Transcript("", 0.0, (), self.name)
        alternatives = []
        for entry, _ in zip(decoder.nbest(), range(5)):
            text = getattr(entry, "hypstr", None)  # the N-best list may hold empty entries
            if text and text != hypothesis.hypstr and text not in alternatives:
                alternatives.append(text)
        return Transcript(hypothesis.hypstr.strip(), float(hypothesis.prob), tuple(alternatives),
                          self.name)


def _background_words() -> list[str]:
    """Short plain words of the wheel's dictionary (no alternates like "read(2)"), thinned."""
    import pocketsphinx

    plain = re.compile(r"[a-z']{1,7}\Z")
    with open(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as file:
        words = [line.split(maxsplit=1)[0] for line in file if line.strip()]
    return [w for w in words if plain.match(w)][::BACKGROUND_STEP]
