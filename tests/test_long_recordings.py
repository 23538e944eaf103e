"""An hour of silence and an hour of loud fan noise through `voice-coach parse --wav`: no intent,
no crash, and memory that does not grow with the recording's length.

Each parse runs in its own process so its peak RSS is its own (os.wait4 reports the child's
ru_maxrss); the growth is measured against the same command on a ten-second file. Wall times are
recorded as test properties (`pytest --junitxml` shows them): speed is a benchmark here, not an
assertion, but a parse that outlives HANG_GUARD_S is stopped so the suite cannot hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

RATE = 16000
MEMORY_GROWTH_LIMIT_MB = 64
"""Bounded memory: an hour may cost less than half the WAV file's own 115 MB over ten seconds, so
the recording is never held whole (let alone as several float copies)."""
HANG_GUARD_S = 150
"""A parse still running after this is stopped (and fails), so `make test` cannot hang for the
hour a whole-file decode of noise takes; a streaming reader with the endpointer needs ~20 s."""
NOISE_RMS = 0.1
"""-20 dBFS of pink noise: a fan right beside the microphone, far louder than a quiet room."""


def write_wav(path: Path, seconds: int, kind: str) -> Path:
    """A 16 kHz 16-bit mono WAV of `kind` ("silence" or "noise"), written a minute at a time."""
    rng = np.random.default_rng(7)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for start in range(0, seconds, 60):
            length = min(60, seconds - start) * RATE
            block = np.zeros(length) if kind == "silence" else NOISE_RMS * _pink(length, rng)
            out.writeframes(np.clip(block * 32768, -32768, 32767).astype("<i2").tobytes())
    return path


def _pink(length: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(length))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(length, 1 / RATE), 20.0))
    signal = np.fft.irfft(spectrum, n=length)
    return signal / np.sqrt(np.mean(signal**2))


def parse_in_own_process(path: Path, folder: Path) -> tuple[int, list[dict], float, float]:
    """(exit code, JSON results, peak RSS MB, wall seconds) of `voice-coach parse --json --wav`."""
    code = "import sys; from voice_coach.cli import main; sys.exit(main(sys.argv[1:]))"
    out, err = folder / f"{path.stem}.out", folder / f"{path.stem}.err"
    env = dict(os.environ, VOICE_COACH_HOME=str(folder / "home"))
    started = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        command = [sys.executable, "-c", code, "parse", "--json", "--wav", str(path)]
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
        status, usage = _wait_or_kill(child, started + HANG_GUARD_S)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    results = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return child.returncode, results, usage.ru_maxrss / 1024, wall


def _wait_or_kill(child: subprocess.Popen, deadline: float):
    """(wait status, resource usage) of the child, killed if it outlives `deadline`."""
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.perf_counter() > deadline:
            child.kill()
            return os.wait4(child.pid, 0)[1:]
        time.sleep(0.2)


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    """Each recording parsed once: {name: (exit code, results, peak MB, wall s)}."""
    folder = tmp_path_factory.mktemp("long")
    files = {"ten_seconds": write_wav(folder / "ten_seconds.wav", 10, "silence"),
             "silent_hour": write_wav(folder / "silent_hour.wav", 3600, "silence"),
             "noisy_hour": write_wav(folder / "noisy_hour.wav", 3600, "noise")}
    runs = {name: parse_in_own_process(path, folder) for name, path in files.items()}
    for path in files.values():
        path.unlink()  # 230 MB of temp files need not outlive the measurements
    return runs


@pytest.mark.parametrize("name", ["silent_hour", "noisy_hour"])
def test_an_hour_parses_without_error_to_one_result(parsed, name):
    code, results, _, _ = parsed[name]
    assert (code, len(results)) == (0, 1)


@pytest.mark.parametrize("name", ["silent_hour", "noisy_hour"])
def test_an_hour_without_speech_means_no_intent(parsed, name):
    assert [r["intent"] for r in parsed[name][1]] == [None]


@pytest.mark.parametrize("name", ["silent_hour", "noisy_hour"])
def test_an_hour_costs_bounded_memory(parsed, name, record_property):
    peak, baseline = parsed[name][2], parsed["ten_seconds"][2]
    record_property("peak_rss_mb", round(peak, 1))
    record_property("baseline_rss_mb", round(baseline, 1))
    record_property("wall_s", round(parsed[name][3], 1))
    # both runs must have heard their file: a parse that failed early proves nothing about memory
    assert (parsed[name][0], parsed["ten_seconds"][0]) == (0, 0)
    assert peak - baseline < MEMORY_GROWTH_LIMIT_MB
