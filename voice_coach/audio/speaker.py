"""The coach's one output path: speech and cues go through a single always-open sounddevice stream
whose callback mixes whatever is scheduled, so

- a sound can start at an exact time (`play(audio, at=t)`): its first sample is placed at the right
  offset inside the audio block using PortAudio's DAC timestamps, so breath cues do not drift;
- `stop()` silences everything from the very next block, without closing the device;
- the real start and end of every sound are known (times on `time.monotonic()`, the RealClock's
  scale), which the echo canceller and the latency benchmark need.

The stream writes silence when idle: reopening a device per phrase costs tens of milliseconds and
makes onsets late by an unknown amount."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import AudioDeviceError
from .devices import close_stream, find_device, sounddevice_module
from .types import Audio
from .wav_file import resample

MAX_VOLUME = 2.0
STALL_S = 1.0
STALL_GRACE_S = 0.05
"""A callback that seems stalled gets this long to run before the device counts as gone: a
thread holding the GIL (a long decode in C) holds the callback up too, and a second of that
once paused a breathing session as if the speaker had been unplugged."""
DEFAULT_LATENCY_S = 0.06
"""Output buffering: what stop() cannot take back, traded against underruns. Through PulseAudio's
ALSA plugin one underrun rebuilds the stream and breaks up the sentence; with another process
holding a core, 30 ms broke 11 sentences in 12, 50-70 ms none at the coach's raised priority
(priority.py has the table)."""


class Playback:
    """One sound handed to the speaker. The audio callback fills in when it really reached the
    speaker, so this is deliberately not a frozen value."""

    def __init__(self, seconds: float, scheduled: float | None) -> None:
        self.seconds = seconds
        """Length of the sound."""
        self.scheduled = scheduled
        """Requested start (monotonic seconds), None for "as soon as possible"."""
        self.start: float | None = None
        """Monotonic time the first sample reached the speaker (None until it has)."""
        self.end: float | None = None
        """Monotonic time the last sample reaches the speaker, or when stop() cut it."""
        self.stopped = False
        self.follows: Playback | None = None
        """The sound this one was played right after, sample for sample (see Speaker.play)."""
        self._started = threading.Event()

    def wait_started(self, timeout: float | None = None) -> bool:
        return self._started.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the sound has finished playing (or was stopped); False on timeout. Give a
        timeout, or use Speaker.wait, which also notices a vanished device."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._started.wait(
                None if deadline is None else max(0.0, deadline - time.monotonic())):
            return False
        while True:
            end = self.end
            remaining = (end or 0.0) - time.monotonic()
            if remaining <= 0:
                return True
            if deadline is not None and time.monotonic() + remaining > deadline:
                time.sleep(max(0.0, deadline - time.monotonic()))
                return False
            time.sleep(remaining)


@dataclass(eq=False)
class _Scheduled:
    samples: np.ndarray
    start_stream: float | None
    playback: Playback
    position: int = field(default=0)
    after: _Scheduled | None = None
    """Starts on the sample after this one's last."""
    ended_at: int | None = None
    """Where in the current block its last sample went (for a sound played after it)."""
    finished: bool = False


class Speaker:
    """Plays Audio through one output device. Thread-safe: play/stop may come from any thread."""

    def __init__(self, device: str | int | None = None, volume: float = 1.0,
                 latency: float = DEFAULT_LATENCY_S, settle: bool = True) -> None:
        """With `settle=False` the device starts but is not waited for: call `settle()` before
        the first sound, after other start-up work has given it the time it needs."""
        sd = sounddevice_module()
        chosen = find_device(device, "output")
        self.device_name = chosen.name
        self.rate = int(chosen.default_rate)
        self.volume = volume
        self._lock = threading.Lock()
        self._items: list[_Scheduled] = []
        self._block_end_stream = 0.0
        self._tail_end: float | None = None  # finished in the callback, still in the device buffer
        self._offset = 0.0
        self.underflows = 0
        """Blocks the device asked for too late (counted, not fatal)."""
        self._callbacks = 0
        self._last_underflow = self._last_callback = time.monotonic()
        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate, device=chosen.index, channels=1, dtype="float32",
                latency=latency, callback=self._callback,
            )
            self._offset = self._measure_offset()
            self._stream.start()
            if settle:
                self.settle()
        except sd.PortAudioError as error:
            raise AudioDeviceError(
                f"The speaker {chosen.name!r} could not be opened ({error}): check it is connected "
                "and free, or choose another with --output-device (see `voice-coach devices`)."
            ) from error

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = float(min(MAX_VOLUME, max(0.0, value)))

    @property
    def active(self) -> bool:
        """False once the device has gone away: PortAudio stopped the stream, or the device has
        not asked for audio for a second (a stream stuck on a vanished server). A new Speaker
        is then needed."""
        if not self._stream.active:
            return False
        if time.monotonic() - self._last_callback < STALL_S:
            return True
        time.sleep(STALL_GRACE_S)  # lets a callback that was only waiting for the GIL run
        return time.monotonic() - self._last_callback < STALL_S

    def play(self, audio: Audio, at: float | None = None,
             after: Playback | None = None) -> Playback:
        """Start `audio` at monotonic time `at` (or as soon as possible) without waiting. Sounds
        that overlap are mixed, so a cue can be scheduled while a sentence ends. `after` (a
        sound still playing): start on the very sample after its last one, as the next sentence
        of a reply does, whatever the jitter of the device's timestamps; the new sound's
        `follows` says it did (if `after` has ended already, it starts at once, late)."""
        self._check_alive()
        samples = resample(audio, self.rate).samples.astype(np.float32, copy=False)
        offset = self._measure_offset()
        with self._lock:
            before = getattr(after, "_scheduled", None)
            if before is not None and (before.finished or before not in self._items):
                before = None
            if before is not None:
                at = after.end if after.end is not None else None
            playback = Playback(len(samples) / self.rate, at)
            self._offset = offset
            start_stream = None if at is None or before is not None else at + offset
            item = _Scheduled(samples, start_stream, playback, after=before)
            playback._scheduled = item
            self._items.append(item)
        return playback

    def stop(self) -> float:
        """Silence every sound now and drop the scheduled ones; returns the monotonic time the
        speaker really falls silent (after the blocks already handed to the device)."""
        with self._lock:
            items, self._items = self._items, []
            silent_at = self._block_end_stream - self._offset
            self._tail_end = silent_at
        for item in items:
            item.playback.stopped = True
            if item.playback.start is None:
                item.playback.start = item.playback.end = silent_at
                item.playback._started.set()
            else:
                item.playback.end = min(item.playback.end or silent_at, silent_at)
        return silent_at

    @property
    def is_playing(self) -> bool:
        """True while a sound is scheduled or still reaching the speaker."""
        return self.playing_until is not None

    @property
    def playing_until(self) -> float | None:
        """Monotonic time the last scheduled sound ends, None when nothing is playing (or the
        device has gone away)."""
        if not self.active:
            return None
        now = time.monotonic()
        with self._lock:
            ends = [self._expected_end(item) for item in self._items] + [self._tail_end or 0.0]
        ends = [end for end in ends if end > now]
        return max(ends) if ends else None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything scheduled has played; False on timeout, AudioDeviceError if
        the speaker goes away meanwhile."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (until := self.playing_until) is not None or not self.active:
            self._check_alive()
            if deadline is not None and time.monotonic() >= deadline:
                return False
            limit = until if deadline is None else min(until, deadline)
            time.sleep(max(0.001, min(0.05, limit - time.monotonic())))
        return True

    def _check_alive(self) -> None:
        if not self.active:
            raise AudioDeviceError(
                f"The speaker {self.device_name!r} stopped working (unplugged, or the sound server "
                "stopped): check it, or choose another with --output-device."
            )

    def close(self) -> None:
        self.stop()
        close_stream(self._stream)

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _expected_end(self, item: _Scheduled) -> float:
        if item.playback.end is not None:
            return item.playback.end
        start = item.playback.scheduled if item.playback.scheduled is not None else time.monotonic()
        return start + item.playback.seconds

    def settle(self, timeout: float = 2.0) -> bool:
        """Wait until the device has taken blocks for 0.1 s without an underrun; False if it had
        not within `timeout`. A new stream underruns for its first ~0.25 s through PulseAudio
        (hundreds of empty callbacks, each rebuilding the plugin's stream) and its DAC times are
        unsettled meanwhile: a sound played then came out ~0.3 s off."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._callbacks >= 3 and time.monotonic() - self._last_underflow > 0.1:
                return True
            time.sleep(0.01)
        return False

    def _measure_offset(self) -> float:
        """Stream time minus monotonic time. PortAudio's stream clock has its own origin (on ALSA
        the epoch); re-measured at every play so clock adjustments cannot build up drift."""
        before = time.monotonic()
        stream_now = self._stream.time
        after = time.monotonic()
        return stream_now - (before + after) / 2

    def _callback(self, outdata, frames, time_info, status) -> None:
        self._callbacks += 1
        self._last_callback = time.monotonic()
        if status.output_underflow:
            self.underflows += 1
            self._last_underflow = time.monotonic()
        block_start = time_info.outputBufferDacTime or time_info.currentTime
        mix = outdata[:, 0]
        mix.fill(0.0)
        with self._lock:
            self._block_end_stream = block_start + frames / self.rate
            offset = self._offset
            finished = []
            for item in self._items:
                if item.position == 0:
                    chained = item.after is not None and not item.after.finished
                    if chained:
                        if item.after.ended_at is None:
                            continue  # the sound before it goes on past this block
                        begin = item.after.ended_at
                    elif item.start_stream is None:
                        begin = 0
                    else:
                        begin = round((item.start_stream - block_start) * self.rate)
                    if begin >= frames:
                        continue
                    begin = max(0, begin)  # a sound scheduled in the past starts now, late
                    if chained:
                        item.playback.follows = item.after.playback
                    item.playback.start = block_start + begin / self.rate - offset
                    item.playback.end = item.playback.start + item.playback.seconds
                    item.playback._started.set()
                else:
                    begin = 0
                count = min(frames - begin, len(item.samples) - item.position)
                mix[begin:begin + count] += item.samples[item.position:item.position + count]
                item.position += count
                # (one that ends on the block's last sample finishes, with nothing more to mix,
                # at the start of the next block: where a sound after it begins)
                if item.position >= len(item.samples) and begin + count < frames:
                    item.ended_at = begin + count
                    finished.append(item)
            for item in finished:
                item.finished = True
                self._items.remove(item)
                self._tail_end = max(self._tail_end or 0.0, item.playback.end)
        if self._volume != 1.0:
            mix *= self._volume
        np.clip(mix, -1.0, 1.0, out=mix)
