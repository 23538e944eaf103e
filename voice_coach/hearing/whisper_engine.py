"""Whisper base (int8, CTranslate2) as a free-running ear: it hears any English, so the matcher's
paraphrases reach the coach, and it copes with noise far better than PocketSphinx.

Built from faster-whisper's own feature extractor and tokenizer over CTranslate2's Whisper model
(no hand-written mel spectrogram or tokenizer), not through `WhisperModel.transcribe()`, because
that pads every utterance to Whisper's 30 s window: the encoder is the slow half, and a 3 s
command with 3 s of silence after it encodes in a fifth of the time.

Measured choices (espeak-ng voices, this 2-core machine shared with other work, rough timings):
- The window is the utterance plus PAD_S of silence. Features padded with zeros, or a window the
  speech fills, made the decoder repeat itself ("pause pause pause ...", the sentence twice); a
  few seconds of real silence let it end. New tokens are capped by the utterance's length.
- Beam 5 and an initial prompt naming the coach's words (the issue's held-out numbers: greedy
  0.66, beam 5 0.70, beam 5 with the prompt 0.72 at 10 dB).
- A sentence said twice in one reading (what repetition leaves) is cut back to once.
- Loading takes about 0.5 s and the process peaks near 325 MB (the float16 file is quantised to
  int8 as it loads)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from ..audio.types import int16_to_float
from ..errors import RecognizerError
from .recognition import Transcript

SAMPLE_RATE = 16000
PAD_S = 3.0
"""Silence after the utterance in the encoder's window (see the module note)."""
MAX_WINDOW_S = 30.0
"""Whisper's own window: longer utterances are cut to it."""
BEAM_SIZE = 5
READINGS = 3
"""Hypotheses kept from the beam (the first is the reading, the rest alternatives)."""
CPU_THREADS = 1
"""One thread: beside it PocketSphinx decodes the same utterance in the same process, and the
coach's sound runs in another, on two cores. Measured with the pair, in process (16 requests,
four espeak-ng voices, two runs each): one thread was no slower than two (final reading of short
controls p50 344-356 ms against 355-385 ms, p95 417-443 against 432-455); in the room, one run
each, a bare stop over the coach silenced it p95 337 ms against 562, replies p95 804 against
982 ms."""
PROMPT = ("Coach, hug, rose thorn bud, sentence stems, stress map, magic minutes, breathing, "
          "appreciation, gentle start.")
"""Whisper's previous-text prompt: the coach's own words, so "rose thorn bud" is not
"Rose Thornbud". Not the controls: with "pause, stop" in it, half a second of a quiet room's
hiss came out as "stop pause pause pause" (the soak test's night), and stopped sessions."""
LOOP = 3
"""A word this many times in a row is Whisper looping, not speech: that reading is dropped."""
TOKENS_PER_SECOND = 5
EXTRA_TOKENS = 10


@dataclass(frozen=True)
class WhisperReading:
    """What Whisper made of one utterance."""

    texts: tuple[str, ...]
    """Readings, best first, lowercase words without punctuation (may be empty)."""
    log_probs: tuple[float, ...]
    """Average log probability per token of each reading."""
    no_speech: float
    """Whisper's own probability that the window held no speech."""


class WhisperRecognizer:
    """Whisper base over one utterance at a time (the Recognizer protocol)."""

    sample_rate = SAMPLE_RATE

    def __init__(self, folder: Path) -> None:
        try:
            import ctranslate2
            import tokenizers

            FeatureExtractor, Tokenizer = _faster_whisper_parts()

            self._model = ctranslate2.models.Whisper(str(folder), device="cpu",
                                                     compute_type="int8",
                                                     intra_threads=CPU_THREADS, inter_threads=1)
            self._tokenizer = Tokenizer(tokenizers.Tokenizer.from_file(
                str(folder / "tokenizer.json")), True, task="transcribe", language="en")
        except (ImportError, RuntimeError, ValueError, OSError) as error:
            raise RecognizerError(f"Whisper could not start ({error}): reinstall it with "
                                  "`pip install --force-reinstall faster-whisper==1.2.1`.") \
                from None
        self._storage = ctranslate2.StorageView
        self._features = FeatureExtractor(feature_size=self._model.n_mels)
        tokenizer = self._tokenizer
        self._prompt = ([tokenizer.sot_prev] + tokenizer.encode(" " + PROMPT)
                        + list(tokenizer.sot_sequence) + [tokenizer.no_timestamps])
        self.name = "whisper base int8"

    def warm_up(self) -> None:
        """Decode a second of faint noise once, on the thread that will decode from now on:
        CTranslate2 starts its worker threads and fills its caches on the first call, which
        would otherwise land on the partners' first request (and look like a thread leak)."""
        faint = np.random.default_rng(0).normal(0, 30, SAMPLE_RATE).astype(np.int16)
        self.read(faint)

    def read(self, samples: bytes | np.ndarray) -> WhisperReading:
        """Whisper's readings of one utterance of 16-bit PCM at 16 kHz."""
        pcm = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype=np.int16)
        audio = int16_to_float(pcm[: int(MAX_WINDOW_S * SAMPLE_RATE)])
        if not len(audio) or not np.any(audio):
            return WhisperReading((), (), 1.0)
        padded = np.concatenate([audio, np.zeros(int(PAD_S * SAMPLE_RATE), np.float32)])
        features = self._features(padded, padding=0)
        features = features[:, : min(features.shape[-1] // 2 * 2, 3000)]
        encoded = self._model.encode(self._storage.from_array(
            np.ascontiguousarray(features[None], dtype=np.float32)), to_cpu=False)
        new_tokens = int(len(audio) / SAMPLE_RATE * TOKENS_PER_SECOND) + EXTRA_TOKENS
        result = self._model.generate(
            encoded, [self._prompt], beam_size=BEAM_SIZE, num_hypotheses=READINGS,
            return_scores=True, return_no_speech_prob=True,
            max_length=len(self._prompt) + new_tokens, suppress_blank=True,
            suppress_tokens=[-1])[0]
        eot = self._tokenizer.eot
        texts, scores = [], []
        for tokens, score in zip(result.sequences_ids, result.scores, strict=True):
            text = plain_words(self._tokenizer.decode([t for t in tokens if t < eot]))
            if text and text not in texts and not echoes_prompt(text):
                texts.append(text)
                scores.append(float(score))
        return WhisperReading(tuple(texts), tuple(scores), float(result.no_speech_prob))

    def transcribe(self, samples: bytes | np.ndarray) -> Transcript:
        reading = self.read(samples)
        if not reading.texts:
            return Transcript("", 0.0, (), self.name, confirmed=False)
        confidence = math.exp(reading.log_probs[0]) * (1.0 - reading.no_speech)
        return Transcript(reading.texts[0], confidence, reading.texts[1:], self.name,
                          confirmed=False)


def _faster_whisper_parts():
    """faster-whisper's feature extractor and tokenizer, imported without running its package's
    `__init__`, which loads what `WhisperModel.transcribe()` and `download_model()` need and
    this engine does not: PyAV, onnxruntime, and huggingface_hub, a downloader with its HTTP
    stack (nothing in the recogniser should be able to open a connection). The two modules
    import only numpy and tokenizers."""
    import importlib.util
    import sys
    import types

    if "faster_whisper" not in sys.modules:
        spec = importlib.util.find_spec("faster_whisper")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("No module named 'faster_whisper'")
        package = types.ModuleType("faster_whisper")
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules["faster_whisper"] = package
    from faster_whisper.feature_extractor import FeatureExtractor
    from faster_whisper.tokenizer import Tokenizer

    return FeatureExtractor, Tokenizer


_PUNCTUATION = re.compile(r"[^\w\s']+")
_PROMPT_PHRASES = [phrase.strip().lower() for phrase in PROMPT.rstrip(".").split(",")][1:]
"""The prompt's phrases after "coach" (which every request may start with)."""
_PROMPT_ECHOES = [f"{first} {second}" for first, second in pairwise(_PROMPT_PHRASES)]


def echoes_prompt(text: str) -> bool:
    """Whether a reading repeats the prompt rather than the speech: two of its phrases back to
    back, in its order ("coach hug rose thorn bud sentence stems" for "coach, say that again",
    read sure enough to start an exercise in a fresh-clone room test). No request the coach
    knows puts two of them together like that (none of the catalog's 40,819 sentences)."""
    padded = f" {text} "
    return any(f" {echo} " in padded for echo in _PROMPT_ECHOES)


def plain_words(text: str) -> str:
    """Whisper's cased, punctuated text as the coach's lowercase words, hyphens as spaces
    ("20-second" is "20 second"), and a sentence said twice cut back to once; nothing for a
    reading that loops on one word (LOOP)."""
    words = _PUNCTUATION.sub(" ", text.lower().replace("-", " ")).split()
    if any(len(set(words[i:i + LOOP])) == 1 for i in range(len(words) - LOOP + 1)):
        return ""
    half = len(words) // 2
    while half and len(words) >= 2 * half:
        if words[:half] == words[half: 2 * half]:
            words = words[:half] + words[2 * half:]
            half = len(words) // 2
        else:
            half -= 1
    return " ".join(words)
