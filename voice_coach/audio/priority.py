"""Who runs first when the machine is busy: the threads that carry sound, then the recogniser, then
everything else.

Through PulseAudio's ALSA plugin (the only way PortAudio 19.6 reaches PulseAudio or PipeWire) a
late audio callback is not a click: the plugin answers the underrun by tearing down its stream and
building a new one, which itself underruns for its first blocks, so one late block on a busy
machine broke a whole sentence into pieces (hundreds of underruns a sentence, the sink's stream
number climbing with each). Measured with one core held at 100% by another process, twelve
sentences per setting through the virtual room:

| output buffer | nice 0 | nice -10 |
|---|---|---|
| 30 ms | 11 of 12 broken | 5 of 10 broken |
| 50 ms | 2 of 10 broken | 0 of 10 |
| 70 ms | 1 of 10 broken | 0 of 10 |
| 100 ms | 0-1 of 12 broken | — |

PortAudio's own real-time switch (`PaAlsa_EnableRealtimeScheduling`, SCHED_FIFO for its callback
thread) did not help (8 of 12 broken at 30 ms): the pulse client's mainloop thread and the Python
thread holding the interpreter lock must run too. So the coach's whole process runs at a raised
priority, set before its first thread starts so that every thread, PortAudio's and the pulse
client's included, inherits it. The recogniser's process runs below the sound but above ordinary
programs: a "stop" must still be decoded in time when something else keeps a core busy."""

from __future__ import annotations

import os
from dataclasses import dataclass

AUDIO_NICE = -10
"""The coach's process: above ordinary programs, below the sound server's own -11."""
RECOGNISER_NICE = -5
"""The recogniser's process: decoding can wait a few milliseconds, sound cannot; a busy neighbour
should wait for both."""
FREE_EAR_NICE = 0
"""Whisper's threads inside the recogniser's process: below PocketSphinx, whose reading a "stop"
said over the coach is acted on from, so that with one core busy the stop does not wait for the
CPU behind Whisper (measured in the room: README, "Hearing with two ears")."""


@dataclass(frozen=True)
class Priority:
    nice: int
    """The niceness in force after the change."""
    note: str = ""
    """Empty when the wanted priority was set; else one sentence saying why not and what to do."""


def raise_for_audio() -> Priority:
    """Raise the calling thread (and every thread it starts later) to AUDIO_NICE. Call it first
    thing, before any stream is opened."""
    if _set_nice(AUDIO_NICE):
        return Priority(AUDIO_NICE)
    return Priority(_nice(), f"The coach may not raise its sound's priority (nice {AUDIO_NICE}), "
                             "so its voice may break up when the machine is busy: run it as a "
                             "user allowed to (CAP_SYS_NICE, or an `@audio - nice -10` line in "
                             "/etc/security/limits.conf).")


def lower_for_recognition() -> Priority:
    """Put the recogniser's process below the sound's priority it inherited: at RECOGNISER_NICE
    where allowed, else at normal priority, which is still below the sound's."""
    if not _set_nice(RECOGNISER_NICE):
        _set_nice(max(0, _nice()))
    return Priority(_nice())


def lower_for_free_ear() -> Priority:
    """Put the calling thread, and the threads it starts later (CTranslate2's), at FREE_EAR_NICE;
    a thread already at that or lower priority is left as it is."""
    if _nice() < FREE_EAR_NICE:
        _set_nice(FREE_EAR_NICE)
    return Priority(_nice())


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0) if hasattr(os, "getpriority") else 0


def _set_nice(wanted: int) -> bool:
    """On Linux, PRIO_PROCESS with 0 sets the calling thread; threads it starts inherit."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, wanted)
    except (PermissionError, AttributeError):  # no right to, or no priorities (Windows)
        return False
    return True
