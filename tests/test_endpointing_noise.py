"""The endpointing comparison measures what it says: each detector finds a request said in a
quiet room as one utterance, handed over after the hangover, and finds nothing in silence."""

import numpy as np
import pytest

from voice_coach.audio.types import float_to_int16
from voice_coach.bench.endpointing_noise import HANGOVER_S, RATE, Silero, band_energy, speech_bounds
from voice_coach.bench.partner_voice import speak


@pytest.fixture(scope="module")
def request_in_a_quiet_room():
    audio = speak("coach, how much time is left", voice="en-gb", rate=150)
    pad = np.zeros(RATE, np.float32)
    start, end = (1.0 + bound for bound in speech_bounds(audio))
    return float_to_int16(np.concatenate([pad, audio.samples, pad, pad])), start, end


@pytest.mark.parametrize("detector", [band_energy, Silero()], ids=["band energy", "silero"])
def test_a_quiet_request_is_one_utterance_handed_over_after_the_hangover(
        detector, request_in_a_quiet_room):
    stream, start, end = request_in_a_quiet_room
    [found] = detector(stream)
    assert abs(found.start - start) < 0.15
    assert abs(found.end - end) < 0.15
    assert HANGOVER_S - 0.05 < found.handed - found.end < HANGOVER_S + 0.1  # in 10-32 ms steps


@pytest.mark.parametrize("detector", [band_energy, Silero()], ids=["band energy", "silero"])
def test_silence_is_no_utterance(detector):
    assert detector(np.zeros(3 * RATE, np.int16)) == []
