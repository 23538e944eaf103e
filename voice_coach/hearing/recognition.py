"""Speech recognition behind one small interface, so the rest of the coach never knows which
engine listens: Vosk when an English Vosk model is on the machine (the client's choice), else
PocketSphinx and Whisper together, else PocketSphinx alone (its wheel ships an English model, so
a fresh offline machine works). `engines.load_recognizer` picks one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import soxr

from ..audio.types import Audio, float_to_int16
from ..audio.wav_file import WavStream, open_wav, read_wav, resample

if TYPE_CHECKING:
    pass


WHOLE_FILE_S = 30.0
"""A recording up to this long is heard as one utterance; a longer one is cut at pauses."""


@dataclass(frozen=True)
class Transcript:
    """What an engine heard in one utterance."""

    text: str
    """Lowercase words; empty when nothing for the coach was heard."""
    confidence: float
    """0-1: how sure the engine is that `text` was said (not merely the closest phrase)."""
    alternatives: tuple[str, ...] = field(default=())
    """Other readings, best first, for a matcher to weigh (may be empty)."""
    engine: str = ""
    """Which engine and model heard it, for `doctor` and benchmark tables."""
    confirmed: bool = True
    """False when `text` is a free reading that no grammar pass confirmed as a sentence the coach
    knows: everyday talk bent into command words looks like that, so a matcher asks more of it
    (IntentMatcher.match, `confirmed`)."""
    addressed: bool = False
    """True when nothing was understood (`text` empty) yet the utterance surely began with the
    wake word: someone spoke to the coach, so it asks them to say it again instead of staying
    silent."""


class Recognizer(Protocol):
    """One utterance in, one Transcript out."""

    @property
    def sample_rate(self) -> int: ...

    @property
    def name(self) -> str: ...

    def transcribe(self, samples: bytes | np.ndarray) -> Transcript:
        """Recognise one whole utterance of 16-bit mono PCM at `sample_rate`."""


def hear(audio: Audio, recognizer: Recognizer) -> Transcript:
    """Recognise Audio at any rate: it is resampled to the recogniser's rate first."""
    return recognizer.transcribe(resample(audio, recognizer.sample_rate).to_int16_bytes())


def hear_file(path: str | Path, recognizer: Recognizer) -> Transcript:
    """Read a WAV file (any format read_wav takes) and recognise it: as one utterance when it is
    short, else cut where the speaker pauses (see hear_long)."""
    wav = open_wav(path)
    if wav.seconds <= WHOLE_FILE_S:
        return hear(read_wav(path), recognizer)
    return hear_long(wav, recognizer)


def hear_long(wav: WavStream, recognizer: Recognizer) -> Transcript:
    """A long recording, streamed: the endpointer finds what sounds like speech and only that is
    recognised, so an hour of silence or fan noise costs seconds and a few megabytes."""
    from ..audio.endpointing import Endpointer

    rate = recognizer.sample_rate
    endpointer = Endpointer(rate=rate)
    resampler = None if wav.rate == rate else soxr.ResampleStream(wav.rate, rate, 1,
                                                                  dtype="float32")
    heard: list[Transcript] = []
    for index, block in enumerate(wav.blocks()):
        last = (index + 1) * 10.0 >= wav.seconds
        if resampler is not None:
            block = resampler.resample_chunk(block, last=last)
        pcm = float_to_int16(block)
        for utterance in endpointer.feed(pcm):
            heard.append(recognizer.transcribe(utterance.samples))
    for utterance in endpointer.flush():
        heard.append(recognizer.transcribe(utterance.samples))
    heard = [transcript for transcript in heard if transcript.text]
    return Transcript(" ".join(t.text for t in heard),
                      min((t.confidence for t in heard), default=0.0), (), recognizer.name)
