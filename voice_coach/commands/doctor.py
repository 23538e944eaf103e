"""`voice-coach doctor`: what the coach will use (engine, model, devices, voice, settings, history)
and, for anything missing, the one thing to do about it. Exit 0 when the live assistant can run
by voice, 1 when something needs fixing (keyboard mode may still work)."""

from __future__ import annotations

import time

from ..errors import VoiceCoachError
from ..settings import requested_engine


def run(args) -> int:
    checks = {"settings": _settings, "intents": _understanding,
              "recogniser": lambda: _hearing(args.model, requested_engine(args)),
              "voice": _voice, "speaker": _speaker, "microphone": _microphone,
              "priority": _priority, "history": _history}
    problems = 0
    for name, check in checks.items():
        try:
            ok, detail = check()
        except VoiceCoachError as error:
            ok, detail = False, str(error)
        problems += not ok
        print(f"{'ok ' if ok else 'FIX'}  {name:<11} {detail}")
    print("All set: run `voice-coach` and say 'coach, help'." if not problems else
          f"{problems} thing(s) to fix above; `voice-coach --keyboard` works without audio.")
    return 0 if not problems else 1


def _settings():
    from ..paths import settings_path
    from ..settings import load_settings

    _, warnings = load_settings()
    if warnings:
        return False, " ".join(warnings)
    path = settings_path()
    return True, str(path) if path.exists() else f"defaults (none at {path})"


def _understanding():
    from ..understanding.catalog import load_catalog

    catalog = load_catalog()
    return True, f"{len(catalog.intent_ids)} intents loaded"


def _hearing(model, engine):
    from ..hearing.engines import load_recognizer
    from ..hearing.whisper_model import FOLDER_NAME, whisper_available
    from ..understanding.catalog import load_catalog

    started = time.perf_counter()
    recognizer = load_recognizer(load_catalog(), model_path=model, engine=engine)
    took = time.perf_counter() - started
    detail = f"{recognizer.name} (engine {engine}, loaded in {took:.1f} s)"
    if "whisper" in recognizer.name:
        detail += f"; Whisper model models/{FOLDER_NAME}, checksum pinned and checked"
    if getattr(recognizer, "notice", ""):
        return False, f"{detail}; {recognizer.notice}"
    if "whisper" not in recognizer.name and not whisper_available():
        detail += "; for Whisper, run `make setup`"
    if "pocketsphinx" in recognizer.name.lower():
        detail += ("; for Vosk, run `voice-coach models download` where there is internet, or "
                   "point --model at an English Vosk model")
    return True, detail


def _voice():
    from ..settings import load_settings
    from ..voice.voice_choice import open_voice

    speech = load_settings()[0].speech
    chosen = open_voice(speech.voice, speech.system_voice)
    synthesizer = chosen.synthesizer
    try:
        seconds = synthesizer.duration("Six slow breaths.")
        detail = f"{synthesizer.name} renders speech ({synthesizer.last_render_s or 0:.2f} s " \
                 f"for {seconds:.1f} s of speech)"
        if chosen.fallback:
            return False, f"{detail}; {chosen.fallback}"
        return True, detail
    finally:
        synthesizer.close()


def _speaker():
    from ..audio.devices import find_device

    device = find_device(None, "output")
    return True, f"{device.name} (index {device.index})"


def _microphone():
    from ..audio.devices import find_device

    device = find_device(None, "input")
    return True, f"{device.name} (index {device.index})"


def _priority():
    from ..audio.priority import raise_for_audio

    priority = raise_for_audio()
    if priority.note:
        return False, priority.note
    return True, f"sound runs at nice {priority.nice}, above ordinary programs"


def _history():
    from ..paths import history_path

    path = history_path()
    return True, f"{path} (kept on this machine only)"
