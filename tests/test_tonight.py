from datetime import UTC, datetime, time, timedelta, timezone
from itertools import pairwise

import pytest

from voice_coach.coaching.history import SessionRecord
from voice_coach.coaching.tonight import (
    HARD_TALK,
    PREFERENCE,
    SHORT,
    STRESSED,
    TIRED,
    choices,
    hints_in,
    minutes_in,
    pick,
)
from voice_coach.settings import NightSettings

ZONE = timezone(timedelta(hours=-5))
EVENING = datetime(2026, 11, 26, 19, 30, tzinfo=ZONE)
LATE = datetime(2026, 11, 26, 23, 15, tzinfo=ZONE)
CALMING = {"breathing", "hug", "magic_minutes"}


def done(exercise, when, session_id=1, completed=True):
    return SessionRecord(session_id, exercise, when.astimezone(UTC),
                         when + timedelta(minutes=3), completed)


def one_sentence(text):
    return text.endswith(".") and text.count(". ") == 0 and text[0].isupper()


def test_the_same_situation_gives_the_same_pick():
    history = [done("hug", EVENING - timedelta(days=2)),
               done("breathing", EVENING - timedelta(days=1))]
    assert pick(history, EVENING, "long day") == pick(list(reversed(history)), EVENING, "long day")


@pytest.mark.parametrize("exercise", [ex for ex in PREFERENCE if ex != "gentle_start"])
def test_last_nights_ritual_is_not_offered_again(exercise):
    assert pick([done(exercise, EVENING - timedelta(days=1))], EVENING).exercise != exercise


def test_a_fortnight_of_picks_rotates_without_repeating_a_night():
    history, picks = [], []
    for day in range(14):
        now = EVENING + timedelta(days=day)
        picks.append(pick(history, now).exercise)
        history.append(done(picks[-1], now, session_id=day))
    assert all(a != b for a, b in pairwise(picks))
    assert len(set(picks)) >= 6


def test_late_at_night_something_calming():
    assert pick([], LATE).exercise in CALMING


def test_late_night_rotation_stays_calming():
    history = []
    for day in range(5):
        now = LATE + timedelta(days=day)
        history.append(done(pick(history, now).exercise, now, session_id=day))
    assert {session.exercise for session in history} <= CALMING


@pytest.mark.parametrize("clock", [time(22, 0), time(23, 30), time(1, 0)])
def test_no_hard_talk_late_unless_asked(clock):
    history = [done(ex, EVENING - timedelta(days=30)) for ex in PREFERENCE if ex != "gentle_start"]
    assert pick(history, datetime.combine(EVENING.date(), clock, ZONE)).exercise != "gentle_start"


@pytest.mark.parametrize("words", ["we had a fight", "we need to talk about a hard topic",
                                   "we keep arguing about money"])
def test_asking_for_a_hard_talk_gets_the_gentle_start_even_late(words):
    history = [done("gentle_start", LATE - timedelta(days=1))]
    assert pick(history, LATE, words).exercise == "gentle_start"


@pytest.mark.parametrize("now", [EVENING, LATE])
def test_stressed_gets_calming_or_a_stress_map(now):
    assert pick([], now, "we're so stressed").exercise in {"breathing", "stress_map"}


def test_tired_gets_something_gentle_and_short():
    history = [done("hug", EVENING - timedelta(days=1))]
    assert pick(history, EVENING, "we're so tired").exercise in CALMING - {"hug"}


def test_stressed_after_breathing_yesterday_gets_the_stress_map_in_the_evening():
    history = [done("breathing", EVENING - timedelta(days=1))]
    assert pick(history, EVENING, {STRESSED}).exercise == "stress_map"


@pytest.mark.parametrize("words", ["we only have two minutes", "just a quick one",
                                   "we've got 2 minutes before the kids wake"])
def test_two_minutes_gets_something_that_fits(words):
    assert pick([], EVENING, words).exercise in {"hug", "appreciation", "breathing"}


def test_minutes_available_is_respected_across_a_rotation():
    history = []
    for day in range(6):
        now = EVENING + timedelta(days=day)
        history.append(done(pick(history, now, minutes_available=2).exercise, now, session_id=day))
    assert all(choices()[session.exercise].minutes <= 2 for session in history)


def test_too_little_time_still_offers_the_shortest():
    assert pick([], EVENING, minutes_available=0.1).exercise == "hug"


def test_a_custom_night_start_makes_it_late_earlier():
    assert pick([], EVENING, night=NightSettings(start=time(19, 0))).exercise in CALMING


@pytest.mark.parametrize("words", ["", "we're stressed", "we had a fight", "we're tired",
                                   "we only have two minutes", "we feel distant lately"])
def test_the_reason_is_one_sentence_naming_the_exercise(words):
    suggestion = pick([done("hug", EVENING - timedelta(days=3))], EVENING, words)
    assert one_sentence(suggestion.reason)
    assert choices()[suggestion.exercise].name in suggestion.reason


def test_the_reason_mentions_the_rotation_when_it_decided():
    history = [done(ex, EVENING - timedelta(days=day + 2), session_id=day)
               for day, ex in enumerate(PREFERENCE)]
    assert "days since" in pick(history, EVENING).reason


def test_a_short_pick_says_it_is_short():
    assert "minute" in choices()[pick([], EVENING, "two minutes").exercise].duration


def test_the_choices_are_every_exercise_file_with_its_name_and_length():
    from voice_coach.coaching.exercises import load_exercises

    exercises = load_exercises()
    offered = choices(exercises)
    assert set(offered) == set(exercises)
    assert {ex: (e.name, e.minutes) for ex, e in offered.items()} == {
        ex: (exercises[ex].name, exercises[ex].minutes) for ex in offered}


@pytest.mark.parametrize("text, hints", [
    ("we're really stressed tonight", {STRESSED}),
    ("we had a fight this morning", {HARD_TALK}),
    ("we're exhausted", {TIRED}),
    ("we only have two minutes", {SHORT}),
    ("three in a row", set()),
    ("what should we do tonight", set()),
])
def test_hints_are_read_from_what_they_say(text, hints):
    assert hints_in(text) == hints


@pytest.mark.parametrize("text, minutes", [
    ("we only have two minutes", 2), ("we've got 10 min", 10), ("a couple of minutes", 2),
    ("a few minutes", 3), ("half an hour", 30), ("what now", None)])
def test_minutes_are_read_from_what_they_say(text, minutes):
    assert minutes_in(text) == minutes
