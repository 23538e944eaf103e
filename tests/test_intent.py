import json
import random
from pathlib import Path

import pytest

from voice_coach.understanding.catalog import CONTROL_INTENTS, INTENT_IDS, load_catalog
from voice_coach.understanding.intent import IntentMatcher, normalise

DEV_SET = Path(__file__).parent / "data" / "intent_dev.tsv"


@pytest.fixture(scope="module")
def matcher():
    return IntentMatcher(load_catalog())


def read_dev_set():
    lines = [line.rstrip("\n").split("\t") for line in DEV_SET.read_text().splitlines()
             if line and not line.startswith("#")]
    return [(text, None if intent == "-" else intent, json.loads(slots))
            for text, intent, slots in lines]


def test_normalise_lowercases_and_drops_punctuation_and_fillers():
    assert normalise("Um, PAUSE... please!").text == "pause"


def test_normalise_strips_and_reports_the_wake_word():
    assert normalise("Hey coach, start a hug timer") == normalise("coach start a hug timer")
    assert normalise("coach start a hug timer").woke


def test_normalise_finds_the_wake_word_behind_a_filler():
    assert normalise("um, coach, pause").woke


def test_normalise_finds_the_wake_word_at_the_end():
    assert normalise("pause, coach") == normalise("coach pause")


def test_normalise_reports_no_wake_word_when_absent():
    assert not normalise("start a hug timer").woke


def test_normalise_spells_digits_as_words():
    assert normalise("start a 20-second hug").text == "start a twenty second hug"


def test_normalise_leaves_long_digit_runs_alone():
    assert normalise("rate it 1000").text == "rate it 1000"


def test_normalise_puts_back_missing_apostrophes():
    assert normalise("lets do it, whats next").text == "let's do it what's next"


def test_normalise_spells_out_typing_shorthand():
    assert normalise("can u time a hug w us").text == "can you time a hug with us"


def test_normalise_marks_an_endearment_at_either_end():
    assert normalise("honey, good night love").text == "@ good night @"


def test_an_endearment_inside_a_request_is_kept():
    assert normalise("say what you love about me").text == "say what you love about me"


def test_love_as_a_verb_at_the_end_is_kept():
    assert normalise("let's share something we love").text == "let's share something we love"


def test_normalise_collapses_repeated_words():
    assert normalise("stop stop stop").text == "stop"


def test_a_template_sentence_matches_fully(matcher):
    assert matcher.match("breathe with us").score == 100


@pytest.mark.parametrize("text, intent", [
    ("coach, breathe with us", "breathing"), ("let's do the breathing", "breathing"),
    ("hug timer", "hug"), ("start a twenty second hug", "hug"), ("how are we doing", "progress"),
    ("pause", "pause"), ("hang on", "pause"), ("keep going", "resume"),
    ("say that again", "repeat"), ("too loud", "quieter"), ("skip", "next"), ("done", "next"),
])
def test_requests_reach_their_intent(matcher, text, intent):
    assert matcher.match(text).intent == intent


def test_template_sentences_are_understood_as_written(matcher):
    sample = random.Random(7).sample(load_catalog().sentences(), 300)
    assert [(s.intent, dict(s.slots)) for s in sample] == [
        (r.intent, r.slots) for r in (matcher.match(s.text) for s in sample)]


def test_wake_word_is_reported_on_the_result(matcher):
    assert matcher.match("coach, stop").woke
    assert not matcher.match("stop").woke


def test_list_slot_is_taken_from_the_matched_sentence(matcher):
    assert matcher.match("what's a bid for connection").slots == {"term": "bid_for_connection"}


@pytest.mark.parametrize("text, value", [("seven", 7), ("7", 7), ("i'd say a three", 3),
                                         ("ten out of ten", 10)])
def test_numbers_fill_the_value_slot(matcher, text, value):
    assert matcher.match(text).slots == {"value": value}


def test_a_misheard_word_is_forgiven_by_the_character_score(matcher):
    assert matcher.match("breath with us").intent == "breathing"


def test_a_near_spelling_of_another_word_is_not_taken_for_it(matcher):
    assert matcher.match("I think the heating is on").intent is None


def test_an_unknown_word_counts_as_its_known_family(matcher):
    assert matcher.match("coach, hugging please").intent == "hug"


def test_a_family_word_the_sentence_lacks_costs_in_full(matcher):
    assert matcher.match("my friend had an affair").intent is None


def test_politeness_the_templates_lack_is_forgiven(matcher):
    assert matcher.match("coach could you maybe start the hug timer for us").intent == "hug"


@pytest.mark.parametrize("text", ["what's the weather", "I wish the rain would stop",
                                  "pass the salt", "did you lock the front door", "I love you",
                                  "good night, love", "honey can you turn off the light"])
def test_requests_not_for_the_coach_are_rejected(matcher, text):
    assert matcher.match(text).intent is None


def test_a_long_clear_request_is_understood(matcher):
    assert matcher.match("we've had a long day, could you guide us through a few slow breaths "
                         "before we try to sleep").intent == "breathing"


def test_long_everyday_talk_is_not_for_the_coach(matcher):
    assert matcher.match("the meeting ran so late today that I missed the bus home again and "
                         "had to walk").intent is None


def test_rejected_result_keeps_its_score_for_tuning(matcher):
    assert 0 < matcher.match("pass the salt").score < matcher.threshold


def test_empty_input_is_no_intent(matcher):
    assert matcher.match(" ,, um ").intent is None


def test_restriction_keeps_to_the_allowed_intents(matcher):
    assert matcher.match("breathe with us", allowed=CONTROL_INTENTS).intent is None


def test_restriction_to_ids_the_catalog_lacks_matches_nothing(matcher):
    assert matcher.match("coach, stop", allowed={"dance"}).intent is None


def test_restriction_accepts_a_plain_command(matcher):
    assert matcher.match("coach, stop", allowed=CONTROL_INTENTS).intent == "stop"


@pytest.mark.parametrize("text", ["I wish the rain would stop", "stop hogging the blanket",
                                  "wait until you hear what happened at work",
                                  "the neighbours are too loud", "slow down I'm not finished",
                                  "I'm done talking about work", "next time I want to go first"])
def test_restriction_ignores_commands_buried_in_conversation(matcher, text):
    assert matcher.match(text, allowed=CONTROL_INTENTS).intent is None


@pytest.mark.parametrize("text", ["my thorn is that work has been really hard",
                                  "lately I've been feeling overwhelmed", "I'm sorry", "thank you",
                                  "I feel most loved when you hold me"])
def test_what_partners_share_is_not_taken_for_a_command(matcher, text):
    assert matcher.match(text, allowed=set(CONTROL_INTENTS) | {"number"}).intent is None


def test_a_rating_said_loosely_is_heard_during_a_rating_step(matcher):
    assert matcher.match("about six I guess", allowed=set(CONTROL_INTENTS) | {"number"}).slots == \
        {"value": 6}


def test_match_any_keeps_the_first_reading_when_understood(matcher):
    assert matcher.match_any(["pause", "breathe with us"]).intent == "pause"


def test_match_any_falls_back_to_a_clear_later_reading(matcher):
    assert matcher.match_any(["coach stop the car hug", "coach start a hug timer"]).text == \
        "coach start a hug timer"


def test_match_any_ignores_a_later_reading_only_just_understood(matcher):
    loose = "coach could you maybe start the hug timer for us"
    just_over = IntentMatcher(load_catalog(), threshold=matcher.match(loose).score - 5)
    assert (just_over.match(loose).intent, just_over.match_any(["pass the salt", loose]).intent) \
        == ("hug", None)


def test_match_any_keeps_to_the_allowed_intents(matcher):
    assert matcher.match_any(["pass the salt", "breathe with us"],
                             allowed=CONTROL_INTENTS).intent is None


def test_a_higher_threshold_rejects_more(matcher):
    strict = IntentMatcher(load_catalog(), threshold=100)
    assert strict.match("coach could you maybe start the hug timer for us").intent is None


def test_dev_set_is_big_enough_to_tune_on():
    rows = read_dev_set()
    assert len(rows) >= 200
    assert sum(intent is None for _, intent, _ in rows) >= 50


def test_dev_set_uses_only_contract_intents():
    assert {intent for _, intent, _ in read_dev_set()} - {None} <= set(INTENT_IDS)


def test_dev_set_accuracy(matcher):
    rows = read_dev_set()
    results = [(text, intent, slots, matcher.match(text)) for text, intent, slots in rows]
    wrong = [f"{text!r}: got {r.intent} {r.slots} ({r.score})" for text, intent, slots, r in results
             if intent is not None and (r.intent, r.slots) != (intent, slots)]
    accepted = [f"{text!r}: got {r.intent} ({r.score})" for text, intent, _, r in results
                if intent is None and r.intent is not None]
    in_scope = sum(intent is not None for _, intent, _ in rows)
    assert 1 - len(wrong) / in_scope >= 0.97, wrong
    assert 1 - len(accepted) / (len(rows) - in_scope) >= 0.95, accepted


def test_a_reading_the_recogniser_could_not_confirm_must_be_understood_clearly(matcher):
    # typed, a long loose request clears the threshold (lowered for long sentences); heard as an
    # unconfirmed reading, where everyday talk bent into command words lands, it does not
    loose = "we've had a long day could you guide us through a few slow breaths"
    assert matcher.match(loose).intent == "breathing"
    assert matcher.match(loose, confirmed=False).intent is None
    assert matcher.match("start a hug timer", confirmed=False).intent == "hug"
    assert matcher.match_any([loose, "start a hug timer"], confirmed=False).intent == "hug"
