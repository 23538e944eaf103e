import pytest

from voice_coach.audio.devices import Device, choose_device
from voice_coach.errors import AudioDeviceError

DEVICES = [
    Device(0, "HDA Intel PCH: ALC3246 Analog", 2, 2, 44100.0),
    Device(1, "USB Audio Microphone", 1, 0, 48000.0),
    Device(2, "pulse", 32, 32, 44100.0),
    Device(3, "default", 32, 32, 44100.0, is_default_input=True, is_default_output=True),
]


def test_no_choice_takes_the_default():
    assert choose_device(DEVICES, None, "input").index == 3


def test_no_default_takes_the_first_able_device():
    assert choose_device(DEVICES[:2], None, "input").index == 0


def test_choice_by_number():
    assert choose_device(DEVICES, "1", "input").index == 1


def test_choice_by_part_of_the_name_ignoring_case():
    assert choose_device(DEVICES, "usb", "input").index == 1


def test_exact_name_wins_over_a_partial_match():
    assert choose_device(DEVICES, "pulse", "output").index == 2


def test_a_microphone_only_device_is_no_speaker():
    with pytest.raises(AudioDeviceError, match="no speaker called"):
        choose_device(DEVICES, "USB", "output")


def test_an_ambiguous_name_asks_for_the_number():
    with pytest.raises(AudioDeviceError, match="pass the number"):
        choose_device(DEVICES, "a", "output")


def test_no_devices_at_all_is_a_plain_sentence():
    with pytest.raises(AudioDeviceError, match="No microphone found"):
        choose_device([], None, "input")
