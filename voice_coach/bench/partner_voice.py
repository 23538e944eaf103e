"""Speech and noise for tests and the spoken-accuracy evaluation: espeak-ng voices speak phrases
into WAV files, and numpy makes the noises of a bedroom (pink hiss, babble, a fan) mixed at a
chosen signal-to-noise ratio. Real synthesised speech, not fakes: the recognisers hear it as is."""

from __future__ import annotations

import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..audio.types import Audio
from ..audio.wav_file import read_wav, resample

VOICES = ("en-us", "en-us+m3", "en-us+f3", "en-gb", "en-us+m7")
NOISES = ("pink", "babble", "fan")

_BABBLE_TEXTS = (
    "we went to the market on saturday and bought some apples",
    "the weather report says rain again tomorrow afternoon",
    "my sister called about the holiday plans for next year",
    "did you remember to lock the back door before dinner",
    "the train was late so everybody waited on the platform",
)


def speak_to_file(text: str, path: Path, voice: str = "en-us", rate: int = 150) -> Path:
    """Write espeak-ng's rendering of `text` to `path` (22050 Hz, 16-bit mono WAV)."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text],
                   check=True, capture_output=True)
    return path


def speak(text: str, voice: str = "en-us", rate: int = 150, sample_rate: int = 16000) -> Audio:
    """espeak-ng speech as Audio at `sample_rate`, with short silences around it like a real
    utterance cut out by an endpointer."""
    with tempfile.TemporaryDirectory() as folder:
        audio = read_wav(speak_to_file(text, Path(folder) / "speech.wav", voice, rate))
    audio = resample(audio, sample_rate)
    pad = np.zeros(int(0.3 * sample_rate), dtype=np.float32)
    return Audio(np.concatenate([pad, audio.samples, pad]), sample_rate)


def noise(kind: str, length: int, rate: int = 16000, seed: int = 0) -> np.ndarray:
    """`length` samples of unit-RMS noise: "pink" (1/f hiss), "babble" (several overlapping
    voices talking), "fan" (low-passed brown rumble with a blade hum)."""
    rng = np.random.default_rng(seed)
    if kind == "pink":
        spectrum = np.fft.rfft(rng.standard_normal(length))
        freqs = np.fft.rfftfreq(length, 1 / rate)
        signal = np.fft.irfft(spectrum / np.sqrt(np.maximum(freqs, 20.0)), n=length)
    elif kind == "fan":
        brown = np.cumsum(rng.standard_normal(length))
        brown -= np.convolve(brown, np.ones(801) / 801, mode="same")  # remove the drift
        spectrum = np.fft.rfft(brown)
        freqs = np.fft.rfftfreq(length, 1 / rate)
        spectrum[freqs > 900] *= 0.05
        hum = np.sin(2 * np.pi * 120 * np.arange(length) / rate)
        signal = np.fft.irfft(spectrum, n=length)
        signal = signal / _rms(signal) + 0.3 * hum
    elif kind == "babble":
        signal = np.zeros(length)
        for index, text in enumerate(_BABBLE_TEXTS):
            talker = _talker(text, VOICES[(index + seed) % len(VOICES)], rate)
            talker = np.tile(talker, length // len(talker) + 1)
            start = rng.integers(0, len(talker) - length + 1)
            signal += talker[start : start + length] / max(_rms(talker), 1e-9)
    else:
        raise ValueError(f"unknown noise {kind!r}")
    return (signal / max(_rms(signal), 1e-9)).astype(np.float32)


def mix(speech: Audio, kind: str, snr_db: float, seed: int = 0) -> Audio:
    """Speech plus noise at `snr_db`, the speech power taken over its voiced part only (as SNR
    is usually quoted), so the padding silence does not flatter the ratio."""
    samples = speech.samples
    voiced = samples[np.abs(samples) > 0.02 * np.max(np.abs(samples))]
    gain = _rms(voiced) / (10 ** (snr_db / 20))
    noisy = samples + gain * noise(kind, len(samples), speech.rate, seed)
    peak = np.max(np.abs(noisy))
    return Audio((noisy / peak * 0.9 if peak > 1 else noisy).astype(np.float32), speech.rate)


@lru_cache(maxsize=32)
def _talker(text: str, voice: str, rate: int) -> np.ndarray:
    return speak(text, voice=voice, rate=160, sample_rate=rate).samples


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values, dtype=np.float64)))) if len(values) else 0.0
