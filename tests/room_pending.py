"""PARKED, NOT RUN (pytest does not collect this file): room tests that still fail, with what was
measured, so the next session starts from the exact behaviour wanted, not from memory. Move a test
into tests/test_room_sessions.py once it passes several runs in a row.

Measured on 2026-11-26 on this 2-core machine (other helpers' benchmarks often at full load):

- a three-minute breathing session: 0 of 3 runs passed. Cue onsets are the speaker's timing, not
  the echo's: max error 106, 56 and 117 ms (bound 30), drift 84, -2 and -28 ms over three minutes.
  In all three the session ran to its end with every cue, never paused by the coach's own voice.
- a partner's "coach, stop please" over the coach: 0 of 4 runs. Silence after the end of "stop":
  0.76/0.62 s, 0.77/2.28 s, 0.17 (a natural pause)/never, never/0.87 s (bound 0.6). The hangover
  (0.4 s) plus recognising the utterance (PocketSphinx, two passes) leaves no room under load; a
  "never" is a "stop" misheard, its audio mixed with the coach's own voice broken up by speaker
  underruns (see below).
- every control spoken aloud: 1 of 3 runs with all thirteen right. Failures: "coach, what should we
  do tonight" heard as "... done lately" (progress); "carry on please" merged with a leftover of
  the coach's own voice into "could you do the carry on please"; a "stop" over a breath cue heard
  as "coach".

Why the coach still hears itself under load: PocketSphinx holds the GIL while it decodes (measured:
a 1 ms ticker thread stalled 589 ms during one 4.6 s decode; 355 ms even when fed in 50 ms
pieces), so the speaker's Python callback misses its 30 ms deadline: hundreds of output underruns
while the coach talks, parts of its sentence skipped or delayed by up to 0.3 s. No echo model follows
that, what leaks is decoded, which stalls the speaker again. Decoding in another process (not a
thread) would break the circle."""

import time

import numpy as np
import pytest

from voice_coach.bench_room import (LiveCoach, cue_onset_error, first_sound_after, silent_after,
                                    speech_end)

pytestmark = pytest.mark.room

SAM, ALEX = "en-us+f2", "en-us+m6"
BREATHS = 18
"""Eighteen breaths of 4 s in and 6 s out: a three-minute session."""
REPLY_S = 4.0
"""Longest wait from the end of a request to the coach's answer being reported."""
ONSET_TOLERANCE_S = 0.25
"""The answer's first sound in the recording must be this close to when the coach said it played."""


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


def _exchange(room, coach, ears, text, voice=SAM):
    """A partner says `text` with the room quiet: (intent heard, whether the coach's answer is in
    the recording where the coach says it played)."""
    _quiet(coach)
    end = _say(room, coach, text, voice)
    heard = coach.wait_for("heard", timeout=REPLY_S, after=end - 0.5)
    reply = coach.wait_for("say", timeout=REPLY_S, after=end)
    time.sleep(max(0.0, reply.t + reply.detail.get("seconds", 1.0) - time.monotonic()) + 0.4)
    recording = ears.recording()
    # The partner's voice fades out over a few tens of ms: the answer is the first sound after it.
    quiet = silent_after(recording, end, hold_s=0.1)
    onset = None if quiet is None else first_sound_after(recording, quiet)
    print(f"{text!r}: heard {heard.text!r}, reply {reply.text!r} at {reply.t - end:.3f} s")
    return heard.detail["intent"], onset is not None and abs(onset - reply.t) < ONSET_TOLERANCE_S


def test_a_three_minute_breathing_session_keeps_its_cues_on_schedule(room, tmp_path):
    coach = _coach(tmp_path, f"[breathing]\ncount = {BREATHS}\n")
    try:
        with room.listening() as ears:
            _say(room, coach, "coach, breathe with us")
            coach.wait_for("start", timeout=10, text="breathing")
            end = coach.wait_for("end", timeout=BREATHS * 10 + 60)
            time.sleep(1.0)
            recording = ears.recording()
    finally:
        coach.close()
    cues = [e for e in coach.log if e.event == "cue" and e.text in ("inhale", "exhale")]
    errors = np.array([cue_onset_error(recording, e.text, e.t) for e in cues], dtype=float)
    times = np.array([e.t for e in cues])
    inhales = times[0::2]
    exhale_longer = all(times[i + 1] - times[i] < times[i + 2] - times[i + 1]
                        for i in range(0, len(times) - 2, 2))
    slope = np.polyfit(times - times[0], errors, 1)[0]
    print(f"cue onset error: max {np.max(np.abs(errors)) * 1000:.1f} ms, "
          f"drift {slope * 180 * 1000:.2f} ms over three minutes")
    assert [e.text for e in cues] == ["inhale", "exhale"] * BREATHS
    assert exhale_longer
    assert end.detail["completed"] is True
    assert np.max(np.abs(errors)) <= 0.030
    assert abs(slope) * (inhales[-1] - inhales[0]) < 0.005


def test_a_partner_saying_stop_over_the_coach_silences_it_within_600_ms(room, tmp_path):
    coach = _coach(tmp_path, "")
    gaps = []
    try:
        with room.listening() as ears:
            for request in ("coach, what are the five pillars",) * 2:
                _say(room, coach, request)
                said = coach.wait_for("say", timeout=10)
                time.sleep(max(0.0, said.t - time.monotonic()) + 1.0)
                end = _say(room, coach, "coach, stop please", voice=ALEX)
                coach.wait_for("heard", timeout=5, after=end - 0.5)
                time.sleep(2.0)
                quiet = silent_after(ears.recording(), end)
                gaps.append(None if quiet is None else quiet - end)
                _quiet(coach)
    finally:
        coach.close()
    print(f"silent after the end of 'stop': {gaps}")
    assert all(gap is not None and gap <= 0.6 for gap in gaps)


def _twice(control, attempt):
    """A partner who is not understood says it again, once (as people do)."""
    first = attempt()
    return first if first == (control, True) else attempt()


@pytest.fixture(scope="module")
def controls(room, tmp_path_factory):
    """Every control spoken where it means something: idle (with the wake word), answering the
    coach's "shall we?", and inside Rose/Thorn/Bud. {control: (intent heard, answered aloud)}."""
    coach = _coach(tmp_path_factory.mktemp("home"), '[people]\npartner_names = ["Sam", "Alex"]\n')
    results = {}
    try:
        with room.listening() as ears:
            for control, text in (("help", "coach, what are the options"),
                                  ("louder", "coach, louder please"),
                                  ("quieter", "coach, quieter please"),
                                  ("slower", "coach, slower please"),
                                  ("faster", "coach, faster please"),
                                  ("repeat", "coach, say that again")):
                results[control] = _twice(control, lambda: _exchange(room, coach, ears, text))
            _exchange(room, coach, ears, "coach, what should we do tonight")
            results["no"] = _exchange(room, coach, ears, "no thanks", voice=ALEX)
            _exchange(room, coach, ears, "coach, what should we do tonight")
            results["yes"] = _exchange(room, coach, ears, "yes let's do it", voice=ALEX)
            _quiet(coach)  # end what "yes" started, before Rose/Thorn/Bud
            end = _say(room, coach, "coach, stop please", voice=ALEX)
            coach.wait_for("heard", timeout=REPLY_S, after=end - 0.5)
            _exchange(room, coach, ears, "coach, rose thorn bud")
            coach.wait_for("say", timeout=30, text="rose")
            for control, text in (("next", "next one please"), ("pause", "pause for a moment"),
                                  ("resume", "carry on please"),
                                  ("time_left", "how long is left"), ("stop", "stop please")):
                results[control] = _exchange(room, coach, ears, text, voice=ALEX)
            time.sleep(1.0)
    finally:
        coach.close()
    return results


CONTROLS = ("stop", "pause", "resume", "repeat", "next", "slower", "faster", "louder", "quieter",
            "help", "yes", "no", "time_left")


@pytest.mark.parametrize("control", CONTROLS)
def test_each_control_spoken_is_heard_and_answered_aloud(controls, control):
    assert controls[control] == (control, True)
