import sys
import time

import numpy as np
import pytest

from voice_coach.audio.speaker import Speaker
from voice_coach.audio.types import Audio
from voice_coach.errors import AudioDeviceError
from voice_coach.voice.cues import cue

pytestmark = pytest.mark.room


def tone(seconds: float) -> Audio:
    t = np.arange(int(seconds * 16000)) / 16000
    return Audio((0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)


def test_play_returns_at_once(room):
    with Speaker() as speaker:
        began = time.monotonic()
        speaker.play(tone(2.0))
        assert time.monotonic() - began < 0.05


def test_is_playing_while_sound_lasts(room):
    with Speaker() as speaker:
        speaker.play(tone(1.0)).wait_started(timeout=2)
        assert speaker.is_playing


def test_not_playing_after_the_sound_ends(room):
    with Speaker() as speaker:
        speaker.play(tone(0.2)).wait(timeout=2)
        assert not speaker.is_playing


def test_playback_knows_its_end_from_its_start(room):
    with Speaker() as speaker:
        playback = speaker.play(tone(0.5))
        playback.wait_started(timeout=2)
        assert abs(playback.end - playback.start - 0.5) < 0.001


def test_scheduled_sound_starts_at_its_time(room):
    with Speaker() as speaker:
        when = time.monotonic() + 0.3
        playback = speaker.play(cue("inhale"), at=when)
        playback.wait_started(timeout=2)
        assert abs(playback.start - when) < 0.001


def test_stop_ends_playback_early(room):
    with Speaker() as speaker:
        playback = speaker.play(tone(3.0))
        playback.wait_started(timeout=2)
        speaker.stop()
        assert playback.stopped
        assert playback.end - playback.start < 1.0


def test_stop_drops_sounds_not_yet_started(room):
    with Speaker() as speaker:
        speaker.play(cue("exhale"), at=time.monotonic() + 5)
        speaker.stop()
        time.sleep(0.1)  # what was already in the device buffer
        assert not speaker.is_playing


def test_wait_returns_when_everything_has_played(room):
    with Speaker() as speaker:
        speaker.play(tone(0.3))
        speaker.play(cue("hold"), at=time.monotonic() + 0.4)
        speaker.wait(timeout=3)
        assert not speaker.is_playing


def test_volume_is_bounded(room):
    with Speaker(volume=5.0) as speaker:
        assert speaker.volume <= 2.0


def test_volume_scales_what_the_room_hears(room):
    levels = []
    for volume in (1.0, 0.25):
        with Speaker(volume=volume) as speaker, room.listening() as ears:
            playback = speaker.play(tone(0.5))
            playback.wait(timeout=3)
        heard = ears.recording().between(playback.start + 0.1, playback.end - 0.1)
        levels.append(np.sqrt(np.mean(heard**2)))
    assert abs(levels[1] / levels[0] - 0.25) < 0.02


def test_unknown_speaker_is_a_plain_error():
    with pytest.raises(AudioDeviceError, match="--output-device"):
        Speaker(device="no such speaker anywhere")


def test_a_callback_held_up_by_a_busy_interpreter_is_not_a_lost_device(room):
    with Speaker() as speaker:
        interval = sys.getswitchinterval()
        sys.setswitchinterval(5.0)  # this thread keeps the GIL, as a long decode in C does
        try:
            deadline = time.monotonic() + 1.3
            while time.monotonic() < deadline:
                pass
            alive = speaker.active
        finally:
            sys.setswitchinterval(interval)
    assert alive


def test_a_speaker_settled_after_other_start_up_work_plays_on_time(room):
    with Speaker(settle=False) as speaker:
        time.sleep(0.5)  # the models loading meanwhile
        speaker.settle()
        when = time.monotonic() + 0.3
        playback = speaker.play(cue("inhale"), at=when)
        playback.wait_started(timeout=2)
        assert abs(playback.start - when) < 0.001


def test_a_sound_played_after_another_starts_on_the_sample_after_its_last(room):
    whole = tone(1.0)
    first = Audio(whole.samples[:8000], 16000)
    second = Audio(whole.samples[8000:], 16000)
    with Speaker() as speaker, room.listening() as ears:
        before = speaker.play(first)
        before.wait_started(timeout=2)
        after = speaker.play(second, after=before)
        after.wait(timeout=3)
    assert after.follows is before
    recording = ears.recording()
    junction = recording.between(after.start - 0.02, after.start + 0.02)
    t = np.arange(len(junction)) / recording.rate
    basis = np.stack([np.sin(2 * np.pi * 440 * t), np.cos(2 * np.pi * 440 * t)], axis=1)
    fit, *_ = np.linalg.lstsq(basis, junction, rcond=None)
    left = junction - basis @ fit
    assert np.sum(left ** 2) < 0.001 * np.sum(junction ** 2)  # one unbroken tone
