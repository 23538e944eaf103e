"""Keyboard mode: for a machine with no microphone (or no audio at all), typed requests stand in
for the microphone and, with no speaker, printed replies stand in for speech. The assistant loop
stays the same, so timers and breath cues keep their schedule."""

from __future__ import annotations

import time


class NoMicrophone:
    """A microphone that hears nothing: the loop still ticks, requests come typed."""

    rate = 16000
    overflows = 0

    def __enter__(self) -> NoMicrophone:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def read(self, timeout: float):
        time.sleep(timeout)
        return None


class PrintedPlayback:
    """What a speaker would report, for speech that is only printed."""

    def __init__(self, start: float, seconds: float) -> None:
        self.start, self.end, self.seconds, self.stopped = start, start + seconds, seconds, False


class NoSpeaker:
    """A speaker that plays nothing: speech is printed by the loop's report and takes the time it
    would have taken aloud, so the session keeps its pace."""

    rate = 16000
    underflows = 0
    active = True

    def __init__(self) -> None:
        self._until = 0.0

    def play(self, audio, at: float | None = None,
             after: PrintedPlayback | None = None) -> PrintedPlayback:
        at = max(after.end, time.monotonic()) if after is not None else at
        start = time.monotonic() if at is None else at
        self._until = max(self._until, start + audio.seconds)
        return PrintedPlayback(start, audio.seconds)

    def stop(self) -> float:
        self._until = time.monotonic()
        return self._until

    @property
    def is_playing(self) -> bool:
        return time.monotonic() < self._until

    def close(self) -> None:
        pass
