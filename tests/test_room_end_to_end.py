"""The whole coach in the virtual room, in real time: a partner's espeak-ng voice speaks into the
room, the live `voice-coach` process hears it through sounddevice, answers through pyttsx3 and
sounddevice, and the test hears the answer on the room's monitor. The coach hears its own voice
too, as in a bedroom.

The partners are espeak-ng voices the embedded recogniser hears reliably (en-us+f2, en-us+m6);
controls are spoken as people say them ("stop please", "pause for a moment"): single bare words
from a synthetic voice are the recogniser's weak spot, measured by the spoken benchmark, not
here."""

import time

import pytest
from room_talk import ONSET_TOLERANCE_S, REPLY_S, SAM, heard_or_not_understood, say, start_coach

from voice_coach.bench.room import first_sound_after, silent_after

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


def _live_coach(home):
    return start_coach(home, '[people]\npartner_names = ["Sam", "Alex"]\n')


@pytest.fixture
def fresh_coach(room, tmp_path):
    """A coach of its own for each request, so one exercise left running cannot spoil the next."""
    live = _live_coach(tmp_path)
    yield live
    live.close()


def until_quiet(coach, event):
    """Sleep until the sound `event` reported has finished playing."""
    time.sleep(max(0.0, event.t + event.detail.get("seconds", 1.0) - time.monotonic()) + 0.4)


def exchange(room, coach, ears, text, voice=SAM, answer="say"):
    """A partner says `text` with the room quiet; returns (intent heard, whether the coach's
    answer is in the recording where the coach says it played, the answer event)."""
    mark = len(coach.errors)
    end = say(room, coach, text, voice)
    heard = heard_or_not_understood(coach, mark, end)
    if heard is None:  # made nothing of it, so it stayed silent
        print(f"{text!r}: not understood")
        return None, False, None
    reply = coach.wait_for(answer, timeout=REPLY_S, after=end)
    until_quiet(coach, reply)
    recording = ears.recording()
    # The partner's voice fades out over a few tens of ms: the answer is the first sound after it.
    quiet = silent_after(recording, end, hold_s=0.1)
    onset = None if quiet is None else first_sound_after(recording, quiet)
    aloud = onset is not None and abs(onset - reply.t) < ONSET_TOLERANCE_S
    print(f"{text!r}: heard {heard.what!r}, reply at {reply.t - end:.3f} s, sound at "
          f"{onset and onset - end:.3f} s after the request")
    return heard.detail["intent"], aloud, reply


@pytest.mark.parametrize("exercise", sorted(EXERCISE_REQUESTS))
def test_each_exercise_request_spoken_is_heard_and_answered_aloud(room, fresh_coach, exercise):
    with room.listening() as ears:
        intent, aloud, _ = exchange(room, fresh_coach, ears, EXERCISE_REQUESTS[exercise])
        if intent is None:  # not understood (silence, or "sorry, I didn't catch that"): said again
            intent, aloud, _ = exchange(room, fresh_coach, ears, EXERCISE_REQUESTS[exercise])
    assert (intent, aloud) == (exercise, True)


def test_the_live_coach_hears_in_a_process_of_its_own(fresh_coach):
    # PocketSphinx holds the interpreter lock while it decodes: in the coach's own process it
    # would stall the speaker's and microphone's callbacks
    recogniser = [pid for pid in fresh_coach.processes()[1:]
                  if "voice_coach.hearing.recognition_process"
                  in open(f"/proc/{pid}/cmdline").read()]
    assert len(recogniser) == 1


def test_the_coach_memory_is_summed_at_one_moment_with_shared_pages_counted_once(fresh_coach):
    time.sleep(0.5)  # a few samples
    family = fresh_coach.family_peak_mb()
    assert family["pss"] > 50  # the interpreter, numpy and a voice at least
    assert family["pss"] <= family["rss"]
    assert family["rss"] <= fresh_coach.peak_rss_mb() + 1.0
