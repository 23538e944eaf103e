"""Faults in the virtual room: the sound server vanishes under a running session and comes back."""

import time

import pytest
from room_talk import ask, heard_as, quiet

from voice_coach.bench.room import LiveCoach

pytestmark = pytest.mark.room


def test_audio_vanishing_mid_session_pauses_keeps_the_place_and_reconnects(room, tmp_path):
    coach = LiveCoach(tmp_path)
    try:
        coach.wait_for("ready", timeout=60)
        ask(room, coach, "coach, start a hug timer", voice="en-us",
            wait=lambda end: coach.wait_for("start", timeout=10, what="hug", after=end - 0.5))

        room.kill_server()
        lost = coach.wait_for("warning", timeout=10)
        heard_pause = coach.wait_for("heard", timeout=5)
        time.sleep(2.0)
        room.revive_server()
        back = coach.wait_for("warning", timeout=15, what="back")
        said = coach.wait_for("say", timeout=5, what="back")
        time.sleep(max(0.0, said.t + said.detail["seconds"] - time.monotonic()) + 0.3)

        resumed = ask(room, coach, "carry on please", voice="en-us+f2",
                      wait=lambda end: heard_as(coach, "resume", end))
        coach.wait_for("say", timeout=40, what="arms")
        quiet(coach)
        ask(room, coach, "yes", voice="en-us", wait=lambda end: heard_as(coach, "yes", end))
        timer_end = coach.wait_for("cue", timeout=40, what="timer_end")
    finally:
        coach.close()
    assert "paused and kept your place" in lost.what
    assert heard_pause.detail["intent"] == "pause"
    assert "Say resume" in back.what
    assert resumed.detail["intent"] == "resume"
    assert timer_end.t > back.t
