"""The live loop on a virtual clock with stand-in devices: a failing voice or recogniser is
reported in one sentence and the session goes on."""

import numpy as np

from voice_coach.assistant import Assistant, LeadClock
from voice_coach.audio.endpointing import Endpointer
from voice_coach.audio.microphone import Chunk
from voice_coach.audio.types import Audio
from voice_coach.coaching.answers import load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog
from voice_coach.coaching.events import kind
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import State, estimate_speech_seconds
from voice_coach.errors import AudioDeviceError, SynthesisError
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher
from voice_coach.voice.rendered_voice import RenderedVoice


class QuietRoom:
    """A microphone on the virtual clock: reading it moves time on; one burst of 'speech'."""

    rate = 16000
    overflows = 0

    def __init__(self, clock, until, speech_at=None):
        self.clock, self.until, self.speech_at, self.stop = clock, until, speech_at, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def read(self, timeout):
        start = self.clock.now()
        self.clock.advance(0.03)
        if self.clock.now() >= self.until:
            self.stop()
        loud = self.speech_at is not None and self.speech_at <= start < self.speech_at + 0.6
        samples = (np.sin(np.arange(480) * 0.3) * (8000 if loud else 0)).astype(np.int16)
        return Chunk(samples.tobytes(), start)


class SilentSpeaker:
    rate, underflows, active = 16000, 0, True

    def __init__(self, clock):
        self.clock, self.until = clock, 0.0

    def play(self, audio, at=None, after=None):
        at = after.end if after is not None else at
        start = max(at or 0.0, self.clock.now())
        self.until = max(self.until, start + audio.seconds)
        return type("P", (), {"start": start, "end": start + audio.seconds})()

    def stop(self):
        self.until = self.clock.now()
        return self.until

    @property
    def is_playing(self):
        return self.clock.now() < self.until

    def close(self):
        pass


class BrokenVoice(RenderedVoice):
    def _render_sentence(self, sentence, rate_wpm):
        raise SynthesisError("The voice engine failed: reinstall espeak-ng.")


class Voice(RenderedVoice):
    """Silence as long as the words would take: the loop's logic, not a voice, is under test."""

    def _render_sentence(self, sentence, rate_wpm):
        return Audio(np.zeros(int(16000 * estimate_speech_seconds(sentence, rate_wpm)),
                              np.float32), 16000)


class CrashingRecognizer:
    sample_rate, name = 16000, "crashing"

    def transcribe(self, samples):
        raise AttributeError("'NoneType' object has no attribute 'hypstr'")


def new_dialog(clock):
    """The real dialog, with every exercise and the real matcher, on the virtual clock."""
    exercises = load_exercises()
    return Dialog(exercises, load_answers(exercises), LeadClock(clock), estimate_speech_seconds,
                  matcher=IntentMatcher(load_catalog()))


def run_coach(synthesizer, recognizer, seconds, speech_at=None, exercise="hug"):
    clock = VirtualClock()
    dialog = new_dialog(clock)
    reports = []
    microphone = QuietRoom(clock, seconds, speech_at)
    assistant = Assistant(dialog, recognizer, synthesizer, SilentSpeaker(clock), microphone,
                          Endpointer(rate=16000), clock, report=reports.append)
    microphone.stop = assistant.stop
    assistant.start_exercise(exercise)
    assistant.run()
    return reports, clock.now()


def test_a_failing_voice_is_reported_and_the_session_still_runs_to_its_end():
    reports, _ = run_coach(BrokenVoice(), CrashingRecognizer(), seconds=120)
    warnings = [r.text for r in reports if kind(r) == "warning"]
    assert any("reinstall espeak-ng" in w and "The coach says instead" in w for w in warnings)
    assert [kind(r) for r in reports if kind(r) in ("start", "end")] == ["start", "end"]


def test_a_recogniser_crash_on_one_utterance_is_reported_and_the_loop_goes_on():
    reports, ended_at = run_coach(Voice(), CrashingRecognizer(), seconds=60, speech_at=20.0)
    warnings = [r for r in reports if kind(r) == "warning"]
    assert [w.text for w in warnings] == [
        "I could not make out what was said (AttributeError); please say it again."]
    assert warnings[0].t < 25.0
    assert ended_at >= 60.0


class BusyRoom(QuietRoom):
    """A microphone whose sound was lost once, ten seconds in (input overflow)."""

    @property
    def overflows(self):
        return int(self.clock.now() >= 10.0)


def test_lost_microphone_sound_is_reported_once_and_the_session_goes_on():
    clock = VirtualClock()
    dialog = new_dialog(clock)
    reports = []
    microphone = BusyRoom(clock, until=120)
    assistant = Assistant(dialog, CrashingRecognizer(), Voice(), SilentSpeaker(clock), microphone,
                          Endpointer(rate=16000), clock, report=reports.append)
    microphone.stop = assistant.stop
    assistant.start_exercise("hug")
    assistant.run()
    warnings = [r for r in reports if kind(r) == "warning"]
    assert len(warnings) == 1
    assert "please say it again" in warnings[0].text
    assert any(kind(r) == "say" and r.t > warnings[0].t for r in reports)


class RecordingSpeaker(SilentSpeaker):
    def __init__(self, clock):
        super().__init__(clock)
        self.played = []

    def play(self, audio, at=None, after=None):
        playback = super().play(audio, at, after)
        self.played.append((playback.start, audio.seconds))
        return playback


def test_a_long_reply_plays_sentence_after_sentence_without_a_gap():
    clock = VirtualClock()
    dialog = new_dialog(clock)
    speaker = RecordingSpeaker(clock)
    microphone = QuietRoom(clock, 30)
    assistant = Assistant(dialog, CrashingRecognizer(), Voice(), speaker, microphone,
                          Endpointer(rate=16000), clock)
    microphone.stop = assistant.stop
    assistant.type_request("coach, what is emotional intimacy?")
    assistant.run()
    starts = [start for start, _ in speaker.played]
    ends = [start + seconds for start, seconds in speaker.played]
    assert len(speaker.played) >= 3
    assert np.allclose(starts[1:], ends[:-1])


def test_an_exercise_starting_has_its_script_rendered_ahead():
    clock = VirtualClock()
    dialog = new_dialog(clock)
    asked = []
    assistant = Assistant(dialog, CrashingRecognizer(), Voice(), SilentSpeaker(clock),
                          QuietRoom(clock, 1), Endpointer(rate=16000), clock,
                          prerender=lambda exercise, delivery: asked.append(exercise))
    assistant.start_exercise("hug")
    assert asked == ["hug"]


class VanishingSpeaker(RecordingSpeaker):
    """A speaker whose sound server goes away after the first sound it was given."""

    def play(self, audio, at=None, after=None):
        if self.played:
            raise AudioDeviceError("The speaker 'default' stopped working (unplugged, or the sound "
                                   "server stopped): check it, or choose another with "
                                   "--output-device.")
        return super().play(audio, at, after)


def test_a_speaker_vanishing_between_two_sentences_pauses_keeps_the_place_and_reconnects():
    clock = VirtualClock()
    dialog = new_dialog(clock)
    reports = []

    def reopen():  # the sound server is back; the loop ends five seconds later
        microphone = QuietRoom(clock, clock.now() + 5)
        microphone.stop = assistant.stop
        return microphone, SilentSpeaker(clock)

    assistant = Assistant(dialog, CrashingRecognizer(), Voice(), VanishingSpeaker(clock),
                          QuietRoom(clock, 60), Endpointer(rate=16000), clock,
                          report=reports.append, reopen=reopen)
    assistant.start_exercise("breathing")
    assistant.run()  # returns rather than raising out of the loop
    lost, back = [r.text for r in reports if kind(r) == "warning"]
    assert "stopped working" in lost
    assert "paused and kept your place" in lost
    assert back == "The sound is back. Say resume when you are ready."
    assert dialog.session.state is State.PAUSED
