"""Builds the live pipeline's parts from the settings and the command line, once, in the order a
person would want problems reported: settings, understanding, voice, then the audio devices.
A missing device does not end the program: the coach falls back to keyboard mode and says so."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .assistant import Assistant, LeadClock
from .audio.devices import rescan_devices
from .audio.endpointing import EarlyRecognizer, Endpointer
from .audio.microphone import Microphone
from .audio.priority import raise_for_audio
from .audio.speaker import Speaker
from .coaching.answers import load_answers
from .coaching.clock import RealClock
from .coaching.dialog import Dialog, Heard
from .coaching.events import Notice, Told
from .coaching.events import as_json as as_json_line
from .coaching.exercises import load_exercises
from .coaching.history import History
from .coaching.session import Cue, Say, estimate_speech_seconds
from .errors import AudioDeviceError, RecognizerError, VoiceCoachError
from .hearing.recognition_process import RecognizerProcess
from .keyboard import NoMicrophone, NoSpeaker
from .settings import Settings, load_settings
from .understanding.catalog import load_catalog
from .understanding.intent import IntentMatcher
from .voice.prerender import ScriptRenderer, keep_reply_openings, reply_openings
from .voice.read_ahead import ReadAhead
from .voice.voice_choice import open_voice


@dataclass
class Pipeline:
    assistant: Assistant
    settings: Settings
    keyboard: bool
    """True when requests are typed (no microphone, or asked for)."""


def build_pipeline(args, say=None, warn=None) -> Pipeline:
    """Everything the live assistant needs; `warn` gets each problem as one plain sentence."""
    say = say or (lambda line: print(line, flush=True))
    warn = warn or (lambda message: print(f"voice-coach: {message}", file=sys.stderr, flush=True))
    settings, warnings = load_settings()
    for warning in warnings:
        warn(warning)
    keyboard = bool(getattr(args, "keyboard", False))
    raise_for_audio()  # before any thread starts, so all inherit it (`doctor` says if refused)
    # the recogniser loads in its own process while the rest of the coach is built
    model = getattr(args, "model", None) or settings.recognition.model_path
    engine = getattr(args, "engine", None) or settings.recognition.engine
    hearing = None if keyboard else RecognizerProcess(model_path=model, engine=engine,
                                                        wake=settings.wake)
    catalog = load_catalog()
    matcher = IntentMatcher(catalog, wake=settings.wake)
    chosen = open_voice(settings.speech.voice, settings.speech.system_voice)
    if chosen.fallback:
        warn(chosen.fallback)
    synthesizer = chosen.synthesizer
    input_device = args.input_device or settings.audio.input_device
    output_device = args.output_device or settings.audio.output_device
    speaker = _open_speaker(output_device, warn)
    microphone, recognizer, reopen = NoMicrophone(), None, None
    if hearing is not None:
        try:
            hearing.wait_ready()
            if hearing.notice:
                warn(hearing.notice)
            microphone = Microphone(input_device)
            recognizer = EarlyRecognizer(hearing, staged=True)
            reopen = lambda: _reopen(input_device, output_device)  # noqa: E731
        except (AudioDeviceError, RecognizerError) as error:
            hearing.close()
            warn(f"{error} Continuing in keyboard mode: type what you would say.")
            microphone, keyboard = NoMicrophone(), True
    clock = LeadClock(RealClock())
    exercises = load_exercises()
    answers = load_answers(exercises)
    dialog = Dialog(exercises, answers, clock,
                    _speech_seconds(synthesizer, warn),
                    settings=settings, matcher=matcher, history=History(on_warning=warn))
    report = _printer(say, warn, as_json=bool(getattr(args, "json_events", False)))
    endpointer = Endpointer(rate=microphone.rate,
                            on_settled=recognizer.settled if recognizer is not None else None)
    scripts = ScriptRenderer(synthesizer, exercises, settings)
    assistant = Assistant(dialog, recognizer, synthesizer, speaker, microphone, endpointer,
                          RealClock(), report=report, reopen=reopen, prerender=scripts.start,
                          read_ahead=ReadAhead)
    if isinstance(speaker, Speaker):
        speaker.settle()  # it has been starting up while the recogniser loaded
    keep_reply_openings(synthesizer, lambda: reply_openings(catalog.intent_ids, exercises,
                                                            answers, settings),
                        int(dialog.delivery.rate))
    return Pipeline(assistant, settings, keyboard)


def _speech_seconds(synthesizer, warn):
    """How long the voice takes to say a text, without waiting for it to be rendered: exact for
    what is rendered already (the exercise's script, rendered ahead when it starts), a guess that
    errs long for a reply, which the assistant renders sentence by sentence as it plays (the
    session goes on when the speaker says the speech really ended)."""
    def seconds(text: str, rate: float) -> float:
        try:
            return synthesizer.planned_seconds(text, int(rate))
        except VoiceCoachError as error:
            warn(f"{error} (timing the words instead)")
            return estimate_speech_seconds(text, rate)

    return seconds


def _reopen(input_device, output_device):
    """Both devices anew, after the sound system came back (PortAudio looks for devices again)."""
    rescan_devices()
    microphone = Microphone(input_device)
    try:
        return microphone, Speaker(output_device)
    except AudioDeviceError:
        microphone.close()
        raise


def _open_speaker(device, warn):
    try:
        return Speaker(device, settle=False)
    except AudioDeviceError as error:
        warn(f"{error} Replies will be printed instead of spoken.")
        return NoSpeaker()


def _printer(say, warn, as_json: bool):
    def report(event: Told) -> None:
        if as_json:
            say(as_json_line(event))
        elif isinstance(event, Say):
            say(f"coach: {event.text}")
        elif isinstance(event, Cue):
            say(f"   ({event.phase.replace('_', ' ')})")
        elif isinstance(event, Heard):
            say(f"heard: {event.text}" + ("" if event.intent else "   (not for the coach)"))
        elif isinstance(event, Notice):
            warn(event.text)

    return report

