"""A partner's "stop" said over the coach's own voice silences it within 600 ms, in the virtual
room, in real time: once bare, as the benchmark says it, and once as "coach, stop please" in another
voice. A stop the coach did not hear is said once more, as a partner would; how often a stop is
heard the first time is the benchmark's figure (`voice-coach bench`, "barge-in heard")."""

import time

import pytest
from room_talk import ALEX, ask, quiet, say, start_coach

from voice_coach.bench.room import silent_after

pytestmark = pytest.mark.room

SILENT_WITHIN_S = 0.6
TRIES = 2
JUDGED_AFTER_S = 1.5
"""How long after a stop the partner waits before saying it again."""


def test_a_partner_saying_stop_over_the_coach_silences_it_within_600_ms(room, tmp_path):
    coach = start_coach(tmp_path, "")
    outcomes = {}
    try:
        with room.listening() as ears:
            for request, stop, voice in (("coach, what are the five pillars", "stop", "en-us"),
                                         ("coach, what is emotional intimacy",
                                          "coach, stop please", ALEX)):
                said = ask(room, coach, request, wait=lambda end: coach.wait_for(
                    "say", timeout=10, after=end - 0.5))
                time.sleep(max(0.0, said.t - time.monotonic()) + 1.0)  # the coach is talking
                tries = 0
                while tries < TRIES:
                    tries += 1
                    end = say(room, coach, stop, voice=voice)
                    time.sleep(JUDGED_AFTER_S)
                    heard = [e for e in coach.log if e.event == "heard" and e.t > end - 1.5]
                    if any(e.detail.get("intent") == "stop" for e in heard):
                        break
                silent = silent_after(ears.recording(), end)
                outcomes[stop] = {
                    "tries": tries, "heard": [e.what for e in heard],
                    "stopped": any(e.detail.get("intent") == "stop" for e in heard),
                    "silent_after_s": None if silent is None else round(silent - end, 3)}
                quiet(coach)
    finally:
        coach.close()
    print(f"each stop: {outcomes}")
    for outcome in outcomes.values():
        assert outcome["stopped"]
        assert outcome["silent_after_s"] is not None
        assert outcome["silent_after_s"] <= SILENT_WITHIN_S
