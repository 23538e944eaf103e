"""Rose/Thorn/Bud led in the virtual room, in real time, by the live coach hearing its own voice
as in a bedroom: two partners answer and share sentences full of control words ("stop", "pause",
"louder") that must never move it. The other session tests (a breathing session's cue timing, a
spoken "stop" over the coach, every control spoken aloud) are parked in tests/room_pending.py with
the reasons they still fail."""

import time

import pytest

from voice_coach.bench_room import LiveCoach, speech_end

pytestmark = pytest.mark.room

SAM, ALEX = "en-us+f2", "en-us+m6"


def _coach(home, settings: str) -> LiveCoach:
    (home / "config").mkdir()
    (home / "config" / "settings.toml").write_text(settings)
    live = LiveCoach(home)
    live.wait_for("ready", timeout=60)
    return live


def _say(room, coach, text, voice=SAM):
    coach.drain()
    audio = room.partner_voice(text, voice=voice)
    playback = room.play_partner(audio)
    playback.wait(timeout=15)
    return speech_end(playback.start, audio)


def _quiet(coach, timeout=30.0):
    """Until all the coach has said has played (partners take turns)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        says = [e for e in coach.log if e.event == "say"]
        until = max((e.t + e.detail.get("seconds", 0.0) for e in says), default=0.0) + 0.6
        if time.monotonic() >= until:
            return
        time.sleep(until - time.monotonic())


SHARING = (
    "my rose was the long walk we took when the rain finally stopped",
    "the thorn was the meeting where my boss told us to pause the whole project",
    "my bud is the weekend, we could go to the sea next saturday",
    "i loved that you made me coffee this morning before work",
    "it was hard when the train was late again and nobody could hear the announcements",
    "i am looking forward to the concert next month, it will be louder than ever",
)


def test_rose_thorn_bud_with_partners_answering_and_sharing_never_moving_it(room, tmp_path):
    coach = _coach(tmp_path, '[people]\npartner_names = ["Sam", "Alex"]\n')
    moved_by_sharing = []
    prompts = []
    try:
        _say(room, coach, "coach, rose thorn bud")
        coach.wait_for("start", timeout=10, text="rose_thorn_bud")
        for index, sentence in enumerate(SHARING):
            prompt = coach.wait_for("say", timeout=30, text="?")
            prompts.append(prompt.text)
            _quiet(coach)
            voice = SAM if index < 3 else ALEX
            shared_end = _say(room, coach, sentence, voice=voice)
            time.sleep(1.5)
            moved_by_sharing += [e for e in coach.log if e.t > shared_end - 0.5
                                 and (e.event in ("say", "cue", "end")
                                      or (e.event == "heard" and e.detail["intent"]))]
            _say(room, coach, "we're done", voice=voice)
        end = coach.wait_for("end", timeout=30)
    finally:
        coach.close()
    assert len(prompts) == 6
    assert moved_by_sharing == []
    assert end.detail["completed"] is True
