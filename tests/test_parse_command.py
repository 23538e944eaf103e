import io
import json

import pytest

from voice_coach.bench.partner_voice import speak_to_file
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


@pytest.fixture(scope="module")
def wav_batch(tmp_path_factory):
    """Two spoken requests around a file that is not a WAV, parsed in one run."""
    folder = tmp_path_factory.mktemp("wav")
    hug = speak_to_file("coach, start a hug timer", folder / "hug.wav")
    broken = folder / "broken.wav"
    broken.write_bytes(b"this is not a wav file")
    breathe = speak_to_file("breathe with us", folder / "breathe.wav")
    return [str(hug), str(broken), str(breathe)]


def test_parse_wav_reports_a_broken_file_and_goes_on(wav_batch, capsys):
    code = main(["parse", "--json", *[arg for path in wav_batch for arg in ("--wav", path)]])
    out, err = capsys.readouterr()
    assert (code, [json.loads(line)["input"] for line in out.splitlines()]) == (
        2, [wav_batch[0], wav_batch[2]])
    assert len([line for line in err.splitlines() if "broken.wav" in line]) == 1


def test_parse_wav_gives_the_contract_keys_with_the_transcript_as_text(wav_batch, capsys):
    main(["parse", "--json", "--wav", wav_batch[0]])
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"input", "text", "intent", "score", "slots"}
    assert isinstance(result["text"], str)
