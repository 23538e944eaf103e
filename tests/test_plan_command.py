import json

import pytest

from voice_coach import cli
from voice_coach.coaching.exercises import EXERCISE_IDS


def plan(monkeypatch, tmp_path, capsys, *argv):
    monkeypatch.setenv("VOICE_COACH_HOME", str(tmp_path))
    code = cli.main(["plan", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", EXERCISE_IDS)
def test_plan_json_runs_start_to_end(monkeypatch, tmp_path, capsys, name):
    code, out, _ = plan(monkeypatch, tmp_path, capsys, name, "--json")
    events = [json.loads(line) for line in out.splitlines()]
    assert (code, events[0]["event"], events[-1]) == (
        0,
        "start",
        {"t": events[-1]["t"], "event": "end", "exercise": name, "completed": True},
    )


def test_plan_shows_the_hug_timer(monkeypatch, tmp_path, capsys):
    _, out, _ = plan(monkeypatch, tmp_path, capsys, "hug", "--json")
    cues = {e["phase"]: e["t"] for e in map(json.loads, out.splitlines()) if e["event"] == "cue"}
    assert cues["timer_end"] - cues["timer_start"] == pytest.approx(20.0)


def test_plan_text_is_a_readable_timeline(monkeypatch, tmp_path, capsys):
    code, out, _ = plan(monkeypatch, tmp_path, capsys, "breathing")
    assert code == 0
    assert out.count("cue     inhale") == 6
    assert out.splitlines()[0].startswith(" 0:00.0")


def test_plan_uses_partner_names_from_the_settings(monkeypatch, tmp_path, capsys):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text(
        '[people]\npartner_names = ["Sam", "Alex"]\n'
    )
    _, out, _ = plan(monkeypatch, tmp_path, capsys, "rose_thorn_bud")
    assert "Sam, your rose?" in out


def test_unknown_exercise_lists_the_ids(monkeypatch, tmp_path, capsys):
    code, out, err = plan(monkeypatch, tmp_path, capsys, "yoga")
    assert (code, out) == (2, "")
    assert all(name in err for name in EXERCISE_IDS)
