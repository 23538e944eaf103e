"""VOICE_COACH_LOG: the coach's reasoning on stderr for a maintainer, off unless asked for."""

import logging

from voice_coach import cli


def test_debug_log_turns_on_the_coachs_own_loggers_only(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("VOICE_COACH_HOME", str(tmp_path))
    monkeypatch.setenv("VOICE_COACH_LOG", "debug")
    coach_logger = logging.getLogger("voice_coach")
    monkeypatch.setattr(coach_logger, "level", logging.NOTSET)  # both put back after the test
    monkeypatch.setattr(coach_logger, "handlers", [])
    assert cli.main(["plan", "hug"]) == 0
    assert logging.getLogger("voice_coach.assistant").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("faster_whisper").isEnabledFor(logging.DEBUG)


def test_a_wrong_log_level_is_named_and_the_command_still_runs(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("VOICE_COACH_HOME", str(tmp_path))
    monkeypatch.setenv("VOICE_COACH_LOG", "loud")
    code = cli.main(["plan", "hug"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.strip() == ("voice-coach: VOICE_COACH_LOG=loud is not a log level: use debug, "
                           "info, warning or error (warnings only, meanwhile).")
