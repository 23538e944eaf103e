"""The privacy promise, tested: the whole pipeline (catalog, PocketSphinx, matcher, dialog, session,
synthesis) and the `parse --wav`, `transcribe`, `say --out` and `chat` commands run with network
sockets forbidden; no audio reaches the disk unless asked for; the history file is 0600 and holds
only exercise, start, end, completed and ratings.

Sockets are watched twice: Python's audit hooks see every socket Python code makes (and DNS
look-ups), and /proc/self/fd shows sockets that C libraries opened and still hold."""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import stat
import sys
from datetime import datetime
from pathlib import Path

import pytest

from voice_coach.bench.partner_voice import speak_to_file
from voice_coach.cli import main
from voice_coach.coaching.answers import load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.history import History
from voice_coach.coaching.session import Say, estimate_speech_seconds
from voice_coach.commands.chat import converse, parse_turns
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher

TTS_FOLDER_PREFIX = "voice-coach-tts-"
"""pyttsx3 renders only to a file: the synthesizer's private (0700) temp folder holds each phrase
of the coach's own voice for a moment (the design allows this; the file scan checks it is gone).
Every other audio write is a broken promise."""
AUDIO_SUFFIXES = {".wav", ".wave", ".raw", ".pcm", ".flac", ".ogg", ".opus", ".mp3", ".webm"}
NETWORK_EVENTS = {"socket.__new__", "socket.connect", "socket.bind", "socket.sendto",
                  "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
                  "urllib.Request", "http.client.connect"}


class _Watch:
    """What the audit hook saw while armed. Audit hooks cannot be removed, so one hook is added
    for the whole test run and only records (and refuses sockets) while a test arms it."""

    armed = False
    network: list[tuple[str, str]] = []
    audio_writes: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if not _Watch.armed:
        return
    if event in NETWORK_EVENTS:
        _Watch.network.append((event, repr(args)[:200]))
        raise PermissionError(f"network access during a privacy test: {event}")
    if event == "open" and _is_audio_write(*args[:3]) and not _is_coach_voice(args[0]):
        _Watch.audio_writes.append(os.fsdecode(args[0]))


def _is_audio_write(path, mode, flags) -> bool:
    if not isinstance(path, str | bytes | os.PathLike):
        return False
    writes = any(c in mode for c in "wax+") if isinstance(mode, str) else \
        bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    return writes and Path(os.fsdecode(path)).suffix.lower() in AUDIO_SUFFIXES


sys.addaudithook(_audit)


def _is_coach_voice(path) -> bool:
    folder = Path(os.fsdecode(path)).parent
    try:
        private = stat.S_IMODE(folder.stat().st_mode) == 0o700
    except OSError:
        return False
    return folder.name.startswith(TTS_FOLDER_PREFIX) and private


def _refuse(*args, **kwargs):
    raise PermissionError("network access during a privacy test")


class _RefusedSocket(socket.socket):
    """socket.socket stays a class (ssl subclasses it on import), but making one fails."""

    def __init__(self, *args, **kwargs):
        _refuse()


def _socket_fds() -> set[str]:
    """Sockets this process holds, whoever opened them (Python or a C library)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def _audio_files(folders) -> set[Path]:
    return {p for folder in folders for p in Path(folder).rglob("*")
            if p.is_file() and (p.suffix.lower() in AUDIO_SUFFIXES or _starts_like_audio(p))}


def _starts_like_audio(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(4) in (b"RIFF", b"fLaC", b"OggS")
    except OSError:
        return False


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """Sockets forbidden, the user's folders and the temp folder moved under tmp_path; yields the
    folders to watch. After the test: no socket was attempted or left open."""
    folders = {name: tmp_path / name for name in ("home", "coach", "tmp", "xdg_data", "xdg_config",
                                                   "xdg_cache", "inputs")}
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setenv("HOME", str(folders["home"]))
    monkeypatch.setenv("VOICE_COACH_HOME", str(folders["coach"]))
    monkeypatch.setenv("TMPDIR", str(folders["tmp"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(folders["xdg_data"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folders["xdg_config"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folders["xdg_cache"]))
    monkeypatch.setattr("tempfile.tempdir", str(folders["tmp"]))
    monkeypatch.setattr(socket, "socket", _RefusedSocket)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    sockets_before = _socket_fds()
    _Watch.network, _Watch.audio_writes = [], []
    _Watch.armed = True
    try:
        yield folders
    finally:
        _Watch.armed = False
    assert _Watch.network == []
    assert _socket_fds() - sockets_before == set()


def _watched(folders) -> list[Path]:
    return [f for name, f in folders.items() if name != "inputs"]


@pytest.fixture(scope="module")
def spoken_request(tmp_path_factory) -> Path:
    return speak_to_file("coach breathe with us", tmp_path_factory.mktemp("speech") / "request.wav")


def test_the_guard_really_refuses_a_socket(offline):
    with pytest.raises(PermissionError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    _Watch.network.clear()  # this attempt was the test's own


def test_the_guard_sees_a_socket_made_behind_the_patch(offline):
    import _socket

    with pytest.raises(PermissionError):
        _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM).connect(("192.0.2.1", 9))
    assert _Watch.network != []
    _Watch.network.clear()


def test_parse_of_typed_text_is_offline_and_writes_no_audio(offline, capsys):
    assert main(["parse", "coach, breathe with us"]) == 0
    assert _audio_files(_watched(offline)) == set()
    assert _Watch.audio_writes == []


def test_parse_wav_is_offline_and_writes_no_audio(offline, spoken_request, capsys):
    assert main(["parse", "--json", "--wav", str(spoken_request)]) == 0
    assert _audio_files(_watched(offline)) == set()
    assert _Watch.audio_writes == []


def test_transcribe_is_offline_and_writes_no_audio(offline, spoken_request, capsys):
    assert main(["transcribe", str(spoken_request)]) == 0
    assert _audio_files(_watched(offline)) == set()
    assert _Watch.audio_writes == []


def test_say_out_is_offline_and_writes_only_the_file_asked_for(offline, capsys):
    out = offline["inputs"] / "asked.wav"
    assert main(["say", "Six slow breaths together.", "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    assert _audio_files(_watched(offline)) == set()


def test_say_out_leaves_no_temporary_folder_behind(offline, capsys):
    main(["say", "Twenty seconds.", "--out", str(offline["inputs"] / "asked.wav")])
    assert list(offline["tmp"].iterdir()) == []


CHAT = """coach, breathe with us
coach, let's do rose thorn bud
my rose was the walk we took at lunch and the thorn was the argument about money
stop
"""


def test_chat_is_offline_and_writes_no_audio(offline, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(CHAT))
    assert main(["chat", "--json"]) == 0
    assert _audio_files(_watched(offline)) == set()
    assert _Watch.audio_writes == []


def test_the_whole_pipeline_runs_offline_from_speech_to_synthesised_reply(offline,
                                                                        spoken_request):
    from voice_coach.audio.wav_file import read_wav, resample
    from voice_coach.hearing.engines import load_recognizer
    from voice_coach.voice.synthesis import Synthesizer

    catalog = load_catalog()
    recognizer = load_recognizer(catalog)
    audio = resample(read_wav(spoken_request), recognizer.sample_rate)
    transcript = recognizer.transcribe(audio.to_int16_bytes())
    exercises = load_exercises()
    clock = VirtualClock()
    dialog = Dialog(exercises, load_answers(exercises), clock, estimate_speech_seconds,
                    matcher=IntentMatcher(catalog), history=History())
    events = dialog.hear(transcript.text)
    synthesizer = Synthesizer()
    try:
        spoken = [synthesizer.render(e.text, int(e.rate)) for e in events if isinstance(e, Say)]
    finally:
        synthesizer.close()
    assert dialog.mode.value == "exercise"
    assert all(a.seconds > 0.2 for a in spoken)
    assert _audio_files(_watched(offline)) == set()
    assert _Watch.audio_writes == []


# ---- the history file ----------------------------------------------------------------------

SESSION_WITH_RATINGS = """@0 coach, let's do the stress map
@20 work deadlines and my mother's surgery next week
@115 seven
@120 done
@130 the commute and not sleeping
@140 done
@150 four
@160 stop
"""


def _run_real_history_session(path: Path) -> None:
    """A stress-map session through the dialog, saved to a real history file at `path`."""
    exercises = load_exercises()
    clock = VirtualClock()
    with History(path) as history:
        dialog = Dialog(exercises, load_answers(exercises), clock, estimate_speech_seconds,
                        matcher=IntentMatcher(load_catalog()), history=history,
                        started_at=datetime(2026, 11, 26, 21, 30))
        turns, _ = parse_turns(SESSION_WITH_RATINGS.splitlines())
        list(converse(dialog, clock, turns))


@pytest.fixture(scope="module")
def history_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("private") / "coach" / "history.db"
    _run_real_history_session(path)
    return path


def test_history_file_is_readable_by_its_owner_only(history_file):
    assert stat.S_IMODE(history_file.stat().st_mode) == 0o600


def test_history_folder_is_private_to_its_owner(history_file):
    assert stat.S_IMODE(history_file.parent.stat().st_mode) == 0o700


def test_history_has_only_the_sessions_and_ratings_tables(history_file):
    with sqlite3.connect(history_file) as db:
        tables = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"sessions", "ratings"}


def test_history_columns_are_exercise_times_completion_and_ratings_only(history_file):
    with sqlite3.connect(history_file) as db:
        columns = {table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
                   for table in ("sessions", "ratings")}
    assert columns == {"sessions": ["id", "exercise", "started_at", "ended_at", "completed"],
                       "ratings": ["session_id", "label", "value"]}


def test_history_recorded_the_session_and_its_ratings(history_file):
    with sqlite3.connect(history_file) as db:
        ratings = [value for (value,) in db.execute("SELECT value FROM ratings ORDER BY rowid")]
        exercises = [name for (name,) in db.execute("SELECT exercise FROM sessions")]
    assert (exercises, ratings) == (["stress_map"], [7, 4])


def test_nothing_a_partner_shared_is_in_the_history_file(history_file):
    stored = b"".join(p.read_bytes() for p in history_file.parent.iterdir()).lower()
    assert not any(word in stored for word in (b"deadlines", b"surgery", b"commute", b"sleeping"))
