import io
import json

from voice_coach.cli import main


def test_parse_prints_one_readable_line_per_text(capsys):
    assert main(["parse", "coach, breathe with us", "pass the salt"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert (first, second[:36]) == ("coach, breathe with us -> breathing (100)",
                                    "pass the salt -> (not for the coach)")


def test_parse_json_has_the_contract_keys(capsys):
    main(["parse", "--json", "what's a bid for connection"])
    assert json.loads(capsys.readouterr().out) == {
        "input": "what's a bid for connection", "text": "what's a bid for connection",
        "intent": "define", "score": 100.0, "slots": {"term": "bid_for_connection"}}


def test_parse_json_gives_null_for_requests_not_for_the_coach(capsys):
    main(["parse", "--json", "what's the weather"])
    assert json.loads(capsys.readouterr().out)["intent"] is None


def test_parse_keeps_the_order_of_inputs(capsys):
    main(["parse", "--json", "pause", "seven", "hug timer"])
    assert [json.loads(line)["intent"] for line in capsys.readouterr().out.splitlines()] == [
        "pause", "number", "hug"]


def test_parse_reads_one_utterance_per_line_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("stop\n\nsay that again\n"))
    main(["parse", "--json"])
    assert [json.loads(line)["input"] for line in capsys.readouterr().out.splitlines()] == [
        "stop", "say that again"]


def test_parse_plain_output_shows_slots(capsys):
    main(["parse", "I'd say a six"])
    assert capsys.readouterr().out.startswith("I'd say a six -> number value=6 (")
