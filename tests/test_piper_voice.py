"""The Piper voice, really loaded and really rendering (en_US-joe-medium from its package)."""

import shutil
import time

import numpy as np
import pytest

from voice_coach.errors import SynthesisError
from voice_coach.settings import VoiceChoice
from voice_coach.voice.piper_voice import PiperSynthesizer, length_scale, model_files
from voice_coach.voice.synthesis import Synthesizer
from voice_coach.voice.voice_choice import default_choice, open_voice


@pytest.fixture(scope="module")
def piper():
    return PiperSynthesizer()


def test_renders_audible_float_audio_at_the_voice_rate(piper):
    audio = piper.render("Breathe in slowly.")
    assert audio.rate == 22050
    assert audio.samples.dtype == np.float32
    assert 0.5 < audio.seconds < 3.0
    assert np.max(np.abs(audio.samples)) > 0.5


def test_a_reply_sounds_within_twenty_milliseconds_of_its_start(piper):
    # Piper's own rendering opens with 40-50 ms of near silence, which a reply's first sound
    # waited for
    for text in ("Louder.", "About 3 minutes left.", "Paused."):
        audio = piper.render(text)
        first = int(np.flatnonzero(np.abs(audio.samples) > 0.01)[0])
        assert first / audio.rate < 0.02


def test_a_slower_rate_takes_longer(piper):
    assert piper.duration("Six slow breaths, about a minute.", rate_wpm=110) > \
        1.2 * piper.duration("Six slow breaths, about a minute.", rate_wpm=190)


def test_night_rate_means_longer_phonemes():
    assert length_scale(150 * 0.85) > length_scale(150) > length_scale(200)


def test_volume_scales_the_samples(piper):
    loud, soft = piper.render("Good night."), piper.render("Good night.", volume=0.6)
    assert np.allclose(soft.samples, loud.samples * 0.6)


def test_a_repeat_comes_from_the_cache_at_once(piper):
    first = piper.render("Time for your rose.")
    began = time.perf_counter()
    again = piper.render("Time for your rose.")
    assert again is first
    assert time.perf_counter() - began < 0.005


def test_sentences_played_one_after_another_are_the_whole_text(piper):
    text = "Settle in. Now breathe with me."
    pieces = list(piper.render_sentences(text))
    assert len(pieces) == 2
    assert np.array_equal(np.concatenate([p.samples for p in pieces]), piper.render(text).samples)


def test_a_duration_is_exact_once_rendered_and_errs_long_before(piper):
    text = "Hold each other for twenty seconds."
    guess = piper.planned_seconds(text, 150)
    exact = piper.duration(text, 150)
    assert piper.planned_seconds(text, 150) == exact
    assert guess > exact


def test_nothing_is_written_to_disk(piper, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    piper.render("Nothing of what is said is kept.")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_model_is_one_plain_sentence(tmp_path):
    with pytest.raises(SynthesisError, match="is missing: reinstall"):
        PiperSynthesizer(model=tmp_path / "none.onnx")


def test_a_model_with_another_checksum_is_refused(tmp_path):
    model, config = model_files()
    copy = tmp_path / "voice.onnx"
    copy.write_bytes(model.read_bytes()[:-1] + b"\0")
    shutil.copy(config, tmp_path / "voice.onnx.json")
    with pytest.raises(SynthesisError, match="SHA-256 differs"):
        PiperSynthesizer(model=copy)


def test_without_piper_the_system_voice_speaks_and_says_why(tmp_path):
    chosen = open_voice(VoiceChoice.PIPER, model=tmp_path / "none.onnx")
    assert isinstance(chosen.synthesizer, Synthesizer)
    assert chosen.fallback.endswith("Speaking with the system voice meanwhile.")
    assert chosen.synthesizer.render("Still here.").seconds > 0.3


def test_the_system_voice_when_asked(tmp_path):
    assert isinstance(open_voice(VoiceChoice.SYSTEM).synthesizer, Synthesizer)


def test_piper_is_the_default_on_linux_only():
    assert (default_choice("linux"), default_choice("darwin"), default_choice("win32")) == (
        VoiceChoice.PIPER, VoiceChoice.SYSTEM, VoiceChoice.SYSTEM)


def test_piper_is_what_speaks_here_by_default():
    assert open_voice().synthesizer.name == "Piper (en_US-joe-medium)"
