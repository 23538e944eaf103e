"""`voice-coach chat`: the whole dialog on text, with the real matcher, on the virtual clock."""

import io
import json
import sys
from datetime import datetime

import pytest

from voice_coach import cli
from voice_coach.coaching.answers import load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog
from voice_coach.coaching.events import as_fields
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import estimate_speech_seconds
from voice_coach.commands.chat import (
    SHOWN,
    BadTurn,
    Turn,
    converse,
    parse_turn,
    parse_turns,
)
from voice_coach.settings import Settings
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher

EXERCISES = load_exercises()
EVENING = datetime(2026, 11, 26, 20, 0)


@pytest.fixture(scope="module")
def matcher():
    return IntentMatcher(load_catalog())


@pytest.fixture
def chat(matcher):
    def run(*lines, settings=None):
        settings = settings or Settings()
        clock = VirtualClock()
        dialog = Dialog(
            EXERCISES,
            load_answers(EXERCISES),
            clock,
            estimate_speech_seconds,
            settings=settings,
            matcher=matcher,
            started_at=EVENING,
        )
        turns, problems = parse_turns(lines)
        printed = [as_fields(e) for e in converse(dialog, clock, turns) if isinstance(e, SHOWN)]
        return printed, dialog, problems

    return run


def of(events, kind, **match):
    return [
        e for e in events if e["event"] == kind and all(e.get(k) == v for k, v in match.items())
    ]


def test_breathing_by_voice_request(chat):
    events, dialog, _ = chat("coach, breathe with us")
    assert (
        of(events, "heard")[0]["intent"],
        of(events, "start"),
        len(of(events, "cue", phase="inhale")),
    ) == ("breathing", [{"t": 0.0, "event": "start", "exercise": "breathing"}], 6)
    assert events[-1] == {
        "t": events[-1]["t"],
        "event": "end",
        "exercise": "breathing",
        "completed": True,
    }


def test_the_coach_says_how_long_before_starting(chat):
    events, _, _ = chat("coach, breathe with us")
    assert of(events, "say")[0]["text"] == "Six breaths, about a minute."


def test_events_are_in_time_order(chat):
    events, _, _ = chat("coach, rose thorn bud", "@100 done", "@130 done")
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)


def test_every_event_has_the_contract_fields(chat):
    events, _, _ = chat("coach, start a hug timer", "yes")
    fields = {
        "say": {"text"},
        "cue": {"phase"},
        "heard": {"text", "intent", "slots"},
        "start": {"exercise"},
        "end": {"exercise", "completed"},
    }
    assert all({"t", "event"} | fields[e["event"]] <= e.keys() for e in events)


def test_hug_through_chat_lasts_twenty_seconds(chat):
    events, _, _ = chat("coach, start a hug timer", "yes")
    start, end = (
        of(events, "cue", phase="timer_start")[0]["t"],
        of(events, "cue", phase="timer_end")[0]["t"],
    )
    assert end - start == pytest.approx(20.0, abs=0.05)


def test_pause_and_resume_shift_the_breaths_by_the_pause(chat):
    plain, _, _ = chat("coach, breathe with us")
    paused, _, _ = chat("coach, breathe with us", "@30 pause", "@47.5 resume")
    before = [c["t"] for c in of(plain, "cue", phase="inhale") if c["t"] > 30]
    after = [c["t"] for c in of(paused, "cue", phase="inhale") if c["t"] > 30]
    assert after == pytest.approx([t + 17.5 for t in before])


def test_stop_at_a_time_ends_the_exercise(chat):
    events, dialog, _ = chat("coach, breathe with us", "@20 stop")
    assert events[-1]["event"] == "end"
    assert events[-1]["completed"] is False
    assert events[-1]["t"] == 20.0
    assert dialog.idle


@pytest.mark.parametrize(
    "sentence",
    [
        "I wish the rain would stop",
        "I couldn't stop thinking about it",
        "we should take a break from my mother",
        "next week is going to be hard",
    ],
)
def test_sharing_sentences_never_move_rose_thorn_bud(chat, sentence):
    plain, _, _ = chat("coach, rose thorn bud")
    shared, _, _ = chat("coach, rose thorn bud", f"@20 {sentence}", f"@50 {sentence}")
    assert [e for e in shared if e["event"] != "heard"] == [
        e for e in plain if e["event"] != "heard"
    ]
    assert [e["intent"] for e in of(shared, "heard")][1:] == [None, None]


def test_short_done_while_sharing_moves_on(chat):
    events, _, _ = chat("coach, rose thorn bud", "@20 done")
    assert of(events, "say", t=20.0)[0]["text"] == "Your thorn?"


def test_plain_lines_answer_when_the_coach_listens(chat):
    events, _, _ = chat("coach, let's do a stress map", "work has been a lot", "done", "seven")
    assert of(events, "say", text="Seven out of ten.")


def test_names_from_the_settings(chat):
    from voice_coach.settings import PeopleSettings

    events, _, _ = chat(
        "coach, rose thorn bud", settings=Settings(people=PeopleSettings(("Sam", "Alex")))
    )
    assert of(events, "say", text="Sam, your rose?")
    assert of(events, "say", text="Alex, your rose?")


def test_tonight_asks_then_starts_on_yes(chat):
    events, _, _ = chat("coach, what should we do tonight", "yes")
    assert of(events, "say")[0]["text"].endswith("?")
    assert len(of(events, "start")) == 1


def test_question_then_no(chat):
    events, dialog, _ = chat("coach, what are the five pillars", "no")
    assert of(events, "start") == []
    assert dialog.idle


def test_without_the_wake_word_nothing_starts(chat):
    events, _, _ = chat("breathe with us")
    assert [e["event"] for e in events] == ["heard"]


def test_bad_lines_are_reported_and_the_rest_is_used(chat):
    events, _, problems = chat("@soon stop", "coach, breathe with us")
    assert problems[0].startswith("line 1: '@soon' is not a time")
    assert of(events, "start")


@pytest.mark.parametrize(
    ("line", "turn"),
    [
        ("@12.5 stop", Turn("stop", 12.5)),
        ("yes", Turn("yes", None)),
        ("  ", None),
        ("# a note", None),
    ],
)
def test_parse_turn(line, turn):
    assert parse_turn(line) == turn


@pytest.mark.parametrize("line", ["@3", "@-1 stop", "@inf stop", "@nan stop", "@1e308 stop"])
def test_parse_turn_refuses(line):
    with pytest.raises(BadTurn):
        parse_turn(line)


def command(monkeypatch, tmp_path, capsys, stdin, *argv):
    monkeypatch.setenv("VOICE_COACH_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(["chat", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_command_prints_json_and_exits_zero_when_idle(monkeypatch, tmp_path, capsys):
    code, out, _ = command(monkeypatch, tmp_path, capsys, "coach, a hug\nyes\n", "--json")
    events = [json.loads(line) for line in out.splitlines()]
    assert (code, events[-1]["event"], events[-1]["completed"]) == (0, "end", True)


def test_command_text_output_is_readable(monkeypatch, tmp_path, capsys):
    code, out, _ = command(monkeypatch, tmp_path, capsys, "coach, breathe with us\n")
    assert code == 0
    assert "coach: Six breaths, about a minute." in out
    assert "(inhale)" in out


def test_command_exits_2_on_a_bad_line_after_the_rest(monkeypatch, tmp_path, capsys):
    code, out, err = command(monkeypatch, tmp_path, capsys, "@x hi\ncoach, a hug\n", "--json")
    assert code == 2
    assert "voice-coach: line 1:" in err
    assert '"start"' in out


def test_virtual_chat_does_not_write_the_history(monkeypatch, tmp_path, capsys):
    command(monkeypatch, tmp_path, capsys, "coach, a hug\nyes\n")
    from voice_coach.coaching.history import History

    assert History(tmp_path / "data" / "history.db").recent() == []


def test_real_clock_chat(monkeypatch, tmp_path, capsys):
    code, out, _ = command(monkeypatch, tmp_path, capsys, "coach\n", "--clock", "real", "--json")
    assert (code, [json.loads(line)["event"] for line in out.splitlines()]) == (0, ["heard", "say"])
