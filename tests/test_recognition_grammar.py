import json

from voice_coach.hearing.grammar import arpa_language_model, vosk_phrases, words_of
from voice_coach.understanding.catalog import catalog_from_text

CATALOG = catalog_from_text("[hug]\n(start|begin) a hug timer\n[stop]\nstop [now]\n")


def test_vosk_grammar_has_every_sentence_with_and_without_wake_word_and_unk():
    phrases = json.loads(vosk_phrases(CATALOG))
    assert {"start a hug timer", "coach stop now", "[unk]"} <= set(phrases)
    assert len(phrases) == 9


def test_language_model_knows_every_word_and_the_wake_word():
    unigrams = arpa_language_model(CATALOG).split("\\2-grams:")[0]
    assert all(f" {w}" in unigrams or f"\t{w}" in unigrams for w in ("begin", "timer", "coach"))


def test_words_of_leaves_out_unk():
    assert words_of(["stop now", "[unk]"]) == {"stop", "now"}
