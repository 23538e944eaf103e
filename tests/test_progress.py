from datetime import UTC, datetime, timedelta, timezone

import pytest

from voice_coach.coaching.history import SessionRecord
from voice_coach.coaching.progress import ritual_day, summary

ZONE = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 21, 0, tzinfo=ZONE)
GUILT = ("only", "missed", "should", "failed", "behind", "broke", "lost")


def ritual(days_ago, completed=True, hour=21):
    start = (NOW - timedelta(days=days_ago)).replace(hour=hour)
    return SessionRecord(days_ago, "hug", start.astimezone(UTC), start + timedelta(seconds=30),
                         completed)


def sentences(text):
    return text.count(". ") + 1


def test_no_history_is_a_friendly_start():
    progress = summary([], NOW)
    assert progress.rituals_this_week == 0
    assert progress.streak_days == 0
    assert "two to four weeks" in progress.message


def test_counts_completed_rituals_of_the_last_seven_days():
    sessions = [ritual(0), ritual(2), ritual(6), ritual(7), ritual(1, completed=False)]
    assert summary(sessions, NOW).rituals_this_week == 3


def test_streak_counts_days_in_a_row_up_to_today():
    assert summary([ritual(0), ritual(1), ritual(1), ritual(2), ritual(4)], NOW).streak_days == 3


def test_a_streak_is_still_alive_before_tonights_ritual():
    assert summary([ritual(1), ritual(2)], NOW).streak_days == 2


def test_a_ritual_after_midnight_belongs_to_the_evening_before():
    after_midnight = ritual(0, hour=0)
    assert (ritual_day(after_midnight.started_at, NOW),
            summary([after_midnight, ritual(1)], NOW).streak_days) == (
        (NOW - timedelta(days=1)).date(), 1)


def test_weeks_in_a_row_reaches_back_while_each_week_has_a_ritual():
    assert summary([ritual(0), ritual(9), ritual(15), ritual(30)], NOW).weeks_in_a_row == 3


def test_three_weeks_in_speaks_of_the_two_to_four_week_shift():
    message = summary([ritual(day) for day in range(0, 21, 2)], NOW).message
    assert "3 weeks in a row" in message
    assert "two to four weeks" in message


def test_two_months_in_speaks_of_deeper_change():
    assert "two to three months" in summary([ritual(day) for day in range(0, 60, 3)], NOW).message


def test_one_ritual_is_singular():
    assert "1 ritual this week" in summary([ritual(3)], NOW).message


@pytest.mark.parametrize("sessions", [
    [], [ritual(10)], [ritual(3)], [ritual(d) for d in range(5)],
    [ritual(d) for d in range(0, 100, 2)]])
def test_messages_are_short_and_never_guilt_inducing(sessions):
    message = summary(sessions, NOW).message
    guilty = [word for word in GUILT if word in message.lower().split()]
    assert sentences(message) <= 2
    assert guilty == []


def test_a_quiet_week_is_met_kindly():
    assert summary([ritual(12)], NOW).message.startswith("It's been a quiet week, and that's okay")
