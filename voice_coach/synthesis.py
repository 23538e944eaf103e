"""Text to speech: pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS) renders each
phrase to audio that the Speaker plays. Rendering, never pyttsx3's own playback: on Linux that
shells out to `aplay`, which cannot be stopped mid-sentence, timed, or pointed at a chosen device.

pyttsx3 only renders to a file, so each phrase goes to a private temporary file that is read back
and deleted at once. The coach repeats itself a lot (cues, prompts, "six breaths, about a minute"),
so rendered phrases are cached: a repeat costs nothing and its duration is known before it plays."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio_file import read_wav
from .audio_types import Audio
from .errors import AudioFileError, SynthesisError

_ATTEMPTS = 3
DEFAULT_RATE_WPM = 165
"""Unhurried but not slow; night mode passes a lower rate."""


@dataclass(frozen=True)
class Voice:
    id: str
    """What `Synthesizer(voice=...)` takes."""
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class _Key:
    text: str
    rate_wpm: int
    voice: str | None


class Synthesizer:
    """One pyttsx3 engine for the whole process behind one lock: espeak can be initialised only
    once per process (pyttsx3.init hands every caller the same engine), and its run loop is not
    re-entrant."""

    _lock = threading.Lock()

    def __init__(self, voice: str | None = None, cache_size: int = 256,
                 cache_seconds: float = 60.0) -> None:
        """The cache keeps at most `cache_size` phrases and `cache_seconds` of audio (about 5 MB
        at 22 kHz float32): long answers would otherwise grow memory all night."""
        self.voice = voice
        self._cache: OrderedDict[_Key, Audio] = OrderedDict()
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        self._cached_seconds = 0.0
        self._engine = None
        self._default_voice: str | None = None
        self._folder = tempfile.mkdtemp(prefix="voice-coach-tts-")  # mode 0700: private to us
        self.last_render_s: float | None = None
        """Seconds the last uncached render took (for the benchmark and `doctor`)."""

    def render(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM, volume: float = 1.0) -> Audio:
        """`text` spoken at `rate_wpm` words per minute, scaled by `volume` (0..1). Volume is a plain
        gain on the cached rendering, so changing it never re-renders."""
        text = " ".join(text.split())
        if not text:
            raise SynthesisError("There is nothing to say: give some text to speak.")
        key = _Key(text, int(rate_wpm), self.voice)
        with self._lock:
            audio = self._cache.get(key)
            if audio is None:
                audio = self._render_uncached(key)
                self._cache[key] = audio
                self._cached_seconds += audio.seconds
                while len(self._cache) > 1 and (len(self._cache) > self._cache_size
                                                or self._cached_seconds > self._cache_seconds):
                    self._cached_seconds -= self._cache.popitem(last=False)[1].seconds
            else:
                self._cache.move_to_end(key)
        if volume == 1.0:
            return audio
        return Audio((audio.samples * np.float32(max(0.0, volume))).astype(np.float32), audio.rate)

    def duration(self, text: str, rate_wpm: int = DEFAULT_RATE_WPM) -> float:
        """Seconds `text` takes to say (renders it once, so it is then cached for playing)."""
        return self.render(text, rate_wpm).seconds

    def voices(self) -> list[Voice]:
        """The voices the platform's engine offers."""
        with self._lock:
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

    def _render_uncached(self, key: _Key) -> Audio:
        """Render, retrying twice: under heavy load pyttsx3's espeak loop occasionally ends
        before the phrase is written (seen in about 1 of 100 renders on a busy machine)."""
        started = time.perf_counter()
        for attempt in range(_ATTEMPTS):
            try:
                audio = self._render_once(key)
                break
            except SynthesisError:
                if attempt == _ATTEMPTS - 1:
                    raise
        self.last_render_s = time.perf_counter() - started
        return audio

    def _render_once(self, key: _Key) -> Audio:
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
