import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta, timezone

import pytest

from voice_coach import paths
from voice_coach.coaching.history import History, Rating

EVENING = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_records_a_session_with_its_ratings(tmp_path):
    history = History(tmp_path / "history.db")
    session = history.start("stress_map", EVENING)
    history.add_rating(session, "first partner: stress", 7)
    history.add_rating(session, "second partner: stress", 4)
    history.finish(session, EVENING + timedelta(minutes=8), completed=True)
    (record,) = history.recent()
    assert (record.exercise, record.completed, record.duration_s, record.ratings) == (
        "stress_map", True, 480.0,
        (Rating("first partner: stress", 7), Rating("second partner: stress", 4)))


def test_an_unfinished_session_has_no_end(tmp_path):
    history = History(tmp_path / "history.db")
    history.start("hug", EVENING)
    (record,) = history.recent()
    assert (record.ended_at, record.completed, record.duration_s) == (None, False, None)


def test_recent_is_most_recent_first_and_limited(tmp_path):
    history = History(tmp_path / "history.db")
    for day, exercise in enumerate(["hug", "breathing", "appreciation"]):
        history.start(exercise, EVENING + timedelta(days=day))
    assert [r.exercise for r in history.recent(limit=2)] == ["appreciation", "breathing"]


def test_recent_orders_by_instant_not_local_clock_text(tmp_path):
    history = History(tmp_path / "history.db")
    history.start("hug", EVENING)
    five_hours_behind = timezone(timedelta(hours=-5))  # its clock text sorts before EVENING's
    history.start("breathing", (EVENING + timedelta(minutes=1)).astimezone(five_hours_behind))
    assert [r.exercise for r in history.recent()] == ["breathing", "hug"]


def test_times_come_back_as_the_same_instant(tmp_path):
    history = History(tmp_path / "history.db")
    local = EVENING.astimezone(timezone(timedelta(hours=-5)))
    history.start("hug", local)
    assert history.recent()[0].started_at == local


def test_data_survives_reopening(tmp_path):
    with History(tmp_path / "history.db") as history:
        history.start("breathing", EVENING)
    assert [r.exercise for r in History(tmp_path / "history.db").recent()] == ["breathing"]


def test_default_path_is_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.HOME_VARIABLE, str(tmp_path))
    assert History().path == tmp_path / "data" / "history.db"


def test_file_is_private_even_with_an_open_umask(tmp_path):
    old = os.umask(0)
    try:
        history = History(tmp_path / "data" / "history.db")
        history.finish(history.start("hug", EVENING), EVENING, True)
    finally:
        os.umask(old)
    assert (mode(tmp_path / "data" / "history.db"), mode(tmp_path / "data")) == (0o600, 0o700)


def test_a_readable_existing_file_is_made_private(tmp_path):
    path = tmp_path / "history.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    History(path)
    assert mode(path) == 0o600


def test_stores_only_the_promised_columns(tmp_path):
    History(tmp_path / "history.db").start("hug", EVENING)
    db = sqlite3.connect(tmp_path / "history.db")
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    columns = {t: [c[1] for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    assert columns == {"sessions": ["id", "exercise", "started_at", "ended_at", "completed"],
                       "ratings": ["session_id", "label", "value"]}


@pytest.mark.parametrize("value", [0, 11, 7.5, True, "7"])
def test_rejects_a_rating_outside_one_to_ten(tmp_path, value):
    history = History(tmp_path / "history.db")
    with pytest.raises(ValueError):
        history.add_rating(history.start("stress_map", EVENING), "stress", value)


def test_rejects_a_label_long_enough_to_hold_what_was_said(tmp_path):
    history = History(tmp_path / "history.db")
    with pytest.raises(ValueError):
        history.add_rating(history.start("stress_map", EVENING), "my boss keeps " * 5, 8)


def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path):
    path = tmp_path / "history.db"
    path.write_bytes(b"this is not sqlite" * 100)
    history = History(path)
    history.start("hug", EVENING)
    (moved,) = tmp_path.glob("history.db.corrupt-*")
    assert (moved.read_bytes()[:18], len(history.recent()), history.in_memory) == (
        b"this is not sqlite", 1, False)


def test_a_damaged_page_is_found_and_reported_once(tmp_path):
    path = tmp_path / "history.db"
    with History(path) as history:
        for day in range(200):
            history.start("breathing", EVENING + timedelta(days=day))
    damaged = bytearray(path.read_bytes())
    damaged[4096 + 8: 4096 + 400] = b"\xff" * 392
    path.write_bytes(bytes(damaged))
    warnings = []
    history = History(path, on_warning=warnings.append)
    assert (len(warnings), "moved to history.db.corrupt-" in warnings[0], history.recent()) == (
        1, True, [])


def test_an_unusable_folder_falls_back_to_memory(tmp_path):
    (tmp_path / "blocked").write_text("a file where the folder should be")
    history = History(tmp_path / "blocked" / "history.db")
    history.finish(history.start("hug", EVENING), EVENING + timedelta(seconds=20), True)
    record = history.recent()[0]
    assert (history.in_memory, len(history.warnings), record.completed) == (True, 1, True)


def test_a_full_disk_mid_session_warns_once_and_keeps_the_session(tmp_path):
    warnings = []
    history = History(tmp_path / "history.db", on_warning=warnings.append)
    session = history.start("stress_map", EVENING)
    # SQLite's own page limit produces the real "database or disk is full" error.
    (pages,) = history._db.execute("PRAGMA page_count").fetchone()
    history._db.execute(f"PRAGMA max_page_count = {pages}")
    for minute in range(1, 200):
        history.start("hug", EVENING + timedelta(minutes=minute))
    history.add_rating(session, "first partner: stress", 6)
    history.finish(session, EVENING + timedelta(hours=4), completed=True)
    record = history.recent()[-1]
    assert (len(warnings), "disk is full" in warnings[0], history.in_memory,
            record.completed, record.ratings) == (
        1, True, True, True, (Rating("first partner: stress", 6),))


def test_a_mistake_in_the_calling_code_still_raises(tmp_path):
    history = History(tmp_path / "history.db")
    history.close()
    with pytest.raises(sqlite3.ProgrammingError):
        history.start("hug", EVENING)
