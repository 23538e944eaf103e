"""Figures measured in the virtual room, on the recorded signal: the live coach runs as its own
process (`voice-coach --json-events`) on a private PulseAudio server; a partner's espeak-ng voice
speaks into the room and the room's monitor is recorded. Both processes stamp times on the
system-wide monotonic clock, so the coach's schedule and the recording line up exactly.

- startup: process start to the coach's "ready" (microphone open);
- idle CPU: the coach listening to an empty room, percent of one core;
- latency: end of the partner's request to the first sample of the reply;
- barge-in: end of a partner's "stop" said over the coach to the coach's silence;
- cue onsets: each breath cue's scheduled time against where it is found in the recording
  (matched filter on the known cue waveform), over a long breathing session;
- memory of the coach's processes: the sum of each one's peak, and the largest sum seen at one
  moment (resident, and proportional: a page they share counted once)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from ..audio.types import Audio
from ..audio.wav_file import resample
from ..settings import load_settings
from ..voice import cues
from .virtual_room import Recording, VirtualRoom

LATENCY_REQUESTS = ("coach, a bit louder", "coach, quieter please", "coach, how much time is left")
BARGE_IN_REQUEST = "coach, what are the five pillars"
PARTNER_VOICE = "en-us"
"""The espeak-ng voice the room figures use for the partner (the recogniser hears it best)."""
OPENINGS_LOGGED = "reply openings ahead"
"""What the coach's debug log says once the replies' openings are rendered (prerender.py)."""
NOTHING_MADE_OUT = "heard as ''"
"""What the coach's debug log says of an utterance that reached it and was not made out
(assistant.py): it stays silent then, as it should for talk not meant for it."""
MEMORY_SAMPLE_S = 0.1
"""How often LiveCoach sums its processes' memory (family_peak_mb)."""
FRAME_S = 0.01
SILENCE_DB = -45.0
"""A frame quieter than this (dBFS) counts as silence."""


@dataclass(frozen=True)
class CoachEvent:
    """One line of the coach's `--json-events`, as the tests read it."""

    t: float
    event: str
    what: str
    """What was said or heard, the cue's phase, or the exercise: what a test waits for."""
    detail: dict


class LiveCoach:
    """The `voice-coach` process, its events read as they come."""

    def __init__(self, home: Path, extra_args: tuple[str, ...] = ()) -> None:
        # the coach's reasoning on stderr, shown when an event the test waits for never comes
        env = dict(os.environ, VOICE_COACH_HOME=str(home), PYTHONUNBUFFERED="1",
                   VOICE_COACH_LOG="debug")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voice_coach.cli", "--json-events", *extra_args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        self.events: queue.Queue[CoachEvent] = queue.Queue()
        self.log: list[CoachEvent] = []
        self.errors: list[str] = []
        self._family_peaks = {"rss": 0.0, "pss": 0.0}
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()
        threading.Thread(target=self._sample_memory, daemon=True).start()

    def wait_for(self, kind: str, timeout: float, what: str | None = None,
                 after: float | None = None) -> CoachEvent:
        """The next event of `kind` (its `what` containing `what`, stamped later than `after`);
        events of other kinds read meanwhile are passed over (they stay in `log`)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event.event == kind and (what is None or what in event.what) \
                    and (after is None or event.t > after):
                return event
        recent = "; ".join(f"{e.event} {e.what!r} {e.detail or ''}" for e in self.log[-8:])
        raise TimeoutError(f"the coach did not report {kind!r} within {timeout:g} s; its last "
                           f"events: {recent or 'none'}; on stderr: "
                           f"{' | '.join(self.errors[-10:]) or 'nothing'}")

    def wait_for_log(self, text: str, timeout: float) -> float:
        """Seconds until a line of the coach's debug log on stderr holds `text`."""
        began, seen = time.monotonic(), 0
        while time.monotonic() - began < timeout:
            lines = self.errors[seen:]
            if any(text in line for line in lines):
                return time.monotonic() - began
            seen += len(lines)
            time.sleep(0.05)
        raise TimeoutError(f"the coach did not log {text!r} within {timeout:g} s")

    def not_understood_since(self, mark: int, after: float) -> bool:
        """Whether a request reached the coach and was not understood: since line `mark` of its
        log it made nothing out of an utterance, or it reported hearing one (stamped later than
        `after`) with no intent. A request that never reached its ears is neither."""
        return any(NOTHING_MADE_OUT in line for line in self.errors[mark:]) or any(
            e.event == "heard" and e.t > after and e.detail.get("intent") is None
            for e in self.log)

    def underruns(self, since: float | None = None, until: float = float("inf")) -> int:
        """Blocks the coach's speaker was asked for too late between `since` (by default, when
        it became ready) and `until`."""
        if since is None:
            since = next((e.t for e in self.log if e.event == "ready"), float("inf"))
        return underruns_between(self.log, since, until)

    def drain(self) -> None:
        while not self.events.empty():
            self.events.get_nowait()

    def processes(self) -> list[int]:
        """The coach and the processes it started (its recogniser): all of them are the coach."""
        family, index = [self.process.pid], 0
        while index < len(family):
            for task in Path(f"/proc/{family[index]}/task").iterdir():
                family += [int(pid) for pid in (task / "children").read_text().split()]
            index += 1
        return family

    def cpu_seconds(self) -> float:
        total = 0.0
        for pid in self.processes():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def peak_rss_mb(self) -> float:
        """The sum of each process's own peak: never less than the family's real peak (which
        family_peak_mb samples), as the peaks may come at different moments."""
        return sum(_proc_kb(pid, "status", "VmHWM:") for pid in self.processes()) / 1024

    def family_peak_mb(self) -> dict[str, float]:
        """The largest sum over the coach's processes seen at one moment (sampled every
        MEMORY_SAMPLE_S): of resident sizes ("rss"), and of proportional sizes ("pss"), which
        count a page the processes share (the interpreter, numpy's libraries) once, not twice."""
        return dict(self._family_peaks)

    def _sample_memory(self) -> None:
        while self.process.poll() is None:
            totals = {"rss": 0.0, "pss": 0.0}
            try:
                for pid in self.processes():
                    totals["rss"] += _proc_kb(pid, "status", "VmRSS:") / 1024
                    totals["pss"] += _proc_kb(pid, "smaps_rollup", "Pss:") / 1024
            except (OSError, ValueError):  # a process ending between listing and reading
                pass
            else:
                for key, value in totals.items():
                    self._family_peaks[key] = max(self._family_peaks[key], value)
            time.sleep(MEMORY_SAMPLE_S)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                continue
            what = next((raw.pop(key) for key in ("text", "phase", "exercise") if key in raw), "")
            event = CoachEvent(raw.pop("t"), raw.pop("event"), what, raw)
            self.log.append(event)
            self.events.put(event)

    def _read_errors(self) -> None:
        for line in self.process.stderr:
            self.errors.append(line.strip())


def underruns_between(log: list[CoachEvent], since: float, until: float) -> int:
    """The blocks the coach's `log` reports its speaker underran by, after `since` up to
    `until`."""
    return sum(e.detail.get("count", 0) for e in log
               if e.event == "underrun" and since < e.t <= until)


def _proc_kb(pid: int, file: str, field: str) -> int:
    """A `field` in kB from /proc/<pid>/<file> (status or smaps_rollup); 0 when it has none."""
    for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def speech_end(start: float, audio: Audio) -> float:
    """When the last voiced sample of `audio`, played from `start`, reached the room."""
    level = np.abs(audio.samples)
    voiced = np.nonzero(level > 0.05 * level.max())[0]
    return start + (voiced[-1] + 1) / audio.rate


def sound_end(start: float, audio: Audio) -> float:
    """When `audio`, played from `start`, last rose above silence: its fading tail lasts beyond
    `speech_end` and must not be taken for the coach's reply."""
    loud = np.nonzero(np.abs(audio.samples) > 10 ** (SILENCE_DB / 20))[0]
    return start + (loud[-1] + 1) / audio.rate if len(loud) else start


def reply_latency(recording: Recording, start: float, audio: Audio) -> float | None:
    """From the end of a partner's `audio` (played from `start`) to the next sound, both read
    off the recording's own timeline: where the partner's playback reports its start is off by
    up to ~30 ms, so a reply looked for just after the computed end was sometimes found inside
    the partner's own tail (latencies of 23-94 ms were reported)."""
    end = speech_end(start, audio)
    quiet = silent_after(recording, end - 0.05, hold_s=0.1)
    if quiet is None:
        return None
    onset = first_sound_after(recording, quiet)
    return None if onset is None else onset - (quiet - (sound_end(start, audio) - end))


def frame_levels_db(recording: Recording) -> np.ndarray:
    size = int(FRAME_S * recording.rate)
    frames = recording.samples[: len(recording.samples) // size * size].reshape(-1, size)
    return 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)


def first_sound_after(recording: Recording, after: float) -> float | None:
    """Start of the first 10 ms frame louder than silence after time `after`."""
    levels = frame_levels_db(recording)
    first = _frame_at(recording, after)
    loud = np.nonzero(levels[first:] > SILENCE_DB)[0]
    return None if not len(loud) else _frame_time(recording, first + loud[0])


def silent_after(recording: Recording, after: float, hold_s: float = 0.3) -> float | None:
    """Start of the first stretch of silence at least `hold_s` long after time `after`."""
    levels = frame_levels_db(recording)
    first = _frame_at(recording, after)
    hold = int(hold_s / FRAME_S)
    quiet = levels[first:] <= SILENCE_DB
    run = 0
    for index, is_quiet in enumerate(quiet):
        run = run + 1 if is_quiet else 0
        if run >= hold:
            return _frame_time(recording, first + index - hold + 1)
    return None


def _frame_at(recording: Recording, when: float) -> int:
    """The first whole frame at or after `when`. Times and sample positions are converted by the
    recording's own capture timestamps, never by counting samples at the nominal rate: the room's
    monitor delivers a few hundred ppm more than nominal, plus a burst whenever a stream
    connects, which counting turned into a made-up cue lateness growing to 40-60 ms over two
    minutes."""
    return max(0, int(np.ceil(recording.index_of(when) / (FRAME_S * recording.rate))))


def _frame_time(recording: Recording, frame: int) -> float:
    return float(recording.time_of(frame * int(FRAME_S * recording.rate)))


def cue_onset_error(recording: Recording, phase: str, scheduled: float,
                    search_s: float = 0.15) -> float | None:
    """Seconds between where cue `phase` was scheduled and where its waveform is in the
    recording (positive: late), by cross-correlating the known cue around the schedule (times
    by the recording's capture timestamps, see _frame_at)."""
    template = resample(cues.cue(phase), recording.rate).samples
    lo = recording.index_of(scheduled - search_s)
    hi = recording.index_of(scheduled + search_s) + len(template)
    if lo < 0 or hi > len(recording.samples):
        return None
    window = recording.samples[lo:hi]
    size = 1 << (len(window) + len(template)).bit_length()
    corr = np.fft.irfft(np.fft.rfft(window, size) * np.conj(np.fft.rfft(template, size)), size)
    lag = int(np.argmax(corr[: len(window) - len(template) + 1]))
    return float(recording.time_of(lo + lag)) - scheduled


def percentile_ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)) * 1000, 1) if values else None


def breathing_settings(quick: bool) -> str:
    """The settings for the figures' breathing session: the full run breathes for ten minutes
    (the load bound's session), as 30 breaths (the most the settings allow) of 8 s in and 12 s
    out; the quick run, 12 breaths at the default pace."""
    if quick:
        return "[breathing]\ncount = 12\n"
    return "[breathing]\ncount = 30\ninhale_s = 8\nexhale_s = 12\n"


def room_figures(quick: bool = False, progress: Callable[[str], None] = lambda line: None,
                 engine: str | None = None) -> dict:
    """The room's figures for the live coach hearing with `engine` (its default when None)."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-bench-") as folder:
        home = Path(folder)
        (home / "config").mkdir()
        (home / "config" / "settings.toml").write_text(breathing_settings(quick), encoding="utf-8")
        breathing = load_settings(home / "config" / "settings.toml")[0].breathing
        room = VirtualRoom(home / "room")
        room.start()
        coach = None
        try:
            coach = LiveCoach(home, () if engine is None else ("--engine", engine))
            ready = coach.wait_for("ready", timeout=60)
            figures = {"startup_s": round(ready.t - coach.started, 2)}
            # the replies' openings render once after "ready": idle means after that
            figures["openings_ready_s"] = round(coach.wait_for_log(OPENINGS_LOGGED, 60), 2)
            progress(f"  ready after {figures['startup_s']} s, reply openings rendered "
                     f"{figures['openings_ready_s']} s later; idle CPU over 10 s")
            figures["idle_cpu_percent"] = round(_idle_cpu(coach, 5 if quick else 10), 1)
            parts = {"replies": time.monotonic()}  # when each part of the run began
            latencies = _latencies(room, coach, 4 if quick else 12)
            figures["latency_ms_p50"] = percentile_ms(latencies, 50)
            figures["latency_ms_p95"] = percentile_ms(latencies, 95)
            progress(f"  latency p50 {figures['latency_ms_p50']} ms; barge-in trials")
            trials = 3 if quick else 10  # the load bound: a stop heard at least 9 times in 10
            parts["barge_in"] = time.monotonic()
            bargeins = _bargeins(room, coach, trials)
            figures["bargein_ms_p95"] = percentile_ms([b.silent for b in bargeins], 95)
            figures["bargein_heard"] = f"{len(bargeins)} of {trials}"
            figures["bargein_decided_ms_p95"] = percentile_ms(
                [b.decided for b in bargeins if b.decided is not None], 95)
            progress(f"  barge-in p95 {figures['bargein_ms_p95']} ms over the {len(bargeins)} of "
                     f"{trials} spoken stops that silenced the coach (the stop understood "
                     f"{figures['bargein_decided_ms_p95']} ms after it ended, p95); "
                     f"{breathing.count} breaths")
            parts["breathing"] = time.monotonic()
            errors = _cue_errors(room, coach, breathing.count * breathing.cycle_s)
            parts["end"] = time.monotonic()
            figures["cue_onset_error_ms_p95"] = percentile_ms([abs(e) for e in errors], 95)
            figures["rss_mb_peak"] = round(coach.peak_rss_mb(), 1)
            family = coach.family_peak_mb()
            figures["rss_mb_family_peak"] = round(family["rss"], 1)
            figures["pss_mb_family_peak"] = round(family["pss"], 1)
            figures["speaker_underruns"] = coach.underruns()
            # which part of the run each underrun fell in: the load bound is on the session's
            figures["speaker_underruns_by_part"] = {
                part: coach.underruns(since, until)
                for (part, since), (_, until) in pairwise(parts.items())}
            return figures
        finally:
            if coach is not None:
                coach.close()
            room.stop()


def _idle_cpu(coach: LiveCoach, seconds: float) -> float:
    cpu, wall = coach.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    return 100 * (coach.cpu_seconds() - cpu) / (time.monotonic() - wall)


def _ask(room: VirtualRoom, coach: LiveCoach, text: str, kind: str, match: str | None = None,
         tries: int = 3) -> tuple[Audio, float, CoachEvent] | None:
    """A partner says `text` until the coach reports `kind` (None if it never understood):
    (the audio, when it started, the event). Mishearings are the accuracy figures' business,
    not a reason to lose a timing sample."""
    for _ in range(tries):
        coach.drain()
        audio = room.partner_voice(text, voice=PARTNER_VOICE)
        playback = room.play_partner(audio)
        playback.wait(timeout=15)
        try:
            return audio, playback.start, coach.wait_for(kind, timeout=8, what=match)
        except TimeoutError:
            time.sleep(2.0)
    return None


def _latencies(room: VirtualRoom, coach: LiveCoach, trials: int) -> list[float]:
    found = []
    with room.listening() as ears:
        for trial in range(trials):
            asked = _ask(room, coach, LATENCY_REQUESTS[trial % len(LATENCY_REQUESTS)], "say")
            if asked is None:
                continue
            audio, start, said = asked
            time.sleep(max(0.0, said.t - time.monotonic()) + 1.0)
            latency = reply_latency(ears.recording(), start, audio)
            if latency is not None:
                found.append(latency)
            time.sleep(max(0.0, said.t + said.detail.get("seconds", 0) - time.monotonic()) + 1.0)
    return found


@dataclass(frozen=True)
class BargeIn:
    """One spoken "stop" over the coach that silenced it, in seconds after the stop ended: when
    the room fell silent, and when the coach reported understanding it (None if it reported no
    stop: then something else silenced it). The difference is the speaker's own delay."""

    silent: float
    decided: float | None
    heard_as: tuple[str | None, ...] = ()
    """The intents of what the coach reported hearing after the stop began (for a miss)."""


def _bargeins(room: VirtualRoom, coach: LiveCoach, trials: int) -> list[BargeIn]:
    found = []
    with room.listening() as ears:
        for _ in range(trials):
            asked = _ask(room, coach, BARGE_IN_REQUEST, "say")
            if asked is None:
                continue
            said = asked[2]
            time.sleep(max(0.0, said.t - time.monotonic()) + 1.5)
            stop = room.partner_voice("stop", voice=PARTNER_VOICE)
            playback = room.play_partner(stop)
            playback.wait(timeout=5)
            end = speech_end(playback.start, stop)
            time.sleep(2.0)
            quiet = silent_after(ears.recording(), end)
            if quiet is not None and quiet - end < 1.5:  # later than that: "stop" was not heard
                heard = [e for e in coach.log if e.event == "heard" and e.t > playback.start]
                stops = [e.t - end for e in heard if e.detail.get("intent") == "stop"]
                found.append(BargeIn(max(0.0, quiet - end), stops[0] if stops else None,
                                     tuple(e.detail.get("intent") for e in heard)))
            time.sleep(max(0.0, said.t + said.detail.get("seconds", 0) - time.monotonic()) + 1.0)
    return found


def _cue_errors(room: VirtualRoom, coach: LiveCoach, session_s: float) -> list[float]:
    with room.listening() as ears:
        if _ask(room, coach, "coach, breathe with us", "start", match="breathing") is None:
            return []
        coach.wait_for("end", timeout=session_s * 1.2 + 120)
        time.sleep(1.0)
        recording = ears.recording()
    cue_events = [e for e in coach.log if e.event == "cue" and e.what in ("inhale", "exhale")]
    errors = [cue_onset_error(recording, e.what, e.t) for e in cue_events]
    return [error for error in errors if error is not None]
