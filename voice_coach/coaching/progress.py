"""How the couple is doing, from the history, in the light of the article: most couples feel a shift
within two to four weeks of consistent micro-rituals, and deeper change over two to three months.
The message encourages and never scolds: a quiet week is a reason for one small ritual, not
guilt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .history import SessionRecord

# A ritual at half past midnight belongs to the evening before.
DAY_STARTS_AFTER = timedelta(hours=4)


@dataclass(frozen=True)
class Progress:
    rituals_this_week: int
    """Completed rituals in the last seven days, today included."""
    streak_days: int
    """Days in a row with a completed ritual, up to today (or yesterday, before tonight's)."""
    weeks_in_a_row: int
    """Seven-day stretches in a row, up to today, each with at least one completed ritual."""
    message: str
    """One or two sentences to say aloud."""


def ritual_day(moment: datetime, now: datetime) -> date:
    """The evening a moment belongs to, on the clock of `now` (naive means local time)."""
    zone = now.astimezone().tzinfo if now.tzinfo is None else now.tzinfo
    return (moment.astimezone(zone) - DAY_STARTS_AFTER).date()


def summary(sessions: Iterable[SessionRecord], now: datetime) -> Progress:
    """Sessions in any order; only completed ones count."""
    today = ritual_day(now, now)
    completed_days = [ritual_day(s.started_at, now) for s in sessions if s.completed]
    days = set(completed_days)
    this_week = sum(1 for day in completed_days if 0 <= (today - day).days < 7)
    streak = _streak(days, today)
    weeks = _weeks_in_a_row(days, today)
    return Progress(this_week, streak, weeks, _message(bool(days), this_week, streak, weeks))


def _streak(days: set[date], today: date) -> int:
    # Tonight's ritual may still come, so a streak up to yesterday is still alive.
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def _weeks_in_a_row(days: set[date], today: date) -> int:
    weeks = 0
    while any(0 <= (today - day).days - 7 * weeks < 7 for day in days):
        weeks += 1
    return weeks


def _message(ever: bool, this_week: int, streak: int, weeks: int) -> str:
    if not ever:
        return ("No rituals yet, and that's fine: one small one tonight is a good start. "
                "Most couples feel a shift within two to four weeks of small, regular rituals.")
    if this_week == 0:
        return ("It's been a quiet week, and that's okay: one small ritual tonight picks the "
                "thread right back up.")
    done = f"You've done {this_week} {'ritual' if this_week == 1 else 'rituals'} this week"
    if streak >= 2:
        done += f", and you're on a {streak}-day streak"
    if weeks == 1:
        return (f"{done}. Keep them small and regular: most couples feel a shift within two to "
                f"four weeks.")
    if weeks <= 4:
        return (f"{done}. That's {weeks} weeks in a row, right in the two to four weeks "
                f"when most couples start to feel a shift.")
    if weeks <= 12:
        return (f"{done}. That's {weeks} weeks in a row; deeper change grows over two to three "
                f"months of this, so keep going.")
    return (f"{done}. That's {weeks} weeks in a row: months of showing up for each other, "
            f"which is where deeper change grows.")
