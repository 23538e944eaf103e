import time

import numpy as np
import pytest

from voice_coach.audio.devices import Device
from voice_coach.audio.wav_file import read_wav
from voice_coach.cli import main
from voice_coach.commands.devices import describe


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    """Never read the real user's settings."""
    monkeypatch.setenv("VOICE_COACH_HOME", str(tmp_path / "home"))


def test_say_out_writes_the_speech_to_a_wav(tmp_path):
    main(["say", "Six slow breaths, about a minute.", "--out", str(tmp_path / "s.wav")])
    assert read_wav(tmp_path / "s.wav").seconds > 1.0


def test_say_out_exits_zero(tmp_path):
    assert main(["say", "Hello.", "--out", str(tmp_path / "s.wav")]) == 0


def test_say_out_to_a_missing_folder_is_one_plain_line(tmp_path, capsys):
    code = main(["say", "Hello.", "--out", str(tmp_path / "nowhere" / "s.wav")])
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_say_uses_the_rate_from_the_settings(tmp_path):
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    main(["say", "Take your time.", "--out", str(tmp_path / "normal.wav")])
    (config / "settings.toml").write_text("[speech]\nrate_wpm = 90\n[night]\nstart = \"23:59\"\n"
                                          "end = \"00:00\"\n")
    main(["say", "Take your time.", "--out", str(tmp_path / "slow.wav")])
    assert read_wav(tmp_path / "slow.wav").seconds > read_wav(tmp_path / "normal.wav").seconds


@pytest.mark.room
def test_say_plays_into_the_room_and_waits_until_done(room):
    with room.listening() as ears:
        began = time.monotonic()
        main(["say", "Good night."])
        returned = time.monotonic()
        time.sleep(0.2)
    heard = ears.recording().between(began, returned)
    assert np.max(np.abs(heard)) > 0.1
    assert np.max(np.abs(ears.recording().between(returned + 0.05, returned + 0.2))) < 0.01


@pytest.mark.room
def test_say_to_an_unknown_speaker_is_one_plain_line(room, capsys):
    code = main(["say", "Hello.", "--output-device", "no such speaker"])
    assert code == 2
    assert "--output-device" in capsys.readouterr().err


@pytest.mark.room
def test_devices_lists_the_room(room, capsys):
    main(["devices"])
    assert "default" in capsys.readouterr().out


def test_devices_without_any_says_so_plainly():
    assert "No microphone found" in describe([])
    assert "No speaker found" in describe([])


def test_devices_marks_the_defaults():
    devices = [Device(0, "Built-in", 2, 2, 48000.0, True, True),
               Device(1, "USB mic", 1, 0, 16000.0)]
    assert " *   0  Built-in" in describe(devices)


def test_devices_lists_input_only_devices_under_microphones_only():
    text = describe([Device(1, "USB mic", 1, 0, 16000.0)])
    assert "USB mic" in text
    assert "No speaker found" in text


def test_say_names_the_piper_voice(tmp_path, capsys):
    main(["say", "Hello.", "--out", str(tmp_path / "s.wav")])
    assert "Piper (en_US-joe-medium)" in capsys.readouterr().out


def test_say_names_the_system_voice_when_chosen(tmp_path, capsys):
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text('[speech]\nvoice = "system"\n')
    main(["say", "Hello.", "--out", str(tmp_path / "s.wav")])
    assert "the system voice (pyttsx3)" in capsys.readouterr().out


def test_doctor_names_the_voice_in_use():
    from voice_coach.commands.doctor import _voice

    ok, detail = _voice()
    assert ok
    assert detail.startswith("Piper (en_US-joe-medium) renders speech")
