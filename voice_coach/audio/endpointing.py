"""Cutting the microphone stream into utterances: where a request starts and, above all, when it has
ended, because the reply cannot start before that.

An energy detector in six frequency bands, each with its own adaptive noise floor, plus a
hangover: a 10 ms frame is speech when a few bands stand well above their floors; an utterance
starts after a short run of speech frames and ends after `hangover_s` without any.
Measured against PocketSphinx's WebRTC-style `Endpointer` on espeak-ng speech (7 requests, 3
voices, 2 rates), clean and with noise at 10 dB SNR: clean both found every utterance, this one
ended them sooner (end delay p50 417 ms vs 463, p95 479 vs 534); with fan noise 100% vs 86%
single utterances; with pink noise 81% single and none missed vs 76% and 17% missed; no false
starts in a minute of pink or fan noise (PocketSphinx: 3 and 1). Neither copes with babble at
10 dB SNR (talk is talk); a twelve-second "utterance" is learnt as background.

The hangover is dead time for the reply: once `tail_s` of silence has passed, the utterance's
samples are final (later silence is trimmed to the same tail), so `on_settled` hands them out
then and recognition can run while the hangover waits (EarlyRecognizer). Speech that resumes
makes that copy stale: the utterance delivered at the end is the one that counts, except for an
urgent "stop" said over the coach, which is acted on from the first copy that holds it.

Only the current utterance is kept (plus a short pre-roll): nothing else is stored."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .types import int16_to_float

FRAME_S = 0.01
_BANDS_HZ = ((150, 400), (400, 800), (800, 1500), (1500, 2500), (2500, 4000), (4000, 7000))
_TOP_BANDS = 3
_WARM_UP_FRAMES = 50
DROP_DB = 15.0
"""Over the coach's voice, a talker is taken to have stopped once the level stays this far below
their utterance's loudest frame (see `Endpointer._settle_early`). In the room, a partner's speech
peaked 20 dB above what the echo canceller left of the coach's voice after it."""


@dataclass(frozen=True, eq=False)
class Utterance:
    samples: np.ndarray
    """int16 mono at the endpointer's rate, including the pre-roll and a short tail."""
    start_s: float
    """When speech started (stream seconds, see Endpointer.start_time)."""
    end_s: float
    """When speech ended."""
    cut: bool = False
    """True when it was cut at max_utterance_s rather than ended by silence."""


class Endpointer:
    """Feed int16 chunks of any size; get back the utterances that have ended."""

    def __init__(self, rate: int = 16000, start_time: float = 0.0, hangover_s: float = 0.4,
                 onset_s: float = 0.08, preroll_s: float = 0.25, tail_s: float = 0.1,
                 margin_db: float = 7.0, min_level_db: float = -62.0,
                 max_utterance_s: float = 12.0,
                 on_settled: Callable[[Utterance], None] | None = None) -> None:
        """`on_settled(utterance)` is called as soon as an utterance in progress would end as it
        is if no more speech came (after `tail_s` of silence), before the hangover ends it."""
        self.rate = rate
        self._on_settled = on_settled
        self.start_time = start_time
        """Stream time of the first sample fed; utterance times are on this scale."""
        self._frame = int(FRAME_S * rate)
        self._window = np.hanning(self._frame)
        self._smoothed: np.ndarray | None = None
        self._hangover = round(hangover_s / FRAME_S)
        self._onset = max(1, round(onset_s / FRAME_S))
        self._preroll = round(preroll_s / FRAME_S)
        self._tail = round(tail_s / FRAME_S)
        self._margin = margin_db
        self._min_level = min_level_db
        self._max_frames = round(max_utterance_s / FRAME_S)
        self._pending = np.zeros(0, dtype=np.int16)
        self._frames_seen = 0
        self.noise_floor_db: np.ndarray | None = None
        """Running estimate of the background level in each band (dB), learnt from the first
        frame on."""
        freqs = np.fft.rfftfreq(self._frame, 1 / rate)
        self._bands = [(freqs >= lo) & (freqs < hi) for lo, hi in _BANDS_HZ if lo < rate / 2]
        self._history: deque[np.ndarray] = deque(maxlen=self._preroll + self._onset)
        self._speech: list[np.ndarray] | None = None
        self._speech_run = 0
        self._silence_run = 0
        self._utterance_start = 0
        self._last_speech_frame = 0
        self._over_voice = False
        self._quiet_run = 0
        self._last_loud_frame = 0
        self._loudest_db = -120.0

    def feed(self, chunk: bytes | np.ndarray, over_voice: bool = False) -> list[Utterance]:
        """`over_voice`: the coach's own voice is playing (see `_settle_early`)."""
        self._over_voice = over_voice
        samples = np.frombuffer(chunk, dtype="<i2") if isinstance(chunk, (bytes, bytearray)) \
            else np.asarray(chunk, dtype=np.int16)
        data = np.concatenate([self._pending, samples])
        whole = len(data) // self._frame * self._frame
        self._pending = data[whole:]
        done = []
        for frame in data[:whole].reshape(-1, self._frame):
            utterance = self._step(frame)
            if utterance is not None:
                done.append(utterance)
        return done

    def flush(self) -> list[Utterance]:
        """End of stream: the utterance in progress, if any."""
        if self._speech is None:
            return []
        return [self._finish(cut=False)]

    def _step(self, frame: np.ndarray) -> Utterance | None:
        levels = self._band_levels_db(frame)
        # A little smoothing over frames: single 10 ms frames of noise flicker by several dB.
        self._smoothed = levels if self._smoothed is None else 0.5 * self._smoothed + 0.5 * levels
        levels = self._smoothed
        index = self._frames_seen
        self._frames_seen += 1
        self._track_floor(levels)
        level = _level_db(frame)
        is_speech = self._is_speech(level, levels)
        if self._speech is None:
            self._history.append(frame)
            self._speech_run = self._speech_run + 1 if is_speech else 0
            if self._speech_run >= self._onset:
                self._speech = list(self._history)
                self._utterance_start = index - self._onset + 1
                self._last_speech_frame = self._last_loud_frame = index
                self._silence_run = self._quiet_run = 0
                self._loudest_db = max(_level_db(f) for f in list(self._history)[-self._onset:])
            return None
        self._speech.append(frame)
        if is_speech:
            self._silence_run = 0
            self._last_speech_frame = index
        else:
            self._silence_run += 1
        self._settle_early(level, is_speech, index)
        if self._silence_run >= self._hangover:
            return self._finish(cut=False)
        if len(self._speech) >= self._max_frames:
            return self._finish(cut=True)
        return None

    def _settle_early(self, level: float, is_speech: bool, index: int) -> None:
        """Hands out the utterance as it stands once `tail_s` of silence has followed it, and
        also, over the coach's voice, once the talker has fallen `DROP_DB` below the utterance's
        loudest frame for as long: the echo canceller's leftover of the coach's voice, once a
        partner stops, stays above the noise floor and would hold "stop" back until the coach
        pauses between words (seen in the room: "coach stop please do the", silent 0.87 s
        after). The silent copy is still handed out after it: it is the one later delivered."""
        if self._on_settled is None or self._tail >= self._hangover:
            return
        loud = is_speech and not (self._over_voice and level < self._loudest_db - DROP_DB)
        if loud:
            self._loudest_db = max(self._loudest_db, level)
            self._quiet_run, self._last_loud_frame = 0, index
        else:
            self._quiet_run += 1
        if self._silence_run == self._tail:
            self._on_settled(self._utterance(cut=False))
        elif self._quiet_run == self._tail:  # quiet, though not silent: over the coach's voice
            self._on_settled(self._utterance(cut=False, quiet_run=self._quiet_run,
                                             last_frame=self._last_loud_frame))

    def _utterance(self, cut: bool, quiet_run: int | None = None,
                   last_frame: int | None = None) -> Utterance:
        """The utterance so far: all of it when `cut`, else up to `tail_s` after its last speech
        frame (or after `last_frame`, `quiet_run` frames back)."""
        frames = self._speech or []
        quiet_run = self._silence_run if quiet_run is None else quiet_run
        last_frame = self._last_speech_frame if last_frame is None else last_frame
        keep = len(frames) if cut else len(frames) - max(0, quiet_run - self._tail)
        samples = np.concatenate(frames[:keep]) if keep > 0 else np.zeros(0, dtype=np.int16)
        end_frame = self._frames_seen if cut else last_frame + 1
        return Utterance(
            samples=samples,
            start_s=self.start_time + self._utterance_start * FRAME_S,
            end_s=self.start_time + end_frame * FRAME_S,
            cut=cut,
        )

    def _finish(self, cut: bool) -> Utterance:
        utterance = self._utterance(cut)
        if cut and self._smoothed is not None:
            # Twelve seconds of "speech" is more likely a television or a crowd: learn it as
            # the background instead of cutting it into twelve-second pieces forever.
            self.noise_floor_db = np.maximum(self.noise_floor_db, self._smoothed)
        self._speech = None
        self._speech_run = 0
        self._silence_run = 0
        self._history.clear()
        return utterance

    def _band_levels_db(self, frame: np.ndarray) -> np.ndarray:
        power = np.abs(np.fft.rfft(int16_to_float(frame, np.float64) * self._window)) ** 2
        return np.array([10 * np.log10(np.sum(power[band]) + 1e-12) for band in self._bands])

    def _is_speech(self, level: float, levels: np.ndarray) -> bool:
        """Speech lifts a few bands well above their own noise floor; a fan or hiss raises all
        bands evenly and is learnt into the floor, so judging each band against its own floor
        copes with coloured noise that a single level threshold cannot."""
        lift = np.sort(levels - self.noise_floor_db)[-_TOP_BANDS:].mean()
        return lift > self._margin and level > self._min_level

    def _track_floor(self, levels: np.ndarray) -> None:
        """Each band's floor follows the median of its level, at most 5 dB a second (a fan
        switched on is learnt in seconds), falling faster to a much quieter room, and almost
        frozen while someone speaks so a long sentence does not become "background". The
        first frames are averaged so the floor starts where the room is."""
        if self.noise_floor_db is None or self._frames_seen <= _WARM_UP_FRAMES:
            weight = 1.0 / max(1, self._frames_seen)
            self.noise_floor_db = levels.copy() if self.noise_floor_db is None else \
                (1 - weight) * self.noise_floor_db + weight * levels
            return
        up = 0.005 if self._speech is not None else 0.05
        down = np.maximum(0.05, 0.1 * (self.noise_floor_db - levels))
        self.noise_floor_db = np.where(levels > self.noise_floor_db,
                                       self.noise_floor_db + up, self.noise_floor_db - down)


def _level_db(frame: np.ndarray) -> float:
    """A frame's level in dB below full scale."""
    return float(10 * np.log10(np.mean(int16_to_float(frame, np.float64) ** 2) + 1e-12))


class EarlyRecognizer:
    """A recogniser that starts on an utterance as soon as the endpointer has settled it (pass
    `settled` as the Endpointer's `on_settled`), in a worker thread, so by the time the hangover
    has ended it the transcript is ready or nearly: the reply comes up to a hangover sooner, and
    the recogniser hears exactly the same samples as it would have. Decoding is serialised on
    that one worker (decoders are not thread-safe). A copy made stale by speech that resumed is
    dropped if it has not started yet; one already being decoded is still handed out by
    `finished_early`: over the coach's voice an utterance often settles, picks up a little of the
    coach's leftover voice and settles again, and "stop" heard in the first copy must not wait
    for the second (in the room the wait made silence come up to 0.78 s after the partner's
    "stop" instead of 0.4).

    With `staged`, the recogniser's `transcribe` also takes `on_first`, which it calls with a
    quicker first reading before its final one (the two ears' grammar ear, before Whisper has
    finished): `finished_early` hands that out too, so an urgent "stop" waits only for the
    quicker ear."""

    def __init__(self, recognizer, staged: bool = False) -> None:
        self.recognizer = recognizer
        self._staged = staged
        self._lock = threading.Lock()
        self._copies: list[_Copy] = []  # settled copies of this utterance
        self._handed: set[tuple[int, str]] = set()  # (copy, "first" or "final") handed out early
        self._worker: ThreadPoolExecutor | None = None

    @property
    def sample_rate(self) -> int:
        return self.recognizer.sample_rate

    @property
    def name(self) -> str:
        return self.recognizer.name

    def settled(self, utterance: Utterance) -> None:
        with self._lock:
            # cancel() only succeeds for a copy whose decoding has not started
            self._copies = [c for c in self._copies if not c.future.cancel()]
            self._copies.append(self._submit(utterance))

    def finished_early(self):
        """The oldest settled copy with a reading not yet handed out, with that reading (its
        final one when ready, else its first), once each (else None): for a command too urgent
        to wait out the hangover ("stop" over the coach)."""
        with self._lock:
            for copy in self._copies:
                if copy.future.cancelled():
                    continue
                if copy.future.done() and (id(copy), "final") not in self._handed:
                    self._handed |= {(id(copy), "final"), (id(copy), "first")}
                    break
                if copy.first is not None and (id(copy), "first") not in self._handed:
                    self._handed.add((id(copy), "first"))
                    return copy.utterance, copy.first
            else:
                return None
        try:
            return copy.utterance, copy.future.result()
        except Exception:  # noqa: BLE001 - the utterance's own delivery reports the failure
            return None

    def transcribe(self, samples: bytes | np.ndarray):
        pcm = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype=np.int16)
        with self._lock:
            # the utterance is delivered: its settled copies are of no more use early
            copies, self._copies, self._handed = self._copies, [], set()
        same = [c for c in copies
                if np.array_equal(c.utterance.samples, pcm) and not c.future.cancelled()]
        for copy in copies:
            if copy not in same:
                copy.future.cancel()
        if same:
            return same[-1].future.result()
        return self._submit(Utterance(pcm, 0.0, len(pcm) / self.sample_rate)).future.result()

    def _submit(self, utterance: Utterance) -> _Copy:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="early-recognition")
        copy = _Copy(utterance)
        if self._staged:
            copy.future = self._worker.submit(self.recognizer.transcribe, utterance.samples,
                                              on_first=copy.take_first)
        else:
            copy.future = self._worker.submit(self.recognizer.transcribe, utterance.samples)
        return copy


@dataclass(eq=False)
class _Copy:
    """One settled copy of an utterance being recognised: its final reading to come, and the
    first reading when a staged recogniser has given it."""

    utterance: Utterance
    future: Future | None = None
    first: object | None = None

    def take_first(self, reading) -> None:
        self.first = reading
