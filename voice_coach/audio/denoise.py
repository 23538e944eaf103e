"""RNNoise (Xiph's small recurrent denoiser) in front of PocketSphinx, where the noise is steady.

Dev set (voice_coach.bench.hearing_dev, 312 utterances; PocketSphinx's readings of the denoised
audio replayed against the same Whisper readings): PocketSphinx alone in pink noise 0.682 -> 0.909
at 10 dB and 0.182 -> 0.818 at 5 dB; in babble RNNoise took it from 0.095 to 0.000 at 10 dB (as
the issue found held out), and on clean speech from 0.828 to 0.625: so only where the room's
noise is steady hiss (steady_noise). With that rule the pair went from 0.688 to 0.734 at 10 dB
and 0.516 to 0.656 at 5 dB, clean unchanged (0.938), out-of-scope rejected 0.975 / 0.975 /
0.925 -> 0.975 / 0.975 / 0.900. Denoising took a median 0.28 s an utterance on the shared
machine (resampling to 48 kHz and back included): Whisper, running beside it, takes longer.

The library is the `librnnoise.so` that the `pyrnnoise` wheel bundles, called here through
ctypes: pyrnnoise's own Python wrapper imports audiolab and matplotlib for its command line
(and its `denoise_wav` fails with the audiolab it installs), none of which the coach needs, so
`make setup` installs the wheel without its dependencies. `rnnoisepy`, the other binding, is not
on the package index here. RNNoise works on 48 kHz frames of 480 samples; soxr converts."""

from __future__ import annotations

import ctypes
import importlib.util
from functools import cache
from pathlib import Path

import numpy as np
import soxr

RATE = 48000
FRAME = 480


@cache
def _library() -> ctypes.CDLL | None:
    spec = importlib.util.find_spec("pyrnnoise")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "librnnoise.so"
    if not path.is_file():
        return None
    library = ctypes.CDLL(str(path))
    library.rnnoise_create.argtypes = [ctypes.c_void_p]
    library.rnnoise_create.restype = ctypes.c_void_p
    library.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    library.rnnoise_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                              ctypes.POINTER(ctypes.c_float)]
    library.rnnoise_process_frame.restype = ctypes.c_float
    return library


def available() -> bool:
    return _library() is not None


def denoised(pcm: np.ndarray, rate: int = 16000) -> np.ndarray:
    """`pcm` (16-bit samples at `rate`) with RNNoise's noise suppression, same length and rate;
    unchanged when the library is not installed."""
    library = _library()
    if library is None or not len(pcm):
        return pcm
    high = soxr.resample(pcm.astype(np.float32), rate, RATE)  # RNNoise wants int16 scale
    padded = np.concatenate([high, np.zeros(-len(high) % FRAME, np.float32)])
    state = library.rnnoise_create(None)
    try:
        for start in range(0, len(padded), FRAME):
            frame = np.ascontiguousarray(padded[start:start + FRAME])
            pointer = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            library.rnnoise_process_frame(state, pointer, pointer)
            padded[start:start + FRAME] = frame
    finally:
        library.rnnoise_destroy(state)
    low = soxr.resample(padded[:len(high)], RATE, rate)[:len(pcm)]
    low = np.concatenate([low, np.zeros(len(pcm) - len(low), np.float32)])
    return np.clip(np.round(low), -32768, 32767).astype(np.int16)


FRAME_S = 0.02
QUIET_SHARE = 0.3
"""The quietest this share of an utterance's 20 ms frames is taken as its room noise."""
NOISY_SPREAD_DB = 30.0
"""Speech peaks (95th percentile frame level) less than this above the noise (10th percentile):
a noisy room. A quiet room's spread is 40 dB or more; denoising clean speech costs a little."""
STEADY_DB = 1.2
"""The quiet frames' levels vary less than this (standard deviation, dB): steady hiss. Dev set
(voice_coach.bench.hearing_dev): pink 0.5-0.8 dB, our fan (rumble and blade hum) 1.4-2.2, babble
2.9-10.7. At 2.5 (fan denoised too) the pair understood one fan command in 21 fewer at 10 and at
5 dB and rejected two fewer 5 dB sentences than at 1.2, where only the hiss is denoised."""


def steady_noise(pcm: np.ndarray, rate: int = 16000) -> bool:
    """Whether `pcm` was said in steady noise loud enough for RNNoise to help PocketSphinx;
    not in babble, which RNNoise takes for speech (and not in a quiet room)."""
    step = int(FRAME_S * rate)
    if len(pcm) < 10 * step:
        return False
    frames = pcm[: len(pcm) // step * step].astype(np.float64).reshape(-1, step)
    levels = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-9)
    quiet = np.sort(levels)[: max(3, int(len(levels) * QUIET_SHARE))]
    spread = np.percentile(levels, 95) - np.percentile(levels, 10)
    return bool(spread < NOISY_SPREAD_DB and np.std(quiet) < STEADY_DB)


class SteadyNoiseDenoiser:
    """A recogniser (PocketSphinx) that hears RNNoise's output where the noise is steady, and
    the raw audio elsewhere (the Recognizer protocol)."""

    def __init__(self, recognizer) -> None:
        self._recognizer = recognizer
        self.sample_rate = recognizer.sample_rate
        self.name = f"{recognizer.name} (rnnoise in steady noise)"
        self.missing_words = getattr(recognizer, "missing_words", frozenset())
        self.notice = getattr(recognizer, "notice", "")

    def transcribe(self, samples: bytes | np.ndarray):
        pcm = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype=np.int16)
        if steady_noise(pcm, self.sample_rate):
            pcm = denoised(pcm, self.sample_rate)
        return self._recognizer.transcribe(pcm)
