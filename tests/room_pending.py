"""PARKED, NOT RUN (pytest does not collect this file): a room test that still fails, with what was
measured, so the next session starts from the exact behaviour wanted. Move it into
tests/test_room_sessions.py once it passes several runs in a row.

A partner's "coach, stop please" over the coach's own voice. Measured on 2026-11-26 (session 2)
with the recogniser in its own process and urgent controls acted on as soon as they settle: when
"stop" is heard the room is silent 0.03-0.46 s after it ends (bound 0.6 s; 7 of 7 heard), but
over the coach's voice it is misheard about half the time ("coach i the does", "help please",
"both"), so two trials in a row pass about one run in three. Earlier the same test failed for
another reason, now fixed: PocketSphinx held the interpreter lock while decoding and broke up the
coach's own voice."""

import time

import pytest

from room_talk import ALEX, quiet, say, start_coach
from voice_coach.bench_room import silent_after

pytestmark = pytest.mark.room


def test_a_partner_saying_stop_over_the_coach_silences_it_within_600_ms(room, tmp_path):
    coach = start_coach(tmp_path, "")
    gaps = []
    try:
        with room.listening() as ears:
            for request in ("coach, what are the five pillars",) * 2:
                say(room, coach, request)
                said = coach.wait_for("say", timeout=10)
                time.sleep(max(0.0, said.t - time.monotonic()) + 1.0)
                end = say(room, coach, "coach, stop please", voice=ALEX)
                coach.wait_for("heard", timeout=5, after=end - 0.5)
                time.sleep(2.0)
                silent = silent_after(ears.recording(), end)
                gaps.append(None if silent is None else silent - end)
                quiet(coach)
    finally:
        coach.close()
    print(f"silent after the end of 'stop': {gaps}")
    assert all(gap is not None and gap <= 0.6 for gap in gaps)


