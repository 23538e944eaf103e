"""A partner's "stop" said over the coach's own voice silences it within 600 ms, in the virtual room,
in real time: once bare, as the benchmark says it, and once as "coach, stop please" in another
voice. No second try: the benchmark (`voice-coach bench`) counts how many stops are heard."""

import time

import pytest

from room_talk import ALEX, quiet, say, start_coach
from voice_coach.bench_room import silent_after

pytestmark = pytest.mark.room

SILENT_WITHIN_S = 0.6


def test_a_partner_saying_stop_over_the_coach_silences_it_within_600_ms(room, tmp_path):
    coach = start_coach(tmp_path, "")
    gaps = {}
    try:
        with room.listening() as ears:
            for request, stop, voice in (("coach, what are the five pillars", "stop", "en-us"),
                                         ("coach, what is emotional intimacy",
                                          "coach, stop please", ALEX)):
                say(room, coach, request)
                said = coach.wait_for("say", timeout=10)
                time.sleep(max(0.0, said.t - time.monotonic()) + 1.0)  # the coach is talking
                end = say(room, coach, stop, voice=voice)
                time.sleep(2.0)
                silent = silent_after(ears.recording(), end)
                gaps[stop] = None if silent is None else round(silent - end, 3)
                quiet(coach)
    finally:
        coach.close()
    print(f"silent this long after the end of each stop (s): {gaps}")
    assert all(gap is not None and gap <= SILENT_WITHIN_S for gap in gaps.values())
