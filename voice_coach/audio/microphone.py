"""The microphone: a sounddevice RawInputStream of int16 whose callback only queues the bytes (as in
python-sounddevice's rec_unlimited example); the consumer resamples to the recogniser's rate, so
nothing slow ever runs in the audio thread.

Nothing is kept: the queue holds at most a few seconds, and a consumer that falls behind loses the
oldest audio (counted as an overflow) rather than growing memory through the night."""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass

import numpy as np
import soxr

from ..errors import AudioDeviceError
from .devices import close_stream, find_device, sounddevice_module

BLOCK_S = 0.03
"""30 ms blocks: a fine enough grain for barge-in, few enough callbacks to idle cheaply."""
STALL_S = 1.0
"""No audio for this long from a started stream means the device has gone."""


@dataclass(frozen=True, eq=False)
class Chunk:
    data: bytes
    """int16 little-endian mono at the microphone's `rate`."""
    time: float
    """Monotonic time its first sample was captured."""


class Microphone:
    """Audio from one input device at `rate` (the recogniser's), as int16 chunks."""

    def __init__(self, device: str | int | None = None, rate: int = 16000,
                 max_queue_s: float = 5.0) -> None:
        sd = sounddevice_module()
        chosen = find_device(device, "input")
        self.device_name = chosen.name
        self.rate = rate
        self.device_rate = self._usable_rate(sd, chosen.index, rate, int(chosen.default_rate))
        self._resampler = None if self.device_rate == rate else soxr.ResampleStream(
            self.device_rate, rate, 1, dtype="int16")
        self._queue: queue.Queue[tuple[bytes, float]] = queue.Queue(
            maxsize=max(1, round(max_queue_s / BLOCK_S)))
        self.overflows = 0
        """Times audio was lost: the device overran, or the consumer fell behind."""
        self._offset = 0.0
        self._started = False
        self._last_callback = time.monotonic()
        try:
            self._stream = sd.RawInputStream(
                samplerate=self.device_rate, blocksize=round(BLOCK_S * self.device_rate),
                device=chosen.index, channels=1, dtype="int16", callback=self._callback,
            )
        except sd.PortAudioError as error:
            raise AudioDeviceError(
                f"The microphone {chosen.name!r} could not be opened ({error}): check it is "
                "connected and free, or choose another with --input-device "
                "(see `voice-coach devices`)."
            ) from error

    @staticmethod
    def _usable_rate(sd, index: int, wanted: int, native: int) -> int:
        """`wanted` if the device takes it, else its native rate (we resample ourselves)."""
        try:
            sd.check_input_settings(device=index, samplerate=wanted, channels=1, dtype="int16")
            return wanted
        except sd.PortAudioError:
            return native

    def start(self) -> None:
        self._last_callback = time.monotonic()
        self._stream.start()
        self._started = True
        before, stream_now, after = time.monotonic(), self._stream.time, time.monotonic()
        self._offset = stream_now - (before + after) / 2

    def stop(self) -> None:
        """Stop capturing (and forget what was queued); close() to release the device."""
        self._started = False
        self._stream.abort()  # no need to drain input; stop() can block on a vanished device
        self.clear()

    def close(self) -> None:
        self._started = False
        close_stream(self._stream)
        self.clear()

    def __enter__(self) -> Microphone:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def active(self) -> bool:
        """False once the device has gone away: PortAudio stopped the stream, or no audio came
        for a second (a stream stuck on a vanished sound server never stops by itself)."""
        return bool(self._stream.active) and time.monotonic() - self._last_callback < STALL_S

    def read(self, timeout: float | None = None) -> Chunk | None:
        """The next chunk at `rate`, or None if none came within `timeout`; AudioDeviceError once
        the device has gone away and what it sent has been read."""
        try:
            data, stream_time = self._queue.get(timeout=timeout)
        except queue.Empty:
            if self._started and not self.active:
                raise AudioDeviceError(
                    f"The microphone {self.device_name!r} stopped working (unplugged, or the sound "
                    "server stopped): check it, or choose another with --input-device."
                ) from None
            return None
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(np.frombuffer(data, dtype=np.int16))
            data = np.asarray(samples, dtype=np.int16).tobytes()
        return Chunk(data, stream_time - self._offset)

    def clear(self) -> None:
        """Drop queued audio (e.g. what was heard while the coach itself spoke)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _callback(self, indata, frames, time_info, status) -> None:
        self._last_callback = time.monotonic()
        if status.input_overflow:
            self.overflows += 1
        block = (bytes(indata), time_info.inputBufferAdcTime or time_info.currentTime)
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            # Keep the newest audio: a late "stop" matters more than what came before it.
            self.overflows += 1
            try:
                self._queue.get_nowait()
            except queue.Empty:
                pass
            self._queue.put_nowait(block)
