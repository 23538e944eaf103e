"""The one audio value passed between stages: mono float32 samples and their rate, and the one
way 16-bit PCM and float samples are converted into each other."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INT16_SCALE = 32768.0
"""Full scale of 16-bit PCM: -32768 is -1.0; +1.0 clips to 32767."""


def int16_to_float(pcm: bytes | bytearray | np.ndarray, dtype=np.float32) -> np.ndarray:
    """16-bit PCM (little-endian bytes, or an array of sample values) as floats in [-1, 1)."""
    if isinstance(pcm, (bytes, bytearray)):
        pcm = np.frombuffer(pcm, dtype="<i2")
    return np.asarray(pcm, dtype=dtype) / INT16_SCALE


def float_to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples (full scale ±1) as int16, clipped to its range and truncated toward zero (as
    the coach always did: a borderline recogniser test flips when this rounds instead); the exact
    inverse of int16_to_float."""
    scaled = np.clip(np.asarray(samples) * INT16_SCALE, -INT16_SCALE, INT16_SCALE - 1)
    return scaled.astype(np.int16)


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono audio, float32 in [-1, 1]; every stage converts at its edge, not in between."""

    samples: np.ndarray
    """float32, one channel."""
    rate: int
    """Samples per second."""

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    def to_int16_bytes(self) -> bytes:
        """16-bit little-endian PCM, what recognisers and sound cards take."""
        return float_to_int16(self.samples).astype("<i2", copy=False).tobytes()

    @classmethod
    def from_int16(cls, data: bytes | np.ndarray, rate: int) -> Audio:
        return cls(int16_to_float(data), rate)
