"""The system voice: pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS) renders each
phrase to audio that the Speaker plays. Rendering, never pyttsx3's own playback: on Linux that
shells out to `aplay`, which cannot be stopped mid-sentence, timed, or pointed at a chosen device.

pyttsx3 only renders to a file, so each phrase goes to a private temporary file that is read back
and deleted at once. The coach repeats itself a lot (cues, prompts, "six breaths, about a minute"),
so rendered phrases are cached (`rendered_voice.py`): a repeat costs nothing and its duration is
known before it plays."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from ..audio.types import Audio
from ..audio.wav_file import read_wav
from ..errors import AudioFileError, SynthesisError
from .rendered_voice import DEFAULT_RATE_WPM, RenderedVoice

__all__ = ["Synthesizer", "Voice"]

_ATTEMPTS = 3


@dataclass(frozen=True)
class Voice:
    id: str
    """What `Synthesizer(voice=...)` takes."""
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class _Phrase:
    text: str
    rate_wpm: int
    voice: str | None


class Synthesizer(RenderedVoice):
    """The platform's voice through pyttsx3. One engine for the whole process behind one lock:
    espeak can be initialised only once per process (pyttsx3.init hands every caller the same
    engine), and its run loop is not re-entrant."""

    _engine_lock = threading.Lock()
    name = "the system voice (pyttsx3)"
    plans_by_rendering = True

    def __init__(self, voice: str | None = None, cache_size: int = 256,
                 cache_seconds: float = 60.0) -> None:
        super().__init__(cache_size, cache_seconds)
        self.voice = voice
        self._engine = None
        self._default_voice: str | None = None
        self._folder = tempfile.mkdtemp(prefix="voice-coach-tts-")  # mode 0700: private to us

    def render(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM, volume: float = 1.0) -> Audio:
        """As RenderedVoice.render; a chosen voice is part of what is cached."""
        self._forget_if_voice_changed()
        return super().render(text, rate_wpm, volume)

    def voices(self) -> list[Voice]:
        """The voices the platform's engine offers."""
        with self._engine_lock:
            engine = self._engine_or_fail()
            return [
                Voice(str(v.id), str(v.name), tuple(str(lang) for lang in (v.languages or ())))
                for v in engine.getProperty("voices")
            ]

    def close(self) -> None:
        """Remove the private temp folder (empty unless a render was interrupted)."""
        with contextlib.suppress(OSError):
            for leftover in Path(self._folder).iterdir():
                leftover.unlink()
            os.rmdir(self._folder)

    def _engine_or_fail(self):
        if self._engine is None:
            try:
                import pyttsx3

                self._engine = pyttsx3.init()
                self._default_voice = self._engine.getProperty("voice")
            except Exception as error:  # pyttsx3 raises bare RuntimeError/OSError/ImportError
                raise SynthesisError(
                    f"The text-to-speech engine could not start ({error}): install espeak-ng "
                    "(Debian/Ubuntu: `sudo apt-get install espeak-ng`)."
                ) from error
        return self._engine

    def _forget_if_voice_changed(self) -> None:
        with self._lock:
            if getattr(self, "_cached_voice", self.voice) != self.voice:
                self._cache.clear()
                self._kept.clear()
                self._cached_seconds = 0.0
            self._cached_voice = self.voice

    def _render_sentence(self, sentence: str, rate_wpm: int) -> Audio:
        """Render, retrying twice: under heavy load pyttsx3's espeak loop occasionally ends
        before the phrase is written (seen in about 1 of 100 renders on a busy machine)."""
        phrase = _Phrase(sentence, rate_wpm, self.voice)
        with self._engine_lock:
            for _ in range(_ATTEMPTS - 1):
                with contextlib.suppress(SynthesisError):
                    return self._render_once(phrase)
            return self._render_once(phrase)

    def _render_once(self, key: _Phrase) -> Audio:
        engine = self._engine_or_fail()
        path = Path(self._folder) / "phrase.wav"
        try:
            # Set properties on the driver directly, not through pyttsx3's command queue: with
            # espeak, queued changes were applied out of order (measured with pyttsx3 2.99: the
            # rate was ignored after a voice change, and one phrase came back empty).
            driver = getattr(getattr(engine, "proxy", None), "_driver", engine)
            try:
                driver.setProperty("voice", key.voice or self._default_voice)
            except ValueError:
                _check_voice_applied(key.voice, None)
            driver.setProperty("rate", key.rate_wpm)
            if driver.getProperty("rate") != key.rate_wpm:  # once seen ignored in a long run
                driver.setProperty("rate", key.rate_wpm)
            driver.setProperty("volume", 1.0)
            # The espeak driver prints "Audio saved to ..." on stdout, which would corrupt
            # `--json` output of the commands.
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(key.text, str(path))
                engine.runAndWait()
            audio = read_wav(path)
            _check_voice_applied(key.voice, engine.getProperty("voice"))
        except (RuntimeError, ValueError, OSError, AudioFileError) as error:
            self._recover(engine)
            raise SynthesisError(
                f"The text-to-speech engine failed to speak {key.text[:40]!r} ({error}); "
                "check the voice setting or run `voice-coach doctor`."
            ) from error
        finally:
            with contextlib.suppress(OSError):
                path.unlink()
        if len(audio.samples) == 0:
            raise SynthesisError(
                f"The text-to-speech engine produced no sound for {key.text[:40]!r}; "
                "run `voice-coach doctor` to check the voice."
            )
        return audio

    @staticmethod
    def _recover(engine) -> None:
        """A failed run can leave pyttsx3 thinking its loop still runs ("run loop already
        started"), which would fail every later phrase; end it so the next render starts clean."""
        with contextlib.suppress(Exception):
            engine.endLoop()
        with contextlib.suppress(Exception):
            engine._inLoop = False  # pyttsx3 has no public reset


def _check_voice_applied(wanted: str | None, actual: str | None) -> None:
    """pyttsx3 silently keeps the previous voice when asked for one that does not exist; better a
    sentence than a coach speaking in an unexpected voice."""
    if wanted is not None and wanted.lower() not in (actual or "").lower():
        raise SynthesisError(
            f"There is no voice called {wanted!r}: run `voice-coach doctor` to see the voices, "
            "or leave the voice setting empty for the default."
        )
