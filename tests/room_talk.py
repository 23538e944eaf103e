"""How the room tests talk to the live coach: start it with settings, speak as a partner, wait
until it has finished talking, and hear its answer on the recording."""

import time

from voice_coach.bench.room import LiveCoach, first_sound_after, silent_after, speech_end

SAM, ALEX = "en-us+f2", "en-us+m6"
"""Two partners: espeak-ng voices the embedded recogniser hears best."""
REPLY_S = 4.0
"""Longest wait from the end of a request to the coach's answer being reported."""
ONSET_TOLERANCE_S = 0.25
"""The answer's first sound in the recording must be this close to when the coach said it played."""


def start_coach(home, settings: str) -> LiveCoach:
    (home / "config").mkdir()
    (home / "config" / "settings.toml").write_text(settings)
    live = LiveCoach(home)
    live.wait_for("ready", timeout=60)
    return live


def say(room, coach, text, voice=SAM) -> float:
    """A partner says `text`; returns the monotonic time their speech ended."""
    coach.drain()
    audio = room.partner_voice(text, voice=voice)
    playback = room.play_partner(audio)
    playback.wait(timeout=15)
    return speech_end(playback.start, audio)


def quiet(coach, timeout=30.0) -> None:
    """Until all the coach has said has played (partners take turns)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        says = [e for e in coach.log if e.event == "say"]
        until = max((e.t + e.detail.get("seconds", 0.0) for e in says), default=0.0) + 0.6
        if time.monotonic() >= until:
            return
        time.sleep(until - time.monotonic())


def exchange(room, coach, ears, text, voice=SAM):
    """A partner says `text` with the room quiet: (intent heard, whether the coach's answer is in
    the recording where the coach says it played)."""
    quiet(coach)
    end = say(room, coach, text, voice)
    heard = coach.wait_for("heard", timeout=REPLY_S, after=end - 0.5)
    if heard.detail["intent"] is None:
        # not understood: between exercises the coach says so, inside one it says nothing; the
        # partner will say it again (_twice)
        print(f"{text!r}: heard {heard.what!r}, not understood")
        return None, False
    reply = coach.wait_for("say", timeout=REPLY_S, after=end)
    time.sleep(max(0.0, reply.t + reply.detail.get("seconds", 1.0) - time.monotonic()) + 0.4)
    recording = ears.recording()
    # The partner's voice fades out over a few tens of ms: the answer is the first sound after it.
    silent = silent_after(recording, end, hold_s=0.1)
    onset = None if silent is None else first_sound_after(recording, silent)
    print(f"{text!r}: heard {heard.what!r}, reply {reply.what!r} at {reply.t - end:.3f} s")
    return heard.detail["intent"], onset is not None and abs(onset - reply.t) < ONSET_TOLERANCE_S
