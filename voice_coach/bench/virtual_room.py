"""The virtual room: a private PulseAudio server whose null sink is the room's air. Everything
played (coach's speech, cues, a partner's espeak-ng voice) goes into the sink; the sink's monitor is
the default source, so the coach's microphone and the test's ears both hear the whole room — the
coach's own voice included, as in a real bedroom.

Nothing on the machine is changed: the server lives in a temporary folder and is reached only
through environment variables of this test process (PULSE_SERVER), which PortAudio's ALSA `pulse`
plugin honours."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sounddevice as sd

from ..audio.priority import raise_for_audio
from ..audio.speaker import DEFAULT_LATENCY_S, Playback, Speaker
from ..audio.types import Audio
from .partner_voice import speak

ROOM_RATE = 16000
PROBE_LEVEL = 0.25
"""Peak of the probe tone played at start-up to prove the room carries sound end to end."""
READY_TIMEOUT_S = 6.0
PARTNER_LATENCY_S = 0.1
"""The partner's output buffer: larger than the coach's, since nothing of the test waits on it
(its sounds are placed by DAC time) and a partner's voice broken up by an underrun on a busy
machine would fail a test for a fault of the room, not of the coach."""


class RoomError(Exception):
    """The room could not be set up; the message says why and what to install."""


@dataclass(frozen=True, eq=False)
class Recording:
    """What the room's monitor heard. Sample times come from PortAudio's per-block ADC timestamps,
    not from counting samples: the capture clock runs a few hundred ppm off the nominal rate, which
    would show up as a made-up drift of ~10 ms per half minute."""

    samples: np.ndarray
    rate: int
    block_index: np.ndarray
    """Index of the first sample of each captured block."""
    block_time: np.ndarray
    """Monotonic time of that sample."""

    @property
    def start(self) -> float:
        return float(self.block_time[0])

    def time_of(self, index: int | np.ndarray) -> np.ndarray:
        index = np.asarray(index, dtype=np.float64)
        inside = np.interp(index, self.block_index, self.block_time)
        beyond = index > self.block_index[-1]
        return np.where(beyond, self.block_time[-1] + (index - self.block_index[-1]) / self.rate,
                        inside)

    def index_of(self, when: float) -> int:
        return int(round(float(np.interp(when, self.block_time, self.block_index))))

    def between(self, begin: float, end: float) -> np.ndarray:
        return self.samples[max(0, self.index_of(begin)):max(0, self.index_of(end))]


class Recorder:
    """Records the room's monitor through sounddevice, timestamping with PortAudio's ADC times."""

    def __init__(self, rate: int = ROOM_RATE) -> None:
        self.rate = rate
        self._blocks: list[np.ndarray] = []
        self._block_times: list[float] = []
        self.overflows = 0
        # 10 ms blocks: fine enough timestamps, without thousands of tiny callbacks a second.
        # PortAudio's "low" input latency overflowed on a busy machine, and through PulseAudio's
        # ALSA plugin an overflow rebuilds the stream: the times stay exact at any buffer size.
        self._stream = sd.InputStream(samplerate=rate, channels=1, dtype="float32",
                                      blocksize=rate // 100, latency=DEFAULT_LATENCY_S,
                                      callback=self._callback)

    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self._block_times.append(time_info.inputBufferAdcTime or time_info.currentTime)
        self._blocks.append(indata[:, 0].copy())

    def __enter__(self) -> Recorder:
        self._stream.start()
        # The stream's clock has its own origin; note its offset from the monotonic clock.
        before, stream_now, after = time.monotonic(), self._stream.time, time.monotonic()
        self._offset = stream_now - (before + after) / 2
        deadline = time.monotonic() + 3.0
        while not self._block_times and time.monotonic() < deadline:
            time.sleep(0.005)
        if not self._block_times:
            raise RoomError("The room's monitor delivered no audio within 3 s.")
        return self

    def __exit__(self, *exc) -> None:
        self._stream.abort()  # stop() waits for buffers and can block if the server is gone
        self._stream.close()

    def recording(self) -> Recording:
        count = len(self._block_times)  # the callback may be appending right now
        blocks, times = self._blocks[:count], np.array(self._block_times[:count]) - self._offset
        starts = np.cumsum([0] + [len(block) for block in blocks[:-1]])
        return Recording(np.concatenate(blocks), self.rate, starts.astype(np.float64), times)


class VirtualRoom:
    """A running private PulseAudio server with a null sink called `room`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self._saved_env: dict[str, str | None] = {}
        self._keeper: subprocess.Popen | None = None
        self._partner: Speaker | None = None
        self._server_env = dict(os.environ)

    def start(self) -> None:
        for tool in ("pulseaudio", "pactl", "parec"):
            if shutil.which(tool) is None:
                raise RoomError(f"`{tool}` is not installed: run `make setup` (it installs "
                                "pulseaudio, pulseaudio-utils and libasound2-plugins).")
        self._server_env = dict(os.environ, HOME=str(self.folder),
                                PULSE_RUNTIME_PATH=str(self.folder / "run"),
                                PULSE_STATE_PATH=str(self.folder / "state"))
        self._set_env("PULSE_SERVER", f"unix:{self.socket}")
        self._set_env("PULSE_COOKIE", str(self.folder / "cookie"))
        # The room is the air: it must not be what breaks up when the machine is busy.
        self.priority = raise_for_audio()
        self.revive_server()

    def revive_server(self) -> None:
        """Start (or restart, after kill_server) the server, and wait until the room hears.
        Close streams opened before a kill_server first: PortAudio is re-initialised here."""
        result = subprocess.run(
            ["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n", "--log-level=error",
             f"--load=module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
             "--load=module-null-sink sink_name=room rate=48000"],
            env=self._server_env, capture_output=True, text=True, timeout=20,
        )
        if result.returncode != 0 or not self._wait_for_socket():
            raise RoomError(f"PulseAudio did not start (exit {result.returncode}): "
                            f"{result.stderr.strip()[-500:]}")
        self._pactl("set-default-source", "room.monitor")
        self._pactl("set-default-sink", "room")
        self._keep_sink_running()
        # PortAudio enumerated devices when sounddevice was imported; look again now that the
        # server exists, so ALSA's `default` routes to it.
        sd._terminate()
        sd._initialize()
        self._probe_the_air()

    def kill_server(self) -> None:
        """Stop the server under running streams, as when a device is unplugged."""
        if self._partner is not None:
            self._partner.close()
            self._partner = None
        if self._keeper is not None:
            self._keeper.kill()
            self._keeper.wait()
            self._keeper = None
        if shutil.which("pulseaudio") is None:
            return
        subprocess.run(["pulseaudio", "--kill"], env=self._server_env, capture_output=True,
                       timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and subprocess.run(
                ["pulseaudio", "--check"], env=self._server_env).returncode == 0:
            time.sleep(0.05)

    def stop(self) -> None:
        self.kill_server()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        sd._terminate()
        sd._initialize()

    # -- helpers for tests --------------------------------------------------------------------

    def partner_voice(self, text: str, voice: str = "en-us+f3", rate: int = 150) -> Audio:
        return speak(text, voice=voice, rate=rate, sample_rate=ROOM_RATE)

    def speak_partner(self, text: str, voice: str = "en-us+f3", rate: int = 150,
                      at: float | None = None) -> Playback:
        """A partner says `text` into the room (non-blocking); the Playback says exactly when."""
        return self.play_partner(self.partner_voice(text, voice, rate), at=at)

    def play_partner(self, audio: Audio, at: float | None = None) -> Playback:
        return self.partner.play(audio, at=at)

    @property
    def partner(self) -> Speaker:
        """The partner's mouth: one output stream for the whole session, opened on first use."""
        if self._partner is None:
            self._partner = Speaker(latency=PARTNER_LATENCY_S, settle=False)
            if not self._partner.settle(timeout=READY_TIMEOUT_S):
                self._partner.close()
                self._partner = None
                raise RoomError(f"The partner's stream into the room still underran after "
                                f"{READY_TIMEOUT_S:.0f} s: the machine is too busy for real-time "
                                "audio (see `uptime`).")
        return self._partner

    @contextmanager
    def listening(self):
        """Record the room for the duration of the block: `with room.listening() as ears: ...;
        ears.recording()`."""
        with Recorder() as recorder:
            yield recorder

    def record(self, seconds: float) -> Recording:
        with self.listening() as recorder:
            time.sleep(seconds)
        return recorder.recording()

    # -- internals ---------------------------------------------------------------------------

    def _wait_for_socket(self) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.socket.exists() and subprocess.run(
                    ["pactl", "info"], capture_output=True).returncode == 0:
                return True
            time.sleep(0.05)
        return False

    def _set_env(self, name: str, value: str) -> None:
        self._saved_env.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def _pactl(self, *args: str) -> None:
        result = subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10)
        if result.returncode != 0:
            raise RoomError(f"pactl {' '.join(args)} failed: {result.stderr.strip()}")

    def _keep_sink_running(self) -> None:
        """A null sink with nobody listening at low latency renders in 2-second lumps, so the
        first two seconds of any recording are lost. A low-latency listener for the whole session
        keeps it ticking every 10 ms; it also notes the loudest sample it has heard, which the
        start-up probe reads."""
        self._keeper = subprocess.Popen(
            ["parec", "--latency-msec=10", "--raw", "--format=s16le", "--rate=16000",
             "--channels=1", "-d", "room.monitor"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self._keeper_peak = 0.0
        first = threading.Event()
        keeper = self._keeper

        def drain() -> None:
            while block := keeper.stdout.read(3200):
                samples = np.frombuffer(block[:len(block) // 2 * 2], dtype="<i2")
                if len(samples):
                    self._keeper_peak = max(self._keeper_peak, float(np.abs(samples).max()) / 32768)
                first.set()

        threading.Thread(target=drain, daemon=True).start()
        if not first.wait(READY_TIMEOUT_S):
            raise RoomError(f"The room's monitor delivered no audio within "
                            f"{READY_TIMEOUT_S:.0f} s: "
                            "the null sink is not running (see `pactl list sinks`).")

    def _probe_the_air(self) -> None:
        """Prove the room carries sound before handing it out: a tone played through PortAudio
        into the sink must come back from its monitor. The partner's stream it opens stays open
        and settled for the first test."""
        tone = np.sin(2 * np.pi * 440 * np.arange(ROOM_RATE // 5) / ROOM_RATE) * PROBE_LEVEL
        self._keeper_peak = 0.0
        self.partner.play(Audio(tone.astype(np.float32), ROOM_RATE)).wait(timeout=READY_TIMEOUT_S)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while self._keeper_peak < PROBE_LEVEL / 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._keeper_peak < PROBE_LEVEL / 2:
            raise RoomError(f"A tone played into the room did not come back from its monitor "
                            f"within {READY_TIMEOUT_S:.0f} s (loudest {self._keeper_peak:.3f}): "
                            "PortAudio is not reaching the private PulseAudio server.")


def onsets(recording: Recording, threshold_db: float = -50.0,
           min_silence_s: float = 0.2) -> list[float]:
    """Monotonic times where sound starts after at least `min_silence_s` of silence, to the
    sample (the room is a digital loopback, so a low fixed threshold is exact)."""
    loud = np.flatnonzero(np.abs(recording.samples) > 10 ** (threshold_db / 20))
    if len(loud) == 0:
        return []
    after_gap = loud[1:][np.diff(loud) >= min_silence_s * recording.rate]
    return [float(t) for t in recording.time_of(np.concatenate([loud[:1], after_gap]))]


def silent_from(recording: Recording, after: float, threshold_db: float = -50.0,
                min_silence_s: float = 0.1) -> float:
    """The monotonic time, after `after`, where the first stretch of at least `min_silence_s`
    below `threshold_db` begins (the end of the last sound before that silence)."""
    begin = max(0, recording.index_of(after))
    loud = np.flatnonzero(np.abs(recording.samples[begin:]) > 10 ** (threshold_db / 20))
    # Sample positions (relative to begin) bounding each silent gap, the end of the recording last.
    edges = np.concatenate([[-1], loud, [len(recording.samples) - begin]])
    gaps = np.flatnonzero(np.diff(edges) > min_silence_s * recording.rate)
    first_gap = edges[gaps[0]] + 1 if len(gaps) else len(recording.samples) - begin
    return float(recording.time_of(begin + first_gap))
