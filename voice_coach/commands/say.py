"""`voice-coach say TEXT [--out FILE.wav]`: hear the coach's voice (or keep it in a file) with the
speech settings of this moment, night mode included."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from ..audio.speaker import Speaker
from ..errors import AudioFileError
from ..settings import load_settings
from ..voice.cues import write_wav
from ..voice.voice_choice import open_voice


def run(args) -> int:
    settings, warnings = load_settings()
    for warning in warnings:
        print(f"voice-coach: {warning}", file=sys.stderr)
    speech = settings.speech_at(datetime.now())
    chosen = open_voice(speech.voice, speech.system_voice)
    if chosen.fallback:
        print(f"voice-coach: {chosen.fallback}", file=sys.stderr)
    synthesizer = chosen.synthesizer
    try:
        audio = synthesizer.render(" ".join(args.text), rate_wpm=speech.rate_wpm,
                                   volume=speech.volume)
    finally:
        synthesizer.close()
    print(f"{synthesizer.name}: {audio.seconds:.2f} s of speech")
    if args.out:
        save(audio, Path(args.out))
        return 0
    with Speaker(args.output_device or settings.audio.output_device) as speaker:
        speaker.play(audio)
        speaker.wait()
    return 0


def save(audio, path: Path) -> None:
    try:
        write_wav(path, audio)
    except OSError as error:
        raise AudioFileError(
            f"{path} could not be written ({error.strerror or error}): check that the folder "
            "exists and you may write to it."
        ) from error
