"""How the room tests talk to the live coach: start it with settings, speak as a partner, wait
until it has finished talking, and hear its answer on the recording."""

import time

from voice_coach.bench.room import LiveCoach, first_sound_after, silent_after, speech_end

SAM, ALEX = "en-us+f2", "en-us+m6"
"""Two partners: espeak-ng voices the embedded recogniser hears best."""
REPLY_S = 4.0
"""Longest wait from the end of a request to the coach's answer being reported."""
TRIES = 3
"""How many times a partner who is not understood says a request (ask)."""
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


class Misheard(TimeoutError):
    """The coach took the partner's request for another one: they say it again (ask)."""


def heard_as(coach, intent, end):
    """The coach's `heard` event for a request that ended at `end`, when it was understood as
    `intent`; Misheard when it was taken for another."""
    heard = coach.wait_for("heard", timeout=REPLY_S, after=end - 0.5)
    if heard.detail["intent"] != intent:
        raise Misheard(f"heard {heard.what!r} as {heard.detail['intent']!r}, not {intent!r}")
    return heard


def heard_or_not_understood(coach, mark, end):
    """The coach's `heard` event for a request that ended at `end` (its log read from line
    `mark`), or None when the coach made nothing of the utterance and so reported nothing."""
    try:
        return coach.wait_for("heard", timeout=REPLY_S, after=end - 0.5)
    except TimeoutError:
        if coach.not_understood_since(mark, end - 0.5):
            return None
        raise


def ask(room, coach, text, wait, voice=SAM):
    """A partner says `text` until `wait(end of speech)` returns the event it waits for. When the
    request reached the coach and was not understood (it stayed silent, said "sorry", or took it
    for another: Misheard), they say it again, up to TRIES times in all, as people do; a request
    that never reached the coach's ears is the room's fault and fails at once."""
    for attempt in range(1, TRIES + 1):
        mark = len(coach.errors)
        end = say(room, coach, text, voice)
        try:
            return wait(end)
        except TimeoutError as error:
            if attempt == TRIES or not (isinstance(error, Misheard)
                                        or coach.not_understood_since(mark, end - 0.5)):
                raise
        print(f"{text!r}: not understood, said again")
        quiet(coach)
    raise AssertionError("unreachable")


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
    mark = len(coach.errors)
    end = say(room, coach, text, voice)
    heard = heard_or_not_understood(coach, mark, end)
    if heard is None or heard.detail["intent"] is None:
        # not understood: between exercises the coach says so, inside one it says nothing; the
        # partner will say it again (_twice)
        print(f"{text!r}: heard {heard and heard.what!r}, not understood")
        return None, False
    reply = coach.wait_for("say", timeout=REPLY_S, after=end)
    time.sleep(max(0.0, reply.t + reply.detail.get("seconds", 1.0) - time.monotonic()) + 0.4)
    recording = ears.recording()
    # The partner's voice fades out over a few tens of ms: the answer is the first sound after it.
    silent = silent_after(recording, end, hold_s=0.1)
    onset = None if silent is None else first_sound_after(recording, silent)
    print(f"{text!r}: heard {heard.what!r}, reply {reply.what!r} at {reply.t - end:.3f} s")
    return heard.detail["intent"], onset is not None and abs(onset - reply.t) < ONSET_TOLERANCE_S
