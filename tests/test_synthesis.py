import time

import numpy as np
import pytest

from voice_coach.errors import SynthesisError
from voice_coach.voice.synthesis import Synthesizer


@pytest.fixture(scope="module")
def synthesizer():
    synth = Synthesizer()
    yield synth
    synth.close()


def test_render_gives_audible_mono_float_audio(synthesizer):
    audio = synthesizer.render("Breathe in slowly.")
    assert audio.samples.dtype == np.float32
    assert np.max(np.abs(audio.samples)) > 0.1


def test_longer_text_takes_longer(synthesizer):
    assert (
        synthesizer.duration("Hold.")
        < synthesizer.duration("Hold your partner until you both exhale.")
    )


def test_slower_rate_takes_longer(synthesizer):
    assert synthesizer.duration("Six slow breaths.", rate_wpm=120) > \
        synthesizer.duration("Six slow breaths.", rate_wpm=200)


def test_volume_scales_the_samples(synthesizer):
    loud, soft = synthesizer.render("Good night."), synthesizer.render("Good night.", volume=0.5)
    assert np.allclose(soft.samples, loud.samples * 0.5)


def test_repeat_comes_from_the_cache(synthesizer):
    first = synthesizer.render("Time for your rose.")
    assert synthesizer.render("Time for your rose.") is first


def test_cached_repeat_is_fast(synthesizer):
    synthesizer.render("Your thorn, please.")
    began = time.perf_counter()
    synthesizer.render("Your thorn, please.")
    assert time.perf_counter() - began < 0.005


def test_whitespace_differences_share_a_cache_entry(synthesizer):
    assert synthesizer.render("And  your bud.") is synthesizer.render("And your bud. ")


def test_cache_forgets_the_oldest_phrase():
    synth = Synthesizer(cache_size=2)
    first = synth.render("One.")
    synth.render("Two.")
    synth.render("Three.")
    assert synth.render("One.") is not first


def test_no_temporary_audio_left_on_disk(synthesizer, tmp_path):
    synthesizer.render("Nothing is kept.")
    assert list(__import__("pathlib").Path(synthesizer._folder).iterdir()) == []


def test_empty_text_is_a_plain_error(synthesizer):
    with pytest.raises(SynthesisError, match="nothing to say"):
        synthesizer.render("   ")


def test_unknown_voice_is_a_plain_error():
    with pytest.raises(SynthesisError, match="no voice called"):
        Synthesizer(voice="klingon-opera").render("Hello.")


def test_a_bad_voice_does_not_spoil_the_next_phrase():
    synth = Synthesizer(voice="klingon-opera")
    with pytest.raises(SynthesisError):
        synth.render("Hello.")
    synth.voice = None
    assert synth.render("Hello again.").seconds > 0.3


def test_chosen_voice_sounds_different(synthesizer):
    other = Synthesizer(voice="en-us+f3")
    assert not np.array_equal(other.render("Hello there.").samples,
                              synthesizer.render("Hello there.").samples)


def test_voices_are_listed(synthesizer):
    assert any(voice.id for voice in synthesizer.voices())


def test_nothing_printed_on_stdout(synthesizer, capsys):
    synthesizer.render("Quietly now.")
    assert capsys.readouterr().out == ""


def test_the_cache_holds_a_bounded_amount_of_audio():
    synthesizer = Synthesizer(cache_seconds=1.5)
    synthesizer.render("Breathe in slowly through your nose.")
    synthesizer.render("And out, a little longer than in.")
    synthesizer.last_render_s = None
    synthesizer.render("Breathe in slowly through your nose.")
    assert synthesizer.last_render_s is not None  # it had to be rendered again


def test_the_system_voice_plans_with_exact_durations(synthesizer):
    assert synthesizer.planned_seconds("Rest your hands. Breathe out.", 150) == \
        synthesizer.render("Rest your hands. Breathe out.", 150).seconds
