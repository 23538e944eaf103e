"""RNNoise in front of PocketSphinx: real noise, the real library, decided from the audio."""

import numpy as np
import pytest

from voice_coach.audio.denoise import SteadyNoiseDenoiser, denoised, steady_noise
from voice_coach.audio.wav_file import resample
from voice_coach.bench.partner_voice import mix, speak
from voice_coach.hearing.pocketsphinx_engine import PocketSphinxRecognizer
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher


def pcm(audio) -> np.ndarray:
    return np.frombuffer(resample(audio, 16000).to_int16_bytes(), dtype=np.int16)


@pytest.fixture(scope="module")
def request_audio():
    return speak("coach rose thorn bud", voice="en-us+m3", rate=150)


def test_hiss_is_denoised(request_audio):
    assert steady_noise(pcm(mix(request_audio, "pink", 10.0, seed=3)))


@pytest.mark.parametrize("kind", ["babble", "fan"])
def test_babble_and_fan_rumble_are_heard_raw(request_audio, kind):
    assert not steady_noise(pcm(mix(request_audio, kind, 10.0, seed=3)))


def test_a_quiet_room_needs_no_denoising(request_audio):
    assert not steady_noise(pcm(request_audio))


def test_rnnoise_takes_most_of_the_hiss_out_of_a_pause(request_audio):
    noisy = pcm(mix(request_audio, "pink", 10.0, seed=3))
    lead_in = slice(0, 3200)  # the 0.3 s before the speech: noise only
    before = np.mean(noisy[lead_in].astype(float) ** 2)
    after = np.mean(denoised(noisy)[lead_in].astype(float) ** 2)
    assert 10 * np.log10(before / after) > 10


def test_denoised_audio_keeps_its_length(request_audio):
    noisy = pcm(mix(request_audio, "fan", 10.0, seed=3))
    assert len(denoised(noisy)) == len(noisy)


def test_pocketsphinx_hears_a_command_through_hiss_once_denoised(request_audio):
    catalog = load_catalog()
    ears = SteadyNoiseDenoiser(PocketSphinxRecognizer(catalog))
    heard = ears.transcribe(pcm(mix(request_audio, "pink", 5.0, seed=3)))
    assert IntentMatcher(catalog).match(heard.text, confirmed=heard.confirmed).intent == \
        "rose_thorn_bud"
