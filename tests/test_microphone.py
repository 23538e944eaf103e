import time

import numpy as np
import pytest

from voice_coach.audio.endpointing import Endpointer
from voice_coach.audio.microphone import Microphone
from voice_coach.errors import AudioDeviceError


def listen(microphone: Microphone, seconds: float) -> list:
    chunks, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        chunk = microphone.read(timeout=0.5)
        if chunk is not None:
            chunks.append(chunk)
    return chunks


@pytest.mark.room
def test_microphone_delivers_int16_at_the_recogniser_rate(room):
    with Microphone(rate=16000) as microphone:
        chunks = listen(microphone, 1.0)
    assert abs(sum(len(c.data) // 2 for c in chunks) - 16000) < 1600


@pytest.mark.room
def test_microphone_resamples_when_asked_for_another_rate(room):
    with Microphone(rate=8000) as microphone:
        chunks = listen(microphone, 1.0)
    assert abs(sum(len(c.data) // 2 for c in chunks) - 8000) < 800


@pytest.mark.room
def test_microphone_hears_the_partner_as_one_utterance(room):
    with Microphone() as microphone:
        endpointer = Endpointer(start_time=time.monotonic())
        playback = room.speak_partner("coach, breathe with us")
        heard = [u for chunk in listen(microphone, playback.seconds + 1.0)
                 for u in endpointer.feed(chunk.data)]
    assert len(heard) == 1


@pytest.mark.room
def test_microphone_chunk_times_match_when_the_sound_was_played(room):
    with Microphone() as microphone:
        time.sleep(0.2)
        playback = room.speak_partner("stop")
        chunks = listen(microphone, playback.seconds + 0.5)
    samples = np.concatenate([np.frombuffer(c.data, np.int16) for c in chunks])
    first_loud = np.flatnonzero(np.abs(samples) > 300)[0]
    heard_at = chunks[0].time + first_loud / 16000
    spoken = room.partner_voice("stop").samples
    played_at = playback.start + np.flatnonzero(np.abs(spoken) > 300 / 32768)[0] / 16000
    assert abs(heard_at - played_at) < 0.02


@pytest.mark.room
def test_a_consumer_that_falls_behind_counts_overflows_and_keeps_going(room):
    with Microphone(max_queue_s=0.1) as microphone:
        time.sleep(0.6)
        late = microphone.read(timeout=1)
    assert microphone.overflows > 0
    assert late is not None


def test_unknown_microphone_is_a_plain_error():
    with pytest.raises(AudioDeviceError, match="--input-device"):
        Microphone(device="no such microphone anywhere")
