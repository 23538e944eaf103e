import tomllib
from dataclasses import fields, is_dataclass
from datetime import datetime, time
from importlib import resources
from pathlib import Path

import pytest

from voice_coach import paths
from voice_coach.settings import (
    BreathSettings,
    NightSettings,
    Settings,
    SpeechSettings,
    VoiceChoice,
    load_settings,
)

EXAMPLE = resources.files("voice_coach") / "data" / "settings.example.toml"


def write(tmp_path, text):
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def keys_of(cls, prefix=""):
    keys = set()
    for spec in fields(cls):
        section = spec.default_factory
        if is_dataclass(section):
            keys |= keys_of(section, f"{prefix}{spec.name}.")
        else:
            keys.add(prefix + spec.name)
    return keys


def keys_in(table, prefix=""):
    return set().union(*[keys_in(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
                         for k, v in table.items()])


def test_a_missing_default_file_gives_defaults_quietly(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.HOME_VARIABLE, str(tmp_path))
    assert load_settings() == (Settings(), [])


def test_reads_the_file_in_the_user_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.HOME_VARIABLE, str(tmp_path))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text("[speech]\nrate_wpm = 130\n")
    assert load_settings()[0].speech.rate_wpm == 130


def test_a_missing_explicit_file_is_reported(tmp_path):
    settings, warnings = load_settings(tmp_path / "nowhere.toml")
    assert settings == Settings()
    assert "nowhere.toml does not exist" in warnings[0]


def test_the_example_documents_every_key_with_its_default():
    table = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert keys_in(table) == keys_of(Settings)


def test_the_example_loads_without_warnings_as_the_defaults():
    assert load_settings(Path(str(EXAMPLE))) == (Settings(), [])


def test_reads_every_kind_of_value(tmp_path):
    settings, warnings = load_settings(write(tmp_path, """
wake_word = "hey coach"
[speech]
volume = 1
voice = "system"
system_voice = "english-us"
[night]
start = 22:30:00
[breathing]
inhale_s = 5
exhale_s = 7.5
[people]
partner_names = ["Sam", " Alex "]
[audio]
input_device = 3
output_device = "USB"
[recognition]
model_path = "~/models/vosk"
"""))
    assert (warnings, settings.wake_word, settings.speech.volume, settings.speech.system_voice,
            settings.night.start, settings.breathing.exhale_s, settings.people.partner_names,
            settings.audio.input_device, settings.audio.output_device,
            settings.recognition.model_path) == (
        [], "hey coach", 1.0, "english-us", time(22, 30), 7.5, ("Sam", "Alex"), 3, "USB",
        Path("~/models/vosk").expanduser())


@pytest.mark.parametrize("text", ["wake_word = false", 'wake_word = ""'])
def test_the_wake_word_can_be_turned_off(tmp_path, text):
    assert load_settings(write(tmp_path, text))[0].wake_word is None


@pytest.mark.parametrize("text, key, default", [
    ("[speech]\nrate_wpm = 900", "speech.rate_wpm", "150"),
    ("[speech]\nrate_wpm = 150.5", "speech.rate_wpm", "150"),
    ("[speech]\nvolume = \"loud\"", "speech.volume", "0.8"),
    ("[night]\nstart = \"9pm\"", "night.start", "21:00"),
    ("[night]\nstart = \"25:00\"", "night.start", "21:00"),
    ("[breathing]\ncount = 0", "breathing.count", "6"),
    ("[breathing]\nhold_s = true", "breathing.hold_s", "0"),
    ("[people]\npartner_names = [\"Sam\"]", "people.partner_names", "[]"),
    ("[audio]\ninput_device = -1", "audio.input_device", "the default"),
    ("wake_word = 3", "wake_word", '"coach"'),
])
def test_a_wrong_value_names_its_key_and_the_default_used(tmp_path, text, key, default):
    settings, (warning,) = load_settings(write(tmp_path, text))
    assert settings == Settings()
    assert warning.startswith(f"{key} is ")
    assert warning.endswith(f"using {default}.")


def test_one_wrong_value_keeps_the_others(tmp_path):
    settings, warnings = load_settings(write(tmp_path, "[speech]\nrate_wpm = 900\nvolume = 0.5\n"))
    assert (settings.speech, len(warnings)) == (SpeechSettings(volume=0.5), 1)


def test_an_exhale_not_longer_than_the_inhale_uses_the_default_exhale(tmp_path):
    settings, warnings = load_settings(write(tmp_path, "[breathing]\ninhale_s = 5\nexhale_s = 4\n"))
    assert (settings.breathing, warnings) == (BreathSettings(inhale_s=5, exhale_s=6), [
        "breathing.exhale_s (4) must be longer than breathing.inhale_s (5); using 6."])


def test_a_long_inhale_falls_back_to_both_defaults(tmp_path):
    settings, warnings = load_settings(write(tmp_path, "[breathing]\ninhale_s = 8\n"))
    assert settings.breathing == BreathSettings()
    assert warnings[0].endswith("using 4 and 6.")


def test_an_unknown_key_is_reported_with_a_suggestion(tmp_path):
    settings, warnings = load_settings(write(tmp_path, "[speech]\nrate = 120\n"))
    assert warnings == [
        "speech.rate is not a setting (did you mean speech.rate_wpm?); it is ignored."]


def test_a_section_written_as_a_value_is_reported(tmp_path):
    settings, warnings = load_settings(write(tmp_path, "speech = 3\n"))
    assert (settings, warnings) == (
        Settings(), ["speech must be a section written [speech]; using its defaults."])


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "[speech]\nrate_wpm = 150\nvolume = = 1\n")
    settings, (warning,) = load_settings(path)
    assert settings == Settings()
    assert str(path) in warning
    assert "line 3" in warning


def test_a_file_that_is_not_text_is_reported(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xff\xfe\x00binary")
    settings, (warning,) = load_settings(path)
    assert settings == Settings()
    assert str(path) in warning


def test_an_unreadable_file_is_reported(tmp_path):
    (tmp_path / "settings.toml").mkdir()
    settings, (warning,) = load_settings(tmp_path / "settings.toml")
    assert settings == Settings()
    assert warning.startswith("Could not read the settings file")


@pytest.mark.parametrize("moment, expected", [
    (time(20, 59), False), (time(21, 0), True), (time(23, 59), True), (time(0, 30), True),
    (time(5, 59), True), (time(6, 0), False), (time(12, 0), False)])
def test_night_spans_midnight(moment, expected):
    assert NightSettings().includes(moment) is expected


def test_night_speech_is_slower_and_quieter():
    settings = Settings()
    day, night = (settings.speech_at(datetime(2026, 11, 26, hour)) for hour in (19, 23))
    assert day == settings.speech
    assert night.rate_wpm < day.rate_wpm
    assert night.volume < day.volume


def test_a_breath_cycle_is_in_plus_hold_plus_out():
    assert BreathSettings(inhale_s=4, hold_s=1, exhale_s=6).cycle_s == 11


@pytest.mark.parametrize("written, chosen", [('"piper"', VoiceChoice.PIPER),
                                             ('"System"', VoiceChoice.SYSTEM), ('""', None)])
def test_the_voice_is_piper_system_or_the_default(tmp_path, written, chosen):
    assert load_settings(write(tmp_path, f"[speech]\nvoice = {written}\n")) == (
        Settings(speech=SpeechSettings(voice=chosen)), [])


def test_an_unknown_voice_is_named_and_the_default_used(tmp_path):
    settings, warnings = load_settings(write(tmp_path, '[speech]\nvoice = "en-us+f3"\n'))
    assert settings.speech.voice is None
    assert warnings == [
        'speech.voice is "en-us+f3" but must be one of "piper", "system", or "" for the default '
        "(a system voice's name goes in speech.system_voice); using the default."]
