"""The recogniser in a process of its own, so the live coach's sound never waits for it.

PocketSphinx holds Python's global lock while it decodes: a 4-second utterance stalled every other
thread for up to 0.6 s, even fed in 50 ms pieces. The speaker's and microphone's callbacks are
Python, so while the coach decoded, its own voice broke up (hundreds of output underruns per
sentence), breath cues came up to 0.1 s late and the broken echo could not be cancelled. In a
child process the decoder holds only its own lock; the live loop waits on a pipe, which lets go.

The child is `python -m voice_coach.hearing.recognition_process` talking over its standard input and
output (pipes, not sockets: nothing here opens a network connection): an utterance goes in as a
length and 16-bit samples, a transcript comes back as one JSON line (the two ears send their
quicker first reading, marked "first", before it). It ends when its input closes, so it never
outlives the coach; one that died is started again on the next utterance."""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..audio.priority import lower_for_recognition
from ..errors import RecognizerError
from ..understanding.wake_word import DEFAULT, WakeWord
from .recognition import Transcript

READY_TIMEOUT_S = 120.0
"""Loading a model takes 1-3 s here; a child silent this long is taken as hung."""
_LENGTH = struct.Struct("<I")


class RecognizerProcess:
    """The Recognizer protocol, served by `load_recognizer` running in a child process.

    The child starts loading at once; `wait_ready()` (or the first use) waits for it, so the
    caller can build the rest of the coach meanwhile."""

    def __init__(self, model_path: str | Path | None = None,
                 intents: str | Path | None = None, engine: str | None = None,
                 wake: WakeWord = DEFAULT) -> None:
        self._command = [sys.executable, "-m", __name__, "--wake-word", wake.text]
        if engine is not None:
            self._command += ["--engine", str(engine)]
        if model_path is not None:
            self._command += ["--model", str(model_path)]
        if intents is not None:
            self._command += ["--intents", str(intents)]
        self._child: subprocess.Popen | None = None
        self._info: dict | None = None
        self._start()

    @property
    def sample_rate(self) -> int:
        return self.wait_ready()["sample_rate"]

    @property
    def name(self) -> str:
        return self.wait_ready()["name"]

    @property
    def notice(self) -> str:
        """Why this engine stands in for the one asked for, or ""."""
        return self.wait_ready().get("notice", "")

    @property
    def missing_words(self) -> frozenset[str]:
        return frozenset(self.wait_ready()["missing_words"])

    @property
    def pid(self) -> int | None:
        return None if self._child is None else self._child.pid

    def wait_ready(self) -> dict:
        """The child's engine facts once it has loaded; RecognizerError if it could not."""
        if self._info is None:
            ready, _, _ = select.select([self._child.stdout], [], [], READY_TIMEOUT_S)
            reply = self._receive() if ready else None
            if reply is None or "error" in reply:
                self.close()
                raise RecognizerError(
                    reply["error"] if reply else
                    "The speech recogniser did not start: run `voice-coach doctor` to see why.")
            self._info = reply
        return self._info

    def transcribe(self, samples: bytes | np.ndarray,
                   on_first: Callable[[Transcript], None] | None = None) -> Transcript:
        """The child's final reading of `samples`; an engine that reads in two stages (the two
        ears) sends its quicker first reading before, which goes to `on_first`."""
        pcm = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype="<i2")
        if self._child is None or self._child.poll() is not None:
            self._restart()
        self.wait_ready()
        try:
            data = pcm.tobytes()
            self._child.stdin.write(_LENGTH.pack(len(data)) + data)
            self._child.stdin.flush()
            reply = self._receive()
            while reply is not None and reply.pop("first", False):
                if on_first is not None:
                    on_first(_transcript(reply))
                reply = self._receive()
        except OSError:
            reply = None
        if reply is None:
            code = self._child.poll()
            self._restart()
            raise RecognizerError(f"The speech recogniser stopped (exit code {code}) and was "
                                  "started again: please say that again.")
        if "error" in reply:
            raise RecognizerError(reply["error"])
        return _transcript(reply)

    def close(self) -> None:
        """End the child: closing its input is its signal to go."""
        if self._child is None:
            return
        child, self._child = self._child, None
        try:
            child.stdin.close()
        except OSError:
            pass
        try:
            child.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()

    def _start(self) -> None:
        self._child = subprocess.Popen(self._command, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, start_new_session=True)

    def _restart(self) -> None:
        self.close()
        self._info = None
        self._start()

    def _receive(self) -> dict | None:
        line = self._child.stdout.readline()
        return json.loads(line) if line else None


def _transcript(reply: dict) -> Transcript:
    return Transcript(reply["text"], reply["confidence"], tuple(reply["alternatives"]),
                      reply["engine"], reply["confirmed"], reply["addressed"])


def _fields(heard: Transcript) -> dict:
    return {"text": heard.text, "confidence": heard.confidence,
            "alternatives": list(heard.alternatives), "engine": heard.engine,
            "confirmed": heard.confirmed, "addressed": heard.addressed}


def serve(model_path: str | None, intents: str | None, engine: str | None = None,
          wake: WakeWord = DEFAULT) -> None:
    """The child: load once, then one transcript per utterance until the input closes."""
    from ..errors import VoiceCoachError
    from ..understanding.catalog import load_catalog
    from .engines import load_recognizer

    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # a stray print from a library must not land in the replies

    def reply(message: dict) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    try:
        recognizer = load_recognizer(load_catalog(intents), model_path=model_path, engine=engine,
                                     wake=wake)
    except VoiceCoachError as error:
        reply({"error": str(error)})
        return
    staged = getattr(recognizer, "staged", False)
    reply({"name": recognizer.name, "sample_rate": recognizer.sample_rate,
           "missing_words": sorted(getattr(recognizer, "missing_words", ())),
           "notice": getattr(recognizer, "notice", "")})
    while header := requests.read(_LENGTH.size):
        pcm = np.frombuffer(requests.read(_LENGTH.unpack(header)[0]), dtype="<i2")
        try:
            if staged:
                heard = recognizer.transcribe(pcm, on_first=lambda first: reply(
                    {"first": True} | _fields(first)))
            else:
                heard = recognizer.transcribe(pcm)
        except Exception as error:  # one bad utterance must not end the child
            reply({"error": f"The recogniser failed on one utterance ({error}); please say it "
                            "again."})
            continue
        reply(_fields(heard))


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coach's to handle
    lower_for_recognition()  # decoding can wait; the coach's sound cannot
    arguments = sys.argv[1:]
    options = dict(zip(arguments[::2], arguments[1::2], strict=True))
    serve(options.get("--model"), options.get("--intents"), options.get("--engine"),
          WakeWord.from_setting(options.get("--wake-word")))
