"""The whole coach in the virtual room, in real time: a partner's espeak-ng voice speaks into the
room, the live `voice-coach` process hears it through sounddevice, answers through pyttsx3 and
sounddevice, and the test hears the answer on the room's monitor. The coach hears its own voice
too, as in a bedroom."""

import time

import pytest

from voice_coach.bench_room import (
    LiveCoach,
    cue_onset_error,
    first_sound_after,
    silent_after,
    speech_end,
)

pytestmark = pytest.mark.room

EXERCISE_REQUESTS = {
    "appreciation": "coach, two minute appreciation",
    "sentence_stems": "coach, sentence stems",
    "stress_map": "coach, let's do a stress map",
    "hug": "coach, start a hug timer",
    "breathing": "coach, breathe with us",
    "rose_thorn_bud": "coach, rose thorn bud",
    "magic_minutes": "coach, five magic minutes",
    "gentle_start": "coach, gentle start",
    "tonight": "coach, what should we do tonight",
}


@pytest.fixture(scope="module")
def coach(room, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    (home / "config").mkdir()
    (home / "config" / "settings.toml").write_text('[people]\npartner_names = ["Sam", "Alex"]\n')
    live = LiveCoach(home)
    live.wait_for("ready", timeout=60)
    yield live
    live.close()


def say(room, coach, text, voice="en-us+f3"):
    """A partner says `text`; returns (end of their speech, the Playback)."""
    coach.drain()
    audio = room.partner_voice(text, voice=voice)
    playback = room.play_partner(audio)
    playback.wait(timeout=15)
    return speech_end(playback.start, audio), playback


def hush(room, coach):
    """End whatever runs, and wait until the coach is quiet and idle again."""
    say(room, coach, "coach, stop")
    time.sleep(1.5)


@pytest.mark.parametrize("exercise", sorted(EXERCISE_REQUESTS))
def test_each_exercise_request_spoken_is_heard_and_answered_aloud(room, coach, exercise):
    with room.listening() as ears:
        end, _ = say(room, coach, EXERCISE_REQUESTS[exercise])
        heard = coach.wait_for("heard", timeout=10)
        reply = coach.wait_for("say", timeout=10)
        time.sleep(max(0.0, reply.t - time.monotonic()) + 0.5)
        recording = ears.recording()
    assert heard.detail["intent"] == exercise
    assert first_sound_after(recording, end + 0.02) is not None
    hush(room, coach)
