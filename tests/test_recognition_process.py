import os
import threading
import time

import numpy as np
import pytest

from voice_coach.bench.partner_voice import speak
from voice_coach.errors import RecognizerError
from voice_coach.hearing.engines import load_recognizer
from voice_coach.hearing.pocketsphinx_engine import PocketSphinxRecognizer
from voice_coach.hearing.recognition import hear
from voice_coach.hearing.recognition_process import RecognizerProcess
from voice_coach.understanding.catalog import load_catalog


@pytest.fixture(scope="module")
def ears():
    recognizer = RecognizerProcess()
    recognizer.wait_ready()
    yield recognizer
    recognizer.close()


@pytest.fixture(scope="module")
def request_audio():
    return speak("coach breathe with us", voice="en-us", rate=150)


def test_the_child_hears_what_the_recogniser_hears_in_process(ears, request_audio):
    here = load_recognizer(load_catalog())
    assert hear(request_audio, ears).text == hear(request_audio, here).text


def test_the_child_reports_its_engine(ears):
    assert (ears.name, ears.sample_rate) == (
        "pocketsphinx en-us coach (rnnoise in steady noise)", 16000)


def test_the_child_runs_the_engine_asked_for():
    recognizer = RecognizerProcess(engine="pocketsphinx")
    try:
        assert recognizer.name == "pocketsphinx en-us coach (rnnoise in steady noise)"
    finally:
        recognizer.close()


def _longest_stall_while(work) -> float:
    """The longest a 2 ms ticker thread waited while `work` ran, in seconds."""
    gaps, done = [], threading.Event()

    def tick():
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        work()
    finally:
        done.set()
        ticker.join()
    return max(gaps)


def test_other_threads_run_while_the_child_decodes(ears):
    # in process, PocketSphinx holds the interpreter lock: the ticker stalls for the whole decode
    long_request = speak("coach, we had a long day, could you guide us through a few slow "
                         "breaths together please", voice="en-us", rate=130)
    here = PocketSphinxRecognizer(load_catalog())
    stalled_in_process = _longest_stall_while(lambda: hear(long_request, here))
    stalled_with_child = _longest_stall_while(lambda: hear(long_request, ears))
    assert stalled_with_child < min(0.1, stalled_in_process / 2)


def test_a_child_that_died_is_started_again_on_the_next_utterance(request_audio):
    recognizer = RecognizerProcess()
    try:
        recognizer.wait_ready()
        os.kill(recognizer.pid, 9)
        time.sleep(0.2)
        assert "breathe" in hear(request_audio, recognizer).text
    finally:
        recognizer.close()


def test_a_child_that_dies_while_decoding_is_one_plain_sentence(request_audio):
    long_silence_and_speech = np.concatenate([np.zeros(16000 * 20, dtype=np.int16),
                                              hear_ready(request_audio)])
    recognizer = RecognizerProcess()
    try:
        recognizer.wait_ready()
        threading.Timer(0.1, os.kill, (recognizer.pid, 9)).start()
        with pytest.raises(RecognizerError, match="stopped .* started again"):
            recognizer.transcribe(long_silence_and_speech)
        assert "breathe" in hear(request_audio, recognizer).text
    finally:
        recognizer.close()


def hear_ready(audio) -> np.ndarray:
    """Audio as the recogniser takes it: 16 kHz, 16-bit."""
    from voice_coach.audio.wav_file import resample

    return np.frombuffer(resample(audio, 16000).to_int16_bytes(), dtype=np.int16)


def test_a_recogniser_that_cannot_load_is_one_plain_sentence(tmp_path):
    recognizer = RecognizerProcess(intents=tmp_path)  # a folder with no intents
    with pytest.raises(RecognizerError) as raised:
        recognizer.wait_ready()
    assert "\n" not in str(raised.value)
    assert recognizer.pid is None


def test_the_child_opens_no_socket(ears, request_audio):
    hear(request_audio, ears)
    targets = [os.readlink(f"/proc/{ears.pid}/fd/{fd}")
               for fd in os.listdir(f"/proc/{ears.pid}/fd")]
    assert [t for t in targets if t.startswith("socket:")] == []


def test_silence_is_heard_as_nothing(ears):
    assert ears.transcribe(np.zeros(16000, dtype=np.int16)).text == ""


def test_the_pair_child_gives_its_grammar_ears_reading_before_its_final_one():
    pair = RecognizerProcess(engine="pair")
    stop = speak("coach, stop", voice="en-us", rate=150)
    firsts = []
    try:
        final = pair.transcribe(hear_pcm(stop), on_first=firsts.append)
    finally:
        pair.close()
    assert [first.engine.split()[0] for first in firsts] == ["pocketsphinx"]
    assert final.engine.endswith("+ whisper base int8")
    assert (firsts[0].text, final.text) == ("coach stop", "coach stop")


def hear_pcm(audio):
    from voice_coach.audio.types import float_to_int16
    from voice_coach.audio.wav_file import resample

    return float_to_int16(resample(audio, 16000).samples)
