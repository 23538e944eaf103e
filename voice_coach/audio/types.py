"""The one audio value passed between stages: mono float32 samples and their rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
        clipped = np.clip(self.samples, -1.0, 1.0)
        return (clipped * 32767.0).astype("<i2").tobytes()

    @classmethod
    def from_int16(cls, data: bytes | np.ndarray, rate: int) -> Audio:
        pcm = np.frombuffer(data, dtype="<i2") if isinstance(data, (bytes, bytearray)) else data
        return cls(np.asarray(pcm, dtype=np.float32) / 32768.0, rate)
