import json
from datetime import UTC, datetime, timedelta

import pytest

from voice_coach import paths
from voice_coach.cli import main
from voice_coach.coaching.history import History

EVENING = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.HOME_VARIABLE, str(tmp_path))
    return tmp_path


@pytest.fixture
def two_evenings(home):
    with History() as history:
        stress = history.start("stress_map", EVENING)
        history.add_rating(stress, "first partner: stress", 7)
        history.finish(stress, EVENING + timedelta(minutes=8, seconds=5), completed=True)
        hug = history.start("hug", EVENING + timedelta(days=1))
        history.finish(hug, EVENING + timedelta(days=1, seconds=12), completed=False)


def test_an_empty_history_gets_a_friendly_sentence_and_no_file(home, capsys):
    assert main(["history"]) == 0
    assert capsys.readouterr().out.startswith("No rituals yet.")
    assert not paths.history_path().exists()


def test_lists_most_recent_first_with_duration_status_and_ratings(two_evenings, capsys):
    main(["history"])
    hug, stress = capsys.readouterr().out.splitlines()
    assert "hug" in hug
    assert "12 s" in hug
    assert "stopped early" in hug
    assert "stress_map" in stress
    assert "8 min 05 s" in stress
    assert "completed" in stress
    assert stress.endswith("first partner: stress 7")


def test_shows_local_date_and_time(two_evenings, capsys):
    main(["history"])
    assert EVENING.astimezone().strftime("%a %d %b %Y %H:%M") in capsys.readouterr().out


def test_json_gives_one_object_per_session(two_evenings, capsys):
    main(["history", "--json"])
    hug, stress = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (hug["exercise"], hug["completed"], stress["duration_s"], stress["ratings"],
            datetime.fromisoformat(stress["started_at"])) == (
        "hug", False, 485.0, [{"label": "first partner: stress", "value": 7}], EVENING)


def test_json_of_an_empty_history_prints_nothing(home, capsys):
    assert (main(["history", "--json"]), capsys.readouterr().out) == (0, "")


def test_an_unfinished_ritual_is_shown_as_such(home, capsys):
    History().start("breathing", EVENING)
    main(["history"])
    assert "not finished" in capsys.readouterr().out


def test_a_damaged_file_is_reported_and_set_aside(home, capsys):
    paths.data_dir().mkdir(parents=True)
    paths.history_path().write_bytes(b"not a database" * 50)
    code = main(["history"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.startswith("No rituals yet.")
    assert err.startswith("voice-coach: The history file was damaged")
    assert len(list(paths.data_dir().glob("history.db.corrupt-*"))) == 1
