"""Which voice the coach speaks with: the one place that knows both engines, so nothing else
imports either. Piper is installed on Linux and spoken with `voice = "piper"`; it is not yet the
default: with Piper speaking, a bare "stop" over the coach fell silent 0.69 s after it was said in
the room test (bound 0.6 s; 0.03-0.45 s with the system voice), and that has not been traced yet.
macOS and Windows have natural system voices of their own."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from .errors import SynthesisError
from .rendered_voice import RenderedVoice
from .settings import VoiceChoice


@dataclass(frozen=True)
class ChosenVoice:
    synthesizer: RenderedVoice
    fallback: str | None = None
    """Why the system voice speaks although Piper was wanted (one sentence), else None."""


def default_choice(platform: str = sys.platform) -> VoiceChoice:
    """The system voice everywhere, for now (see the module's docstring)."""
    return VoiceChoice.SYSTEM


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
