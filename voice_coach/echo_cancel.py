"""Removes the coach's own voice from what the microphone hears.

In a bedroom the microphone hears the speaker too; the coach must never act on its own speech, yet a
partner's "stop" said over it must get through. We know exactly what we played and roughly when, so
each microphone chunk is compared with the recent playback: the delay is found by cross-correlation
(the device latency is unknown and may change) and the best-fitting scaled copy is subtracted.
This is a one-tap echo model: exact for a loopback such as the test room's null sink, a rough but
useful reduction in a real room (where PulseAudio's module-echo-cancel does better)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


ECHO_ONLY = 0.9
"""A chunk this well explained by the playback holds no one else's voice: what is left of it is
the canceller's error (resamplers in the output and input paths differ, so a one-tap model
removes only 12-20 dB of the coach's voice even on a loopback), and it is silenced (residual echo
suppression). Measured in the virtual room: chunks of the coach alone explain 0.88-0.998; chunks
where a partner speaks over it mostly 0.0-0.75, their quietest moments up to 0.97."""
RESIDUE_GAIN = 0.0
CONFIRM_WINDOWS = 8
"""Chunks in a row a new echo delay must win before the canceller moves to it."""


@dataclass(frozen=True)
class EchoEstimate:
    delay_s: float
    """How long after playback the echo reached the microphone."""
    gain: float
    """How loud the echo is relative to the played signal."""
    correlation: float
    """0..1: how well the chunk is explained by the playback (1 = it is only echo)."""


class EchoCanceller:
    def __init__(self, rate: int = 16000, max_delay_s: float = 0.6, keep_s: float = 4.0,
                 window_s: float = 1.0, initial_delay_s: float | None = None) -> None:
        """`initial_delay_s`: the delay to assume until the first clear estimate. When playback
        is timed by the speaker's DAC clock and the microphone by its ADC clock, that is about
        0 (measured 3-5 ms in the virtual room), and the coach's very first sentence is
        cancelled from its first chunk instead of after a second of guessing."""
        self.rate = rate
        self.max_delay = int(max_delay_s * rate)
        self._keep = int(keep_s * rate)
        self._window = int(window_s * rate)
        self._segments: deque[tuple[int, np.ndarray]] = deque()
        self._heard = np.zeros(0, dtype=np.float32)
        self._heard_end = 0
        self._delay: int | None = None if initial_delay_s is None else round(initial_delay_s * rate)
        self.last_estimate: EchoEstimate | None = None
        self._candidate: tuple[int, int] | None = None  # (another delay, windows it has won)
        self._locked = False  # a clear estimate has been made (a guess or weak one moves at once)

    def played(self, samples: np.ndarray, start_s: float) -> None:
        """Note that `samples` (mono float32 at our rate) began playing at clock time start_s."""
        self._segments.append((round(start_s * self.rate), np.asarray(samples, dtype=np.float32)))
        self._forget_before(round(start_s * self.rate) - self._keep)

    def stop_playing(self, at_s: float) -> None:
        """Playback was cut short at at_s: what was not played must not be subtracted."""
        cut = round(at_s * self.rate)
        kept = deque()
        for start, samples in self._segments:
            if start < cut:
                kept.append((start, samples[: max(0, cut - start)]))
        self._segments = kept

    def reference(self, start: int, length: int) -> np.ndarray:
        """The played signal over sample positions [start, start + length), silence where none."""
        out = np.zeros(length, dtype=np.float32)
        for seg_start, samples in self._segments:
            lo, hi = max(start, seg_start), min(start + length, seg_start + len(samples))
            if lo < hi:
                out[lo - start:hi - start] += samples[lo - seg_start:hi - seg_start]
        return out

    def cancel(self, mic: np.ndarray, start_s: float) -> np.ndarray:
        """Return the microphone chunk (captured from clock time start_s) without the coach's voice."""
        mic = np.asarray(mic, dtype=np.float32)
        start = self._continuous(round(start_s * self.rate))
        self._remember(mic, start)
        ref = self.reference(start - self.max_delay, len(mic) + self.max_delay)
        if not np.any(ref):
            self.last_estimate = None
            return mic
        delay = self._track_delay()
        echo = ref[self.max_delay - delay: self.max_delay - delay + len(mic)]
        energy = float(np.dot(echo, echo))
        if energy <= 1e-9:
            self.last_estimate = None
            return mic
        gain = min(max(float(np.dot(mic, echo)) / energy, 0.0), 4.0)
        cleaned = mic - gain * echo
        mic_energy = float(np.dot(mic, mic)) or 1e-12
        explained = max(0.0, 1.0 - float(np.dot(cleaned, cleaned)) / mic_energy)
        self.last_estimate = EchoEstimate(delay / self.rate, gain, explained)
        if explained >= ECHO_ONLY:
            # Nothing but the coach's own voice: what is left is echo residue, not a person.
            cleaned *= RESIDUE_GAIN
        return cleaned

    def _continuous(self, start: int) -> int:
        """Chunk timestamps jitter by milliseconds; a stream without gaps is timed by counting its
        samples instead, so the echo's delay stays put. A real gap (over 50 ms) resynchronises."""
        if abs(start - self._heard_end) <= self.rate // 20:
            return self._heard_end
        self._heard = np.zeros(0, dtype=np.float32)
        return start

    def _remember(self, mic: np.ndarray, start: int) -> None:
        """Keep the last `window` of what the microphone heard, for the delay estimate."""
        self._heard = np.concatenate([self._heard, mic])[-self._window:]
        self._heard_end = start + len(mic)

    def _track_delay(self) -> int:
        """The device delay, from GCC-PHAT over the last window of sound (short chunks of speech
        correlate with themselves at many lags; a second of audio, whitened, has one clear peak).
        A weak peak keeps the previous estimate."""
        heard = self._heard
        ref = self.reference(self._heard_end - len(heard) - self.max_delay,
                             len(heard) + self.max_delay)
        size = 1 << (len(ref) + len(heard)).bit_length()
        cross = np.fft.rfft(ref, size) * np.conj(np.fft.rfft(heard, size))
        corr = np.fft.irfft(cross / (np.abs(cross) + 1e-9), size)[: self.max_delay + 1]
        peak = int(np.argmax(corr))
        strong = corr[peak] > 6 * (float(np.std(corr)) + 1e-12)
        found = self.max_delay - peak
        if self._delay is None or (strong and not self._locked):
            self._delay, self._locked = found, strong
        elif strong and abs(found - self._delay) > 2:
            # A device's delay changes rarely; a single strong peak elsewhere is more often a
            # partner talking over the coach or a repetitive sound (cues): move only when the
            # same new delay wins several windows running.
            same = self._candidate is not None and abs(found - self._candidate[0]) <= 2
            self._candidate = (found, self._candidate[1] + 1 if same else 1)
            if self._candidate[1] >= CONFIRM_WINDOWS:
                self._delay, self._candidate = found, None
        elif strong:
            self._candidate = None
        return self._delay

    def _forget_before(self, position: int) -> None:
        while self._segments and self._segments[0][0] + len(self._segments[0][1]) < position:
            self._segments.popleft()
