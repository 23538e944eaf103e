"""Whisper base, for real: the installed model on espeak-ng speech, alone and paired with
PocketSphinx."""

import subprocess
import sys

import numpy as np
import pytest

from voice_coach.audio.types import Audio
from voice_coach.bench.partner_voice import mix, speak
from voice_coach.hearing.engines import load_recognizer
from voice_coach.hearing.paired_engine import PairedRecognizer
from voice_coach.hearing.recognition import hear
from voice_coach.hearing.whisper_engine import WhisperRecognizer, echoes_prompt, plain_words
from voice_coach.hearing.whisper_model import prepared_model
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def free_ear():
    return WhisperRecognizer(prepared_model())


@pytest.fixture(scope="module")
def both_ears(catalog):
    return load_recognizer(catalog, engine="pair")


def test_whisper_hears_a_paraphrase_word_for_word(free_ear):
    heard = hear(speak("i had a really long day at work today", voice="en-gb", rate=150),
                 free_ear)
    assert heard.text.endswith("a really long day at work today")


def test_whisper_hears_the_coach_s_words_in_fan_noise(free_ear, catalog):
    speech = speak("coach a twenty second hug", voice="en-us+m3", rate=150)
    heard = hear(mix(speech, "fan", 10.0, seed=1), free_ear)
    assert IntentMatcher(catalog).match(heard.text).intent == "hug"


def test_whisper_hears_silence_as_nothing(free_ear):
    assert hear(Audio(np.zeros(16000, dtype=np.float32), 16000), free_ear).text == ""


def test_whisper_readings_are_unconfirmed(free_ear):
    assert not hear(speak("rose thorn bud"), free_ear).confirmed


def test_whisper_names_itself(free_ear):
    assert hear(speak("stop"), free_ear).engine == "whisper base int8"


def test_the_pair_engine_is_both_ears(both_ears):
    assert isinstance(both_ears, PairedRecognizer)


@pytest.mark.parametrize("said,intent", [("coach a twenty second hug", "hug"),
                                         ("what's tonight's exercise", "tonight"),
                                         ("rose thorn bud", "rose_thorn_bud")])
def test_both_ears_understand_a_command(both_ears, catalog, said, intent):
    heard = hear(speak(said, voice="en-us+f3", rate=150), both_ears)
    assert IntentMatcher(catalog).match(heard.text, confirmed=heard.confirmed).intent == intent


def test_both_ears_leave_an_everyday_sentence_alone(both_ears, catalog):
    heard = hear(speak("my mother called about the weekend", voice="en-gb", rate=150), both_ears)
    assert IntentMatcher(catalog).match(heard.text, confirmed=heard.confirmed).intent is None


def test_both_ears_pass_everyday_words_on(both_ears):
    heard = hear(speak("my mother called about the weekend", voice="en-gb", rate=150), both_ears)
    assert "mother" in heard.text


def test_punctuation_and_case_become_the_coach_s_words():
    assert plain_words(" Coach, a 20-second hug.") == "coach a 20 second hug"


def test_a_sentence_said_twice_by_repetition_is_kept_once():
    assert plain_words("What tonight's exercise? What tonight's exercise?") == \
        "what tonight's exercise"


def test_a_reading_that_repeats_the_prompt_is_known_for_an_echo():
    assert echoes_prompt("coach hug rose thorn bud sentence stems")
    assert echoes_prompt("stress map magic minutes")


@pytest.mark.parametrize("request_text", ["coach rose thorn bud", "coach a twenty second hug",
                                          "coach hug", "let's do the sentence stems",
                                          "five magic minutes", "a hug please"])
def test_a_request_with_one_of_the_prompts_words_is_no_echo(request_text):
    assert not echoes_prompt(request_text)


def test_whisper_loads_without_faster_whispers_downloader_or_media_decoder():
    script = ("import sys\nfrom voice_coach.hearing.whisper_engine import WhisperRecognizer\n"
              "from voice_coach.hearing.whisper_model import prepared_model\n"
              "WhisperRecognizer(prepared_model()).warm_up()\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'huggingface_hub', 'requests', 'av', 'onnxruntime', 'faster_whisper'}))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True).stdout.strip()
    assert loaded == "['faster_whisper']"
