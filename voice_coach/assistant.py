"""The live coach: one loop wiring the pipeline stages together.

microphone -> echo cancelling -> endpointing -> recognition -> intent -> dialog/session
-> synthesis -> speaker

The loop owns time. The dialog runs on a clock LEAD seconds ahead of the speaker's, so every sound
it asks for is known LEAD seconds before it is due and the speaker can place its first sample
exactly (breath cues do not drift by the loop's wake-up jitter or the device's buffering). Replies
are later by the same LEAD, a fair price for cues that land on time.

The coach hears its own voice; the echo canceller removes what the speaker played, and while the
coach is talking only short controls (stop, pause, quieter...) are listened for, so it never acts on
its own speech."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from .audio.echo_cancel import EchoCanceller
from .audio.endpointing import Endpointer
from .audio.microphone import Chunk
from .audio.types import Audio, float_to_int16, int16_to_float
from .audio.wav_file import resample
from .coaching.clock import Clock
from .coaching.dialog import Dialog, Heard
from .coaching.events import Notice, Ready, Told, Underrun
from .coaching.session import Cue, End, Event, Interrupt, Listen, Say, Start
from .errors import AudioDeviceError, VoiceCoachError
from .hearing.recognition import Recognizer
from .keyboard import NoMicrophone, NoSpeaker
from .understanding.intent import IntentResult
from .voice import cues
from .voice.read_ahead import InPlace, ReadAhead

log = logging.getLogger(__name__)

LEAD = 0.15
"""Seconds between the dialog deciding a sound and the speaker playing it."""
BARGE_IN = frozenset({"stop", "pause", "quieter", "louder", "slower", "faster", "next"})
"""What a partner may say over the coach's voice. Not "repeat": people ask for that once the
coach has finished, and the coach's own voice leaking through is often heard as "what": all three
times it acted on itself in eight live runs (42-74 s of its speech each), it repeated itself."""
URGENT = frozenset({"stop", "pause"})
"""Said over the coach, these are acted on as soon as the utterance has settled and been decoded
(about 0.1 s of silence), not after the endpointer's 0.4 s hangover: a couple saying "stop" wants
silence now. The rest wait for the hangover, which keeps a pause inside a sentence from cutting
it."""
OVER_COACH_SHARE = 0.3
"""An utterance during which the coach's voice was audible this much of the time was said over
the coach (or is the coach): only BARGE_IN controls count."""
LEFTOVER_DB = -10.0
"""Said over the coach, an utterance whose residual (after echo cancelling) stays this far below
the echo removed is the coach's own leftover voice, and is dropped. Measured in the virtual room:
leftover echo -25 dB and below, a partner talking over the coach about 0 dB."""
OWN_VOICE_SHARE = 0.6
"""Said over the coach, an utterance mostly made of copies of what the coach played is its own
voice that no echo model could follow (output underruns on a busy machine skip and delay parts of
a sentence), and is dropped. Measured on a live session beside two busy processes: three of
four such utterances 1.0 (one, in tatters, 0.13); a partner's "coach, stop please" over the
coach's leftover voice 0.38."""
BROKEN_HOLD_S = 2.0
"""After the speaker underran while the coach was talking, its voice is taken as broken up for
this long: what leaks of it then, no echo model follows (parts skipped or delayed by up to 0.3 s),
so over the coach only requests that start with the wake word count ("coach, stop")."""
WAKE_JOIN_S = 1.2
"""People pause after the wake word ("coach, ... start a hug"): a lone wake word waits this long
for the request before the coach answers "yes?"."""
POLL_S = 0.02
RECONNECT_EVERY_S = 2.0
"""How often the coach tries to reopen audio devices that went away."""
"""Longest the loop sleeps when nothing arrives: bounds how late a deadline is noticed."""


class LeadClock:
    """The dialog's clock: the speaker's (monotonic) clock plus LEAD."""

    def __init__(self, base: Clock, lead: float = LEAD) -> None:
        self.base, self.lead = base, lead

    def now(self) -> float:
        return self.base.now() + self.lead

    def sleep(self, seconds: float) -> None:
        self.base.sleep(seconds)


class MicrophoneLike(Protocol):
    """What the loop reads sound from: the Microphone, NoMicrophone, or a test's room."""

    rate: int
    overflows: int
    """Blocks of sound lost so far (the loop says once that something was missed)."""

    def __enter__(self) -> MicrophoneLike: ...
    def __exit__(self, *exc: object) -> None: ...
    def read(self, timeout: float) -> Chunk | None: ...


class Playing(Protocol):
    """A sound handed to the speaker: `start` is None until it has begun."""

    start: float | None
    end: float


class SpeakerLike(Protocol):
    """What the loop plays through: the Speaker, NoSpeaker, or a test's silent speaker."""

    rate: int
    underflows: int
    """Blocks the sound card was given too late so far."""
    active: bool
    """The output stream is still running (False once its device is gone)."""
    is_playing: bool

    def play(self, audio: Audio, at: float | None = None,
             after: Playing | None = None) -> Playing: ...
    def stop(self) -> float: ...
    def close(self) -> None: ...


class SynthesizerLike(Protocol):
    """What the loop speaks with: a rendered voice (Piper, or the system voice)."""

    def render_sentences(self, text: str, rate_wpm: int, volume: float) -> Iterator[Audio]: ...
    def planned_seconds(self, text: str, rate_wpm: int) -> float: ...


class Assistant:
    """Runs the dialog against real audio until `stop()` is called (from any thread)."""

    def __init__(self, dialog: Dialog, recognizer: Recognizer, synthesizer: SynthesizerLike,
                 speaker: SpeakerLike, microphone: MicrophoneLike, endpointer: Endpointer,
                 clock: Clock, report: Callable[[Told], None] = lambda event: None,
                 reopen: Callable[[], tuple[MicrophoneLike, SpeakerLike]] | None = None,
                 prerender: Callable[[str, object], object] | None = None,
                 read_ahead: Callable[[Iterator[Audio]], object] = InPlace) -> None:
        """`reopen()` returns a new (microphone, speaker) pair or raises AudioDeviceError; with it,
        devices that go away mid-session are reopened when they come back. `prerender(exercise,
        delivery)` starts rendering an exercise's script ahead, when it starts. `read_ahead`
        makes a speech's later sentences (`ReadAhead` renders them in the background; the
        default, on the loop's thread when each is due)."""
        self.dialog, self.recognizer = dialog, recognizer
        self.synthesizer, self.speaker, self.microphone = synthesizer, speaker, microphone
        self.endpointer, self.clock, self.report = endpointer, clock, report
        self.echo = EchoCanceller(microphone.rate)
        self._speech: list[tuple[object, Say]] = []  # still playing
        self._continuing: list[_Continuing] = []  # speech whose next sentences are to render
        self._prerender = prerender
        self._read_ahead = read_ahead
        self._unheard: list[tuple[object, object]] = []  # (Playback, Audio) not yet started
        self._stopping = threading.Event()
        self._stop_when_idle = False
        self._wake_heard_at: float | None = None
        self._overflows_told = 0
        self._underflows_seen = 0
        self._broken_until = 0.0  # the coach's own voice is broken up by underruns until then
        self._reopen = reopen
        self._lost_since: float | None = None
        self._next_reconnect = 0.0
        self._typed: queue.Queue[str] = queue.Queue()
        self._acted_early: float | None = None  # start of an utterance already acted on

    # ---- control from outside ----------------------------------------------------------------

    def stop(self) -> None:
        self._stopping.set()

    def type_request(self, text: str) -> None:
        """A typed request, handled as if heard (keyboard mode beside the microphone)."""
        self._typed.put(text)

    def start_exercise(self, exercise: str, then_stop: bool = False) -> None:
        """Begin `exercise` at once; with `then_stop`, the loop ends when the exercise does."""
        self._render(self.dialog.begin(exercise))
        self._stop_when_idle = then_stop

    # ---- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        self.microphone.__enter__()
        try:
            # a new stream's settling is not an underrun
            self._underflows_seen = self.speaker.underflows
            self.report(Ready(self.clock.now()))
            while not self._stopping.is_set():
                self._step()
        finally:
            self.microphone.__exit__(None, None, None)

    def _step(self) -> None:
        """One turn of the loop. A device may go away at any point of it (reading, or playing the
        next sentence or cue): wherever it does, the session pauses and keeps its place."""
        try:
            self._step_with_devices()
        except AudioDeviceError as error:
            self._devices_lost(error)

    def _step_with_devices(self) -> None:
        try:
            chunk = self.microphone.read(timeout=self._wait_s())
            if not getattr(self.speaker, "active", True):
                raise AudioDeviceError("The speaker stopped working (unplugged, or the sound "
                                       "server stopped).")
        except AudioDeviceError as error:
            self._devices_lost(error)
            chunk = None
        if self._lost_since is not None:
            self._try_reconnect()
        self._tell_lost_sound()
        if chunk is not None:
            self._hear_chunk(chunk)
        self._act_on_urgent_early()
        while not self._typed.empty():
            self._understand(self._typed.get_nowait(), typed=True)
        self._continue_speech()
        self._notice_finished_speech()
        if self._wake_heard_at is not None and self.clock.now() - self._wake_heard_at > WAKE_JOIN_S:
            self._wake_heard_at = None
            self._understand(self.dialog.wake.text, typed=False)
        deadline = self.dialog.next_deadline()
        if deadline is not None and self.dialog.clock.now() >= deadline:
            self._render(self.dialog.poll())
        if self._stop_when_idle and self.dialog.idle and not self.speaker.is_playing \
                and not self._continuing:
            self.stop()

    def _wait_s(self) -> float:
        deadline = self.dialog.next_deadline()
        if deadline is None:
            return POLL_S
        return min(POLL_S, max(0.0, deadline - self.dialog.clock.now()))

    def _hear_chunk(self, chunk: Chunk) -> None:
        self._notice_underruns()
        self._tell_echo_what_played()
        samples = int16_to_float(chunk.data)
        cleaned = self.echo.cancel(samples, chunk.time)
        pcm = float_to_int16(cleaned)
        for utterance in self.endpointer.feed(pcm, over_voice=self.speaker.is_playing):
            self._on_utterance(utterance)

    def _notice_underruns(self) -> None:
        underflows = self.speaker.underflows
        if underflows > self._underflows_seen:
            # for the benchmark's count (`--json-events`); a person is not told of each one
            self.report(Underrun(self.clock.now(), underflows - self._underflows_seen))
        if underflows > self._underflows_seen and self.speaker.is_playing:
            self._broken_until = self.clock.now() + BROKEN_HOLD_S
        self._underflows_seen = underflows

    def _tell_echo_what_played(self) -> None:
        """The echo canceller learns each sound with the time its first sample really reached
        the speaker (a reply asked for "now" starts a block or an underrun later), so the echo's
        delay stays the room's own and the canceller keeps its lock."""
        for item in list(self._unheard):
            playback, audio = item
            if playback.start is not None:
                self._unheard.remove(item)
                before = getattr(playback, "follows", None)
                self.echo.played(_at_rate(audio, self.echo.rate), playback.start,
                                 follows=None if before is None else (before.start, before.seconds))

    def _act_on_urgent_early(self) -> None:
        finished_early = getattr(self.recognizer, "finished_early", None)
        matcher = self.dialog.matcher
        if finished_early is None or matcher is None:
            return
        while self.speaker.is_playing and (early := finished_early()) is not None:
            utterance, transcript = early
            if utterance.start_s != self._acted_early \
                    and matcher.match(transcript.text, allowed=URGENT).intent is not None:
                self._acted_early = utterance.start_s
                self._on_utterance(utterance, transcript)

    def _on_utterance(self, utterance, transcript=None) -> None:
        """`transcript` when the utterance was already decoded (acted on early)."""
        if transcript is None:
            acted_early, self._acted_early = self._acted_early, None
            if acted_early == utterance.start_s:
                # the same utterance delivered after its hangover, perhaps with a word of the
                # coach's voice heard before it fell silent: acted on already
                return
        try:
            transcript = transcript or self.recognizer.transcribe(utterance.samples)
        except VoiceCoachError as error:
            self._warn(str(error))
            return
        except Exception as error:  # a recogniser bug must not end the evening's session
            log.exception("the recogniser failed on one utterance")
            self._warn(f"I could not make out what was said ({type(error).__name__}); "
                       "please say it again.")
            return
        text = transcript.text
        log.debug("utterance %.2f-%.2f s heard as %r%s", utterance.start_s, utterance.end_s, text,
                  " (addressed to the coach)" if transcript.addressed else "")
        if not text and not transcript.addressed:
            return
        overlap = self.echo.overlap(utterance.start_s, utterance.end_s)
        over_the_coach = overlap.echo_share >= OVER_COACH_SHARE
        if over_the_coach and (overlap.residual_to_echo_db < LEFTOVER_DB or self.echo.resemblance(
                utterance.start_s, utterance.end_s) >= OWN_VOICE_SHARE):
            log.debug("dropped %r: the coach's own voice", text)
            return
        wake = self.dialog.wake
        if over_the_coach and wake.words and self.clock.now() < self._broken_until \
                and not wake.starts(text):
            log.debug("dropped %r: said over the coach's broken-up voice without %r", text,
                      wake.text)
            return
        if not text:  # "coach, ..." and the rest not made out: ask again
            self._wake_heard_at = None
            self._render(self.dialog.unclear(), reply=True)
            return
        if wake.alone(text):
            self._wake_heard_at = self.clock.now()
            return
        if self._wake_heard_at is not None:
            text = f"{wake.text} {text}"
            self._wake_heard_at = None
        self._understand(text, typed=False, over_the_coach=over_the_coach,
                         confirmed=transcript.confirmed)

    def _understand(self, text: str, typed: bool, over_the_coach: bool = False,
                    confirmed: bool = True) -> None:
        over_the_coach = over_the_coach or (not typed and self.speaker.is_playing)
        # A reply is played at once; only scheduled events (cues, the script) use the lead.
        self._render(self.dialog.hear(text, restrict=BARGE_IN if over_the_coach else None,
                                      confirmed=confirmed), reply=True)

    def _notice_finished_speech(self) -> None:
        now = self.clock.now()
        for item in list(self._speech):
            playback, said = item
            if playback.end is not None and playback.end <= now:
                self._speech.remove(item)
                self._render(self.dialog.speech_finished(said))

    def _tell_lost_sound(self) -> None:
        """Input overflow (the machine was too busy to take the microphone's sound): say so once,
        in case a request was cut, and carry on."""
        overflows = self.microphone.overflows
        if overflows > self._overflows_told:
            self._overflows_told = overflows
            self._warn("Some sound from the microphone was lost (the computer was busy); "
                       "if you just asked me something, please say it again.")

    # ---- devices that go away ------------------------------------------------------------------

    def _devices_lost(self, error: AudioDeviceError) -> None:
        """Keep the session's place (paused, never resumed by itself), carry on in print-and-type
        mode, and try to get the devices back."""
        self._warn(f"{error} I have paused and kept your place; I will listen again as soon as "
                   "the audio is back (you can type meanwhile).")
        self._lost_since = self.clock.now()
        for device in (self.microphone, self.speaker):
            with contextlib.suppress(Exception):
                device.close()
        self.microphone, self.speaker = NoMicrophone(), NoSpeaker()
        self._speech.clear()
        for speech in self._continuing:
            speech.sentences.cancel()
        self._continuing.clear()
        self._unheard.clear()
        self.endpointer.flush()
        if not self.dialog.idle:
            # a control the loop itself gives: pause while the devices are away
            self._render(self.dialog.heard(IntentResult("pause", "pause", 100.0, woke=True)))

    def _try_reconnect(self) -> None:
        now = self.clock.now()
        if self._reopen is None or now < self._next_reconnect:
            return
        self._next_reconnect = now + RECONNECT_EVERY_S
        devices: tuple = ()
        try:
            devices = microphone, speaker = self._reopen()
            microphone.__enter__()
            # A server that is still starting accepts streams that then stall: wait for sound.
            if microphone.read(timeout=1.0) is None or not speaker.active:
                raise AudioDeviceError("the devices opened but stay silent")
        except AudioDeviceError:
            for device in devices:
                with contextlib.suppress(Exception):
                    device.close()
            return
        self.microphone, self.speaker = microphone, speaker
        self._lost_since = None
        paused = not self.dialog.idle
        message = ("The sound is back. Say resume when you are ready." if paused
                   else "The sound is back, I'm listening.")
        self.report(Notice(now, message))
        self._say(Say(self.dialog.clock.now(), message, self.dialog.delivery.rate,
                      self.dialog.delivery.volume), now=True, script=False)

    # ---- rendering the dialog's events -------------------------------------------------------

    def _render(self, events: list[Event | Heard], reply: bool = False) -> None:
        for event in events:
            if isinstance(event, Heard):
                self.report(replace(event, t=self.clock.now()))
            elif isinstance(event, Interrupt):
                self._silence()
            elif isinstance(event, Say):
                self._say(event, now=reply)
            elif isinstance(event, Cue):
                self._cue(event, now=reply)
            elif isinstance(event, Start):
                if self._prerender is not None:
                    self._prerender(event.exercise, self.dialog.delivery)
                self.report(replace(event, t=self.clock.now()))
            elif isinstance(event, End):
                self.report(replace(event, t=self.clock.now()))
            elif isinstance(event, Listen):
                pass  # the microphone is always open; the dialog knows what it waits for

    def _say(self, event: Say, now: bool = False, script: bool = True) -> None:
        """Play `event`'s first sentence as soon as it is rendered; `_continue_speech` renders
        and queues the rest while it plays. `script=False` for the loop's own asides, which the
        dialog must not take for the end of its script."""
        try:
            sentences = self.synthesizer.render_sentences(event.text, int(event.rate), event.volume)
            audio = next(sentences)
            seconds = self.synthesizer.planned_seconds(event.text, int(event.rate))
        except VoiceCoachError as error:
            self._warn(f"{error} The coach says instead: {event.text}")
            self._render(self.dialog.speech_finished(event))
            return
        # Dialog times are LEAD ahead of the speaker's clock: t is when it should sound.
        at = self.clock.now() if now else max(event.t, self.clock.now())
        playback = self.speaker.play(audio, at=at)
        self._unheard.append((playback, audio))
        self._continuing.append(_Continuing(event, self._read_ahead(sentences), playback, script))
        self.report(replace(event, t=at, seconds=seconds))

    def _continue_speech(self) -> None:
        """Each sentence follows the one before it to the sample, once that one has started
        (before then its start is not known); the last one's end is the speech's end."""
        for speech in list(self._continuing):
            if speech.playing.start is None:
                continue
            try:
                audio = speech.sentences.ready()
                if audio is None:
                    continue  # still being rendered
            except StopIteration:
                self._continuing.remove(speech)
                if speech.script:
                    self._speech.append((speech.playing, speech.event))
                continue
            except VoiceCoachError as error:
                self._continuing.remove(speech)
                self._warn(f"{error} The rest was: {speech.event.text}")
                if speech.script:
                    self._speech.append((speech.playing, speech.event))
                continue
            speech.playing = self.speaker.play(audio, after=speech.playing)
            self._unheard.append((speech.playing, audio))

    def _cue(self, event: Cue, now: bool = False) -> None:
        sound = cues.cue(event.phase)
        at = self.clock.now() if now else event.t
        self._unheard.append((self.speaker.play(sound, at=at), sound))
        self.report(replace(event, t=at))

    def _silence(self) -> None:
        # What was cut off is not reported as finished: the dialog decides what comes next.
        silent_at = self.speaker.stop()
        # Sounds that never started are given start = end = silent_at by the speaker: not echo.
        self._unheard = [(p, a) for p, a in self._unheard
                         if p.start is not None and p.start < silent_at]
        self._tell_echo_what_played()
        self.echo.stop_playing(silent_at)
        self._speech.clear()
        for speech in self._continuing:
            speech.sentences.cancel()
        self._continuing.clear()

    def _warn(self, message: str) -> None:
        log.warning(message)
        self.report(Notice(self.clock.now(), message))


@dataclass
class _Continuing:
    """Speech still being rendered: its event, its sentences to come and the one playing."""

    event: Say
    sentences: ReadAhead | InPlace
    playing: object
    script: bool


def _at_rate(audio, rate: int) -> np.ndarray:
    return resample(audio, rate).samples
