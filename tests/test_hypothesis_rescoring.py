import pytest

from voice_coach.bench.partner_voice import mix, speak
from voice_coach.coaching.session import CONTROLS
from voice_coach.hearing.pocketsphinx_engine import PocketSphinxRecognizer
from voice_coach.hearing.recognition import hear
from voice_coach.hearing.rescoring import (
    NearestSentences,
    Segment,
    Sounds,
    filler_share,
    grammar,
    speech_frames,
    verified,
    word_tree,
)
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentMatcher

SENTENCES = ["stop", "stop that", "pause", "start a hug timer", "what is a repair"]
PHONES = {"stop": "S T AA P", "topic": "T AA P IH K", "that": "DH AE T", "pause": "P AO Z",
          "close": "K L OW S", "two": "T UW", "too": "T UW"}
SOUNDS = Sounds(PHONES.get)


def test_words_that_sound_alike_are_alike():
    assert SOUNDS("two") == SOUNDS("too")


def test_sounds_leave_out_the_wake_word():
    assert SOUNDS("coach pause") == SOUNDS("pause")


def test_words_without_pronunciation_keep_their_letters():
    assert SOUNDS("hug") == "hug"


def test_nearest_sentences_are_found_by_sound_nearest_first():
    assert NearestSentences(SENTENCES, SOUNDS, count=2)(["topic"])[0] == "stop"


def test_nearest_sentences_draw_on_every_reading():
    assert set(NearestSentences(SENTENCES, SOUNDS, count=2)(["stop", "what is a repair"])) == {
        "stop", "what is a repair"}


def test_grammar_offers_each_sentence_with_an_optional_wake_word():
    assert "public <said> = [coach] ( ( stop ) | ( pause ) );" in grammar(["stop", "pause"])


FREE = [Segment("<s>", 0, 9), Segment("stop", 10, 39), Segment("that", 40, 59),
        Segment("</s>", 60, 70)]


def _paths(final, transitions, state=0):
    """Every word sequence the grammar accepts from `state`."""
    if state == final:
        return {()}
    return {((t[3],) if len(t) == 4 else ()) + rest for t in transitions if t[0] == state
            for rest in _paths(final, transitions, t[1])}


def test_word_tree_accepts_each_sentence_with_and_without_the_wake_word():
    final, transitions = word_tree(["stop", "stop that", "pause"])
    assert {" ".join(p) for p in _paths(final, transitions)} == {
        "stop", "stop that", "pause", "coach stop", "coach stop that", "coach pause"}


def test_word_tree_shares_prefixes():
    _, transitions = word_tree(["stop that", "stop it"])
    assert sum(1 for t in transitions if t[-1] == "stop") == 1


def test_speech_frames_run_from_first_word_to_last():
    assert speech_frames(FREE) == 50


def test_filler_share_counts_silence_inside_the_speech_only():
    forced = [Segment("<sil>", 0, 9), Segment("stop", 10, 39), Segment("<sil>", 40, 59)]
    assert filler_share(forced, FREE) == 0.4


def test_forced_sentence_close_to_a_free_reading_is_verified():
    forced = [Segment("<sil>", 0, 9), Segment("stop", 10, 35), Segment("that", 36, 59)]
    assert verified("stop that", SENTENCES, forced, ["topic that", "pause"], FREE, SOUNDS)


def test_forced_words_that_stop_short_of_a_sentence_are_not_verified():
    forced = [Segment("start", 10, 30), Segment("a", 31, 40), Segment("hug", 41, 59)]
    assert not verified("start a hug", SENTENCES, forced, ["start a hug"], FREE, SOUNDS)


def test_forced_sentence_far_from_every_reading_is_not_verified():
    forced = [Segment("stop", 10, 35), Segment("that", 36, 59)]
    readings = ["i wish the rain would stop"]
    assert not verified("stop that", SENTENCES, forced, readings, FREE, SOUNDS)


def test_lower_agreement_lets_a_sentence_far_from_its_reading_through():
    forced = [Segment("stop", 10, 59)]
    assert verified("stop", SENTENCES, forced, ["topic"], FREE, SOUNDS, min_agreement=30.0)


def test_default_agreement_turns_the_same_sentence_away():
    forced = [Segment("stop", 10, 59)]
    assert not verified("stop", SENTENCES, forced, ["topic"], FREE, SOUNDS)


def test_forced_sentence_that_leaves_speech_to_silence_is_not_verified():
    forced = [Segment("stop", 10, 39), Segment("[NOISE]", 40, 59)]
    assert not verified("stop", SENTENCES, forced, ["stop that"], FREE, SOUNDS)


# The second pass inside the real recogniser, on real espeak-ng speech.


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def ears(catalog):
    return PocketSphinxRecognizer(catalog)


def _template(text: str, catalog) -> bool:
    return text.removeprefix("coach ") in {s.text for s in catalog.spoken_sentences()}


@pytest.mark.parametrize("said", ["coach breathe with us", "hang on a second"])
def test_spoken_command_comes_out_as_a_template_sentence(ears, catalog, said):
    assert _template(hear(speak(said), ears).text, catalog)


def test_command_in_fan_noise_comes_out_as_its_sentence(ears):
    assert hear(mix(speak("stop"), "fan", 10.0), ears).text == "stop"


def test_sharing_sentence_is_not_snapped_to_a_control(ears, catalog):
    heard = hear(speak("i wish the rain would stop"), ears).text
    assert IntentMatcher(catalog).match(heard, allowed=CONTROLS).intent is None


def test_sharing_sentence_keeps_its_free_reading(ears, catalog):
    assert not _template(hear(speak("the kids finally fell asleep"), ears).text, catalog)
