"""A night without leaks: the live assistant loop runs for hours on a virtual clock, with room noise
flowing into its microphone and a couple's requests spoken now and then, and memory, threads and
open files are watched from start to end.

Everything is the real product except the sound card: the Assistant loop, echo canceller,
endpointer, recogniser, matcher, dialog and sessions, the synthesizer (every reply is rendered) and
a history file. The microphone and speaker are stand-ins that live on the virtual clock, so eight
hours take minutes. A leak of a few kilobytes per utterance or per session shows up over a night.

    python -m voice_coach.bench.soak [--hours 8] [--seed 0]

prints a short table and exits 1 if memory grew by 5 MB or more after warm-up, or if threads or
open files grew at all.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from ..assistant import Assistant, LeadClock
from ..audio.microphone import Chunk
from ..audio.types import float_to_int16
from ..audio.wav_file import resample
from ..coaching.answers import load_answers
from ..coaching.clock import VirtualClock
from ..coaching.dialog import Dialog, Heard
from ..coaching.events import Notice, Told
from ..coaching.exercises import load_exercises
from ..coaching.history import History
from ..coaching.session import End, Say, Start
from ..settings import Settings
from ..understanding.catalog import load_catalog
from ..understanding.intent import IntentMatcher

RATE = 16000
CHUNK_S = 0.1
"""The microphone's block length: what a sound card delivers ten times a second."""
NOISE_DBFS = -45.0
"""A quiet bedroom: fan hiss well below speech."""
SPEECH_DBFS = -20.0
"""A partner speaking a metre or two from the microphone (about 25 dB above the noise)."""
SAMPLE_EVERY_S = 600.0
"""Virtual seconds between memory samples (shorter runs take eight samples)."""
RSS_GROWTH_LIMIT_MB = 5.0
STUCK_STEPS = 10_000
"""Loop steps without the clock moving that count as a busy loop (a deadline that never clears)."""
MAX_CRASHES = 20
"""The loop is restarted after a crash, so a night's leaks are still measured; this many end it."""
EVENING = datetime(2026, 11, 26, 21, 30)
"""When the virtual night starts: night-time voice and tonight's pick behave as at bedtime."""


@dataclass(frozen=True)
class Line:
    """Something a partner says to the coach."""

    text: str
    after_s: float
    """Seconds after the previous line ended; never while the coach is speaking (partners wait
    for the coach to finish, so a "no" answers the question rather than interrupts it)."""
    when_idle: bool = False
    """A request: said only once the coach is idle (nothing running, nothing being said)."""


NIGHT = (
    Line("coach, breathe with us", 20, when_idle=True),
    Line("coach, start a hug", 30, when_idle=True),
    Line("coach, what is emotional intimacy", 30, when_idle=True),
    Line("no", 2),
    Line("coach, rose thorn bud", 30, when_idle=True),
    Line("pause", 40),
    Line("resume", 20),
    Line("how long is left", 10),
    Line("stop", 30),
    Line("coach, what should we do tonight", 30, when_idle=True),
    Line("yes", 2),
    Line("stop", 60),
)
"""One round of a couple's evening, repeated all night: exercises run to the end, questions,
pause and resume, and sessions stopped early."""


@dataclass
class Counts:
    lines_said: int = 0
    heard: int = 0
    understood: int = 0
    sessions_started: int = 0
    sessions_completed: int = 0
    replies: int = 0
    warnings: int = 0
    last_warnings: deque = field(default_factory=lambda: deque(maxlen=3))


@dataclass(frozen=True)
class Resources:
    """What the process holds at one moment."""

    rss_mb: float
    threads: int
    """Kernel threads (/proc/self/task): Python's and those C libraries started."""
    open_files: int
    """Open file descriptors (/proc/self/fd)."""


@dataclass(frozen=True)
class SoakResult:
    hours: float
    wall_s: float
    start: Resources
    """After the pipeline is built, before the night starts."""
    warmed: Resources
    """After the first round of the evening and an eighth of the night (caches full, every path
    run), or at half the night if requests went unheard so long that no round finished."""
    end: Resources
    peak_rss_mb: float
    rss_by_hour: tuple[tuple[float, float], ...]
    """(virtual hours, RSS MB) every SAMPLE_EVERY_S, or every eighth of a shorter run."""
    counts: Counts
    stuck_loops: int
    """Times the loop spun without time passing; each is a busy-loop bug."""
    crashes: tuple[str, ...] = ()
    """Exceptions that ended the live loop (it is restarted to finish the night)."""

    @property
    def rss_growth_mb(self) -> float:
        return self.end.rss_mb - self.warmed.rss_mb

    @property
    def failures(self) -> list[str]:
        problems = []
        if self.rss_growth_mb >= RSS_GROWTH_LIMIT_MB:
            problems.append(f"memory grew {self.rss_growth_mb:.1f} MB after warm-up "
                            f"(bound {RSS_GROWTH_LIMIT_MB:g} MB)")
        if self.end.threads > self.start.threads:
            problems.append(f"threads grew from {self.start.threads} to {self.end.threads}")
        if self.end.open_files > self.start.open_files:
            problems.append(f"open files grew from {self.start.open_files} to "
                            f"{self.end.open_files}")
        if self.stuck_loops:
            problems.append(f"the loop spun {self.stuck_loops} times without time passing")
        problems += [f"the live loop crashed at {crash}" for crash in self.crashes]
        return problems


def resources() -> Resources:
    gc.collect()  # garbage awaiting collection is not a leak
    with open("/proc/self/statm") as statm:
        rss_pages = int(statm.read().split()[1])
    return Resources(rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20,
                     len(os.listdir("/proc/self/task")), len(os.listdir("/proc/self/fd")))


class Playback:
    def __init__(self, start: float, seconds: float) -> None:
        self.start, self.end = start, start + seconds


class NightSpeaker:
    """A speaker on the virtual clock: plays nothing, takes the time the sound lasts."""

    rate = RATE
    underflows = 0
    active = True

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._until = 0.0

    def play(self, audio, at: float | None = None, after: Playback | None = None) -> Playback:
        at = after.end if after is not None else at
        start = self._clock.now() if at is None else max(at, self._clock.now())
        self._until = max(self._until, start + audio.seconds)
        return Playback(start, audio.seconds)

    def stop(self) -> float:
        self._until = self._clock.now()
        return self._until

    @property
    def is_playing(self) -> bool:
        return self._clock.now() < self._until

    def close(self) -> None:
        pass


class NightMicrophone:
    """The bedroom's microphone on the virtual clock: noise in every block, a partner's line
    mixed in when the evening's script says so. Reading it is what moves time forward."""

    rate = RATE
    overflows = 0

    def __init__(self, clock: VirtualClock, lines: dict[str, np.ndarray], until: float,
                 is_idle: Callable[[], bool], is_quiet: Callable[[], bool],
                 on_sample: Callable[[], None], seed: int) -> None:
        self._clock, self._lines, self._until = clock, lines, until
        self._is_idle, self._is_quiet, self._on_sample = is_idle, is_quiet, on_sample
        self._rng = np.random.default_rng(seed)
        self._noise = _pink_noise(30 * RATE, self._rng) * 10 ** (NOISE_DBFS / 20)
        self._block = int(CHUNK_S * RATE)
        self._next_block_at = clock.now()
        self._speech: np.ndarray = np.zeros(0, dtype=np.float32)
        self._script_index = 0
        self._next_line_at = clock.now() + NIGHT[0].after_s
        self._sample_every = min(SAMPLE_EVERY_S, (until - clock.now()) / 8)
        self._next_sample_at = clock.now() + self._sample_every
        self._same_time_reads = 0
        self.rounds = 0
        self.lines_said = 0
        self.stuck_loops = 0
        self.stop: Callable[[], None] = lambda: None

    def __enter__(self) -> NightMicrophone:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def read(self, timeout: float) -> Chunk | None:
        now = self._clock.now()
        if now >= self._until:
            self.stop()
            return None
        block_end = self._next_block_at + CHUNK_S
        if block_end - now > timeout:
            self._advance(timeout)
            return None
        self._clock.advance_to(block_end)
        self._same_time_reads = 0
        start = self._next_block_at
        self._next_block_at = block_end
        self._maybe_say()
        if self._clock.now() >= self._next_sample_at:
            self._next_sample_at += self._sample_every
            self._on_sample()
        return Chunk(self._block_samples().tobytes(), start)

    def _advance(self, seconds: float) -> None:
        if seconds > 0:
            self._clock.advance(seconds)
            self._same_time_reads = 0
            return
        self._same_time_reads += 1
        if self._same_time_reads >= STUCK_STEPS:  # a real loop would burn a core here
            self.stuck_loops += 1
            self._same_time_reads = 0
            self._clock.advance(CHUNK_S)

    def _maybe_say(self) -> None:
        line = NIGHT[self._script_index]
        if len(self._speech) or self._clock.now() < self._next_line_at:
            return
        if not self._is_quiet() or line.when_idle and not self._is_idle():
            return
        self._speech = self._lines[line.text]
        self.lines_said += 1
        self._script_index = (self._script_index + 1) % len(NIGHT)
        self.rounds += self._script_index == 0
        following = NIGHT[self._script_index]
        self._next_line_at = self._clock.now() + len(self._speech) / RATE + following.after_s

    def _block_samples(self) -> np.ndarray:
        offset = int(self._rng.integers(0, len(self._noise) - self._block))
        block = self._noise[offset:offset + self._block].copy()
        spoken, self._speech = self._speech[:self._block], self._speech[self._block:]
        block[:len(spoken)] += spoken
        return float_to_int16(block)


def _pink_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS 1/f noise: the hiss of a fan or a heater."""
    spectrum = np.fft.rfft(rng.standard_normal(length))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(length, 1 / RATE), 20.0))
    signal = np.fft.irfft(spectrum, n=length)
    return (signal / np.sqrt(np.mean(signal**2))).astype(np.float32)


def _spoken_lines(synthesizer) -> dict[str, np.ndarray]:
    """Each line of the script as a partner's voice at SPEECH_DBFS, 16 kHz, with a short pause
    after it (the endpointer needs silence to know the line has ended)."""
    spoken = {}
    for text in {line.text for line in NIGHT}:
        samples = resample(synthesizer.render(text, 150), RATE).samples
        rms = float(np.sqrt(np.mean(samples**2))) or 1.0
        speech = samples / rms * 10 ** (SPEECH_DBFS / 20)
        spoken[text] = np.concatenate([speech, np.zeros(RATE, dtype=np.float32)])
    return spoken


def run_soak(hours: float = 8.0, seed: int = 0, model: str | None = None,
             progress: Callable[[str], None] = lambda line: None) -> SoakResult:
    """Run the live loop for `hours` of virtual time and measure what it holds before and after;
    `progress` gets a line at every memory sample (a long soak is otherwise silent for minutes)."""
    from ..audio.endpointing import Endpointer
    from ..hearing.engines import load_recognizer
    from ..voice.synthesis import Synthesizer

    clock = VirtualClock()
    catalog = load_catalog()
    matcher = IntentMatcher(catalog)
    synthesizer = Synthesizer()
    recognizer = load_recognizer(catalog, model_path=model)
    exercises = load_exercises()
    counts = Counts()
    folder = tempfile.mkdtemp(prefix="voice-coach-soak-")
    history = History(Path(folder) / "history.db", on_warning=counts.last_warnings.append)
    dialog = Dialog(exercises, load_answers(exercises), LeadClock(clock),
                    lambda text, rate: synthesizer.duration(text, int(rate)),
                    settings=Settings(), matcher=matcher, history=history, started_at=EVENING)
    samples: list[tuple[float, float]] = []
    warmed: list[Resources] = []

    def sample() -> None:
        now = resources()
        samples.append((clock.now() / 3600, now.rss_mb))
        progress(f"{clock.now() / 3600:5.2f} h: RSS {now.rss_mb:.1f} MB, {now.threads} threads, "
                 f"{now.open_files} files; {microphone.lines_said} lines said, {counts.heard} "
                 f"heard; {time.perf_counter() - wall:.0f} s wall")
        # warm once every path has run (a round of the evening) and caches have filled (an eighth
        # of the night: tonight's pick varies by round), or if no round ends, at half the night
        night_part = clock.now() / (hours * 3600)
        if not warmed and (microphone.rounds >= 1 and night_part >= 1 / 8 or night_part >= 1 / 2):
            warmed.append(now)

    microphone = NightMicrophone(clock, _spoken_lines(synthesizer), hours * 3600,
                                 lambda: dialog.idle and not speaker.is_playing,
                                 lambda: not speaker.is_playing, sample, seed)
    speaker = NightSpeaker(clock)
    assistant = Assistant(dialog, recognizer, synthesizer, speaker, microphone,
                          Endpointer(rate=RATE), clock, report=_counter(counts))
    microphone.stop = assistant.stop
    start = resources()
    wall = time.perf_counter()
    crashes: list[str] = []
    try:
        while len(crashes) < MAX_CRASHES:
            try:
                assistant.run()
                break
            except Exception as error:  # what would have ended the couple's evening
                crashes.append(f"{clock.now() / 3600:.2f} h: {type(error).__name__}: {error}")
        wall = time.perf_counter() - wall
        end = resources()
    finally:
        history.close()
        synthesizer.close()
        for leftover in Path(folder).iterdir():
            leftover.unlink()
        os.rmdir(folder)
    counts.lines_said = microphone.lines_said
    return SoakResult(hours, wall, start, warmed[0] if warmed else start, end,
                      max([start.rss_mb, end.rss_mb] + [rss for _, rss in samples]),
                      tuple(samples), counts, microphone.stuck_loops, tuple(crashes))


def _counter(counts: Counts) -> Callable[[Told], None]:
    def count(event: Told) -> None:
        if isinstance(event, Heard):
            counts.heard += 1
            counts.understood += bool(event.intent)
        elif isinstance(event, Start):
            counts.sessions_started += 1
        elif isinstance(event, End):
            counts.sessions_completed += event.completed
        elif isinstance(event, Say):
            counts.replies += 1
        elif isinstance(event, Notice):
            counts.warnings += 1
            counts.last_warnings.append(event.text)

    return count


def table(result: SoakResult) -> str:
    c = result.counts
    rows = [
        f"soak: {result.hours:g} virtual hours in {result.wall_s:.1f} s of wall time "
        f"({result.hours * 3600 / max(result.wall_s, 1e-9):.0f}x real time)",
        f"lines said {c.lines_said}, utterances heard {c.heard}, understood {c.understood}; "
        f"sessions started {c.sessions_started}, completed {c.sessions_completed}; "
        f"replies {c.replies}; warnings {c.warnings}",
        f"{'':14}{'start':>9}{'warmed':>9}{'end':>9}{'change':>9}  bound",
        _row("RSS MB", result.start.rss_mb, result.warmed.rss_mb, result.end.rss_mb,
             result.rss_growth_mb, f"< {RSS_GROWTH_LIMIT_MB:g} after warm-up", ".1f"),
        _row("threads", result.start.threads, result.warmed.threads, result.end.threads,
             result.end.threads - result.start.threads, "no growth", "d"),
        _row("open files", result.start.open_files, result.warmed.open_files,
             result.end.open_files, result.end.open_files - result.start.open_files,
             "no growth", "d"),
        f"peak RSS {result.peak_rss_mb:.1f} MB; RSS over the night: "
        + ", ".join(f"{h:.2g}h {mb:.1f}" for h, mb in _spread(result.rss_by_hour)),
    ]
    rows += [f"warning: {w}" for w in c.last_warnings]
    rows += [f"FAILED: {problem}" for problem in result.failures] or ["ok: every bound met"]
    return "\n".join(rows)


def _spread(samples: tuple, most: int = 9) -> tuple:
    """At most `most` samples, evenly spaced, the last included."""
    step = max(1, -(-len(samples) // most))
    return samples[::-1][::step][::-1]


def _row(name: str, start, warmed, end, change, bound: str, form: str) -> str:
    return (f"{name:14}{start:>9{form}}{warmed:>9{form}}{end:>9{form}}{change:>+9{form}}  "
            f"{bound}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voice_coach.bench.soak",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=8.0, help="virtual hours (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="noise seed")
    parser.add_argument("--model", metavar="PATH", help="a Vosk model folder (default: search)")
    args = parser.parse_args(argv)
    result = run_soak(args.hours, args.seed, args.model,
                      progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(result), flush=True)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
