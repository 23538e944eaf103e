"""The coach's wordless cues, so a couple can keep their eyes closed: a soft rising tone to breathe
in, a softer, longer falling one to breathe out, a still tone to hold, a gentle two-note chime
when a timer starts and a soft low bell when it ends.

Cues are made with numpy from a few sine partials (no samples to license) and shipped as tiny WAVs
in the top-level `audio/` folder, where a user can swap in their own sounds; when the folder is
absent (an installed wheel) the same sounds are generated. They are quiet by design: peaks well
below speech, slow attacks, no clicks."""

from __future__ import annotations

import wave
from functools import cache
from pathlib import Path

import numpy as np

from ..audio.types import Audio
from ..audio.wav_file import read_wav
from ..paths import PROJECT_DIR

CUE_RATE = 16000
CUE_NAMES = ("inhale", "hold", "exhale", "timer_start", "timer_end")
AUDIO_FOLDER = PROJECT_DIR / "audio"


def cue(name: str, folder: Path | None = AUDIO_FOLDER) -> Audio:
    """The cue called `name` (one of CUE_NAMES): `folder/<name>.wav` if present, else generated."""
    if name not in CUE_NAMES:
        raise ValueError(f"unknown cue {name!r}; known: {', '.join(CUE_NAMES)}")
    return _load(name, folder)


@cache
def _load(name: str, folder: Path | None) -> Audio:
    path = folder / f"{name}.wav" if folder is not None else None
    if path is not None and path.is_file():
        return read_wav(path)
    return generate_cue(name)


def generate_cue(name: str, rate: int = CUE_RATE) -> Audio:
    """Synthesise the cue called `name` at `rate`."""
    makers = {
        "inhale": lambda: _glide(rate, 0.7, 330.0, 440.0, peak=0.22),
        # Softer and longer than the inhale: the exhale is the longer half of the breath.
        "exhale": lambda: _glide(rate, 1.0, 440.0, 294.0, peak=0.16),
        "hold": lambda: _glide(rate, 0.35, 392.0, 392.0, peak=0.12),
        "timer_start": lambda: _chime(rate, [(0.0, 659.3), (0.16, 987.8)], decay_s=0.35, peak=0.2),
        "timer_end": lambda: _bell(rate, 220.0, seconds=2.0, peak=0.2),
    }
    if name not in makers:
        raise ValueError(f"unknown cue {name!r}; known: {', '.join(CUE_NAMES)}")
    return Audio(makers[name]().astype(np.float32), rate)


def write_cue_files(folder: Path) -> list[Path]:
    """Write every generated cue as a 16 kHz mono 16-bit WAV into `folder` (how audio/ was made)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CUE_NAMES:
        path = folder / f"{name}.wav"
        write_wav(path, generate_cue(name))
        written.append(path)
    return written


def write_wav(path: Path, audio: Audio) -> None:
    """Mono 16-bit PCM WAV, the format every player reads."""
    # Open the file first: a failing open inside wave.open leaves a half-built writer whose
    # destructor prints a traceback.
    with open(path, "wb") as file, wave.open(file, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.rate)
        out.writeframes(audio.to_int16_bytes())


def _glide(rate: int, seconds: float, start_hz: float, end_hz: float, peak: float) -> np.ndarray:
    """A tone sliding from start_hz to end_hz, with a soft octave partial for warmth, inside a
    raised-cosine swell so it starts and ends without a click."""
    t = np.arange(int(seconds * rate)) / rate
    # Geometric glide: equal pitch steps per second sound even to the ear.
    freq = start_hz * (end_hz / start_hz) ** (t / seconds)
    phase = 2 * np.pi * np.cumsum(freq) / rate
    tone = np.sin(phase) + 0.25 * np.sin(2 * phase)
    return _normalise(tone * _swell(len(t), attack=int(0.08 * rate), release=int(0.25 * rate)),
                      peak)


def _chime(rate: int, notes: list[tuple[float, float]], decay_s: float, peak: float) -> np.ndarray:
    """Struck notes (onset seconds, Hz), each decaying exponentially, with a 5 ms attack."""
    length = int((max(onset for onset, _ in notes) + 5 * decay_s) * rate)
    out = np.zeros(length)
    for onset, hz in notes:
        t = np.arange(length - int(onset * rate)) / rate
        note = ((np.sin(2 * np.pi * hz * t) + 0.3 * np.sin(2 * np.pi * 2 * hz * t))
                * np.exp(-t / decay_s))
        note *= np.minimum(1.0, t / 0.005)
        out[int(onset * rate):] += note
    return _normalise(out * _swell(length, attack=1, release=int(0.05 * rate)), peak)


def _bell(rate: int, hz: float, seconds: float, peak: float) -> np.ndarray:
    """A soft bell: a few inharmonic partials (ratios of a small bowl) fading at different
    speeds."""
    t = np.arange(int(seconds * rate)) / rate
    partials = [(1.0, 1.0, 0.9), (2.0, 0.5, 0.6), (2.76, 0.3, 0.4), (5.4, 0.12, 0.2)]
    tone = sum(level * np.sin(2 * np.pi * hz * ratio * t) * np.exp(-t / decay)
               for ratio, level, decay in partials)
    tone *= np.minimum(1.0, t / 0.01)
    return _normalise(tone * _swell(len(t), attack=1, release=int(0.1 * rate)), peak)


def _swell(length: int, attack: int, release: int) -> np.ndarray:
    envelope = np.ones(length)
    envelope[:attack] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, attack))
    envelope[length - release:] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, release))
    return envelope


def _normalise(signal: np.ndarray, peak: float) -> np.ndarray:
    return signal / np.max(np.abs(signal)) * peak
