import json

import pytest

from voice_coach.bench.partner_voice import speak_to_file
from voice_coach.cli import main


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.delenv("VOICE_COACH_MODEL", raising=False)
    monkeypatch.setattr("voice_coach.hearing.model_store.cache_dirs", lambda: [])
    monkeypatch.setattr("voice_coach.hearing.model_store.MODELS_DIR", tmp_path / "no-models")
    good = speak_to_file("coach breathe with us", tmp_path / "good.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio at all")
    return str(good), str(bad)


def test_bad_file_is_named_and_the_batch_goes_on(files, capsys):
    good, bad = files
    status = main(["transcribe", "--open", bad, good])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.count("\n") == 1
    assert out.startswith(f"{good}: ")
    assert "bad.wav is not a readable WAV file" in err


def test_json_line_per_file(files, capsys):
    good, _ = files
    main(["transcribe", "--json", good])
    line = json.loads(capsys.readouterr().out)
    assert line["file"] == good
    assert "breathe" in line["text"]
    assert line["engine"].startswith("pocketsphinx")
