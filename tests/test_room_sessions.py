"""Whole sessions led in the virtual room, in real time, by the live coach hearing its own voice as
in a bedroom: a breathing session whose cues must land on their schedule, and Rose/Thorn/Bud where
two partners answer and share sentences full of control words ("stop", "pause", "louder") that
must never move it. Cue timing over ten minutes is measured by the benchmark (`voice-coach bench`).
"""

import time

import numpy as np
import pytest
from room_talk import ALEX, SAM, ask, quiet, say, start_coach

from voice_coach.bench.room import cue_onset_error

pytestmark = pytest.mark.room

BREATHS = 6
"""The default session: six breaths of 4 s in and 6 s out."""


def test_a_whole_breathing_session_keeps_its_cues_on_schedule(room, tmp_path):
    coach = start_coach(tmp_path, f"[breathing]\ncount = {BREATHS}\n")
    try:
        with room.listening() as ears:
            ask(room, coach, "coach, breathe with us", wait=lambda end: coach.wait_for(
                "start", timeout=10, what="breathing", after=end - 0.5))
            end = coach.wait_for("end", timeout=BREATHS * 10 + 60)
            time.sleep(1.0)
            recording = ears.recording()
    finally:
        coach.close()
    cues = [e for e in coach.log if e.event == "cue" and e.what in ("inhale", "exhale")]
    errors = np.array([cue_onset_error(recording, e.what, e.t) for e in cues], dtype=float)
    times = np.array([e.t for e in cues])
    inhales = times[0::2]
    exhale_longer = all(times[i + 1] - times[i] < times[i + 2] - times[i + 1]
                        for i in range(0, len(times) - 2, 2))
    slope = np.polyfit(times - times[0], errors, 1)[0]
    print(f"cue onset error: max {np.max(np.abs(errors)) * 1000:.1f} ms, "
          f"drift {slope * 60 * 1000:.2f} ms a minute")
    assert [e.what for e in cues] == ["inhale", "exhale"] * BREATHS
    assert exhale_longer
    assert end.detail["completed"] is True
    assert np.max(np.abs(errors)) <= 0.030
    assert abs(slope) * (inhales[-1] - inhales[0]) < 0.005


SHARING = (
    "my rose was the long walk we took when the rain finally stopped",
    "the thorn was the meeting where my boss told us to pause the whole project",
    "my bud is the weekend, we could go to the sea next saturday",
    "i loved that you made me coffee this morning before work",
    "it was hard when the train was late again and nobody could hear the announcements",
    "i am looking forward to the concert next month, it will be louder than ever",
)


def test_rose_thorn_bud_with_partners_answering_and_sharing_never_moving_it(room, tmp_path):
    coach = start_coach(tmp_path, '[people]\npartner_names = ["Sam", "Alex"]\n')
    moved_by_sharing = []
    prompts = []
    try:
        ask(room, coach, "coach, rose thorn bud", wait=lambda end: coach.wait_for(
            "start", timeout=10, what="rose_thorn_bud", after=end - 0.5))
        for index, sentence in enumerate(SHARING):
            prompt = coach.wait_for("say", timeout=30, what="?")
            prompts.append(prompt.what)
            quiet(coach)
            voice = SAM if index < 3 else ALEX
            shared_end = say(room, coach, sentence, voice=voice)
            time.sleep(1.5)
            moved_by_sharing += [e for e in coach.log if e.t > shared_end - 0.5
                                 and (e.event in ("say", "cue", "end")
                                      or (e.event == "heard" and e.detail["intent"]))]
            say(room, coach, "we're done", voice=voice)
        end = coach.wait_for("end", timeout=30)
    finally:
        coach.close()
    assert len(prompts) == 6
    assert moved_by_sharing == []
    assert end.detail["completed"] is True
