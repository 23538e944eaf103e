"""Which voice the coach speaks with: the one place that knows both engines, so nothing else
imports either. Piper is the default on Linux, where the platform voice is espeak-ng's robotic
formant synthesiser; macOS and Windows have natural system voices of their own."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..errors import SynthesisError
from ..settings import VoiceChoice
from .rendered_voice import RenderedVoice


@dataclass(frozen=True)
class ChosenVoice:
    synthesizer: RenderedVoice
    fallback: str | None = None
    """Why the system voice speaks although Piper was wanted (one sentence), else None."""


def default_choice(platform: str = sys.platform) -> VoiceChoice:
    return VoiceChoice.PIPER if platform.startswith("linux") else VoiceChoice.SYSTEM


def open_voice(choice: VoiceChoice | None = None, system_voice: str | None = None,
               **piper_options) -> ChosenVoice:
    """The voice asked for (None: this platform's default); when Piper cannot load, the system
    voice, with the reason."""
    from .synthesis import Synthesizer

    if (choice or default_choice()) is VoiceChoice.SYSTEM:
        return ChosenVoice(Synthesizer(voice=system_voice))
    try:
        from .piper_voice import PiperSynthesizer

        return ChosenVoice(PiperSynthesizer(**piper_options))
    except SynthesisError as error:
        return ChosenVoice(Synthesizer(voice=system_voice),
                           f"{error} Speaking with the system voice meanwhile.")
