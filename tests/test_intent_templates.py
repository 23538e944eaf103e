import pytest

from voice_coach.errors import TemplateError
from voice_coach.understanding.templates import (
    Alternative,
    ListSlot,
    ListValue,
    RangeSlot,
    Sequence,
    SlotList,
    Text,
    count_sentences,
    expand,
    number_words,
    parse_template,
)


def sentences(template, lists=None):
    return [text for text, _ in expand(parse_template(template), lists or {})]


def test_plain_words_expand_to_themselves():
    assert sentences("start a hug") == ["start a hug"]


def test_alternatives_expand_to_each_option():
    assert sentences("(start|begin) the hug") == ["start the hug", "begin the hug"]


def test_optional_words_may_be_left_out():
    assert sentences("[please] stop") == ["please stop", "stop"]


def test_optional_alternative_offers_each_option_or_nothing():
    assert sentences("stop [it|now]") == ["stop it", "stop now", "stop"]


def test_nested_groups_expand_inside_out():
    assert sentences("enough [for (now|tonight)]") == ["enough for now", "enough for tonight",
                                                      "enough"]


def test_top_level_bar_separates_whole_sentences():
    assert sentences("yes please | sure") == ["yes please", "sure"]


def test_range_slot_expands_to_digits_and_words_with_int_values():
    assert list(expand(parse_template("{value:1..2}"), {})) == [
        ("1", {"value": 1}), ("one", {"value": 1}), ("2", {"value": 2}), ("two", {"value": 2})]


def test_list_slot_takes_the_value_of_each_phrase():
    lists = {"term": SlotList("term", (ListValue(parse_template("repair | repairs"), "repair"),))}
    assert list(expand(parse_template("what is {term}"), lists)) == [
        ("what is repair", {"term": "repair"}), ("what is repairs", {"term": "repair"})]


def test_parse_builds_frozen_tree():
    assert parse_template("[a] {n:1..3} {term}") == Sequence((
        Alternative((Sequence((Text("a"),)),), optional=True), Text(" "), RangeSlot("n", 1, 3),
        Text(" "), ListSlot("term")))


def test_count_matches_expansion_length():
    template = parse_template("(a|b|c) [d|e] {n:1..4} [f]")
    assert count_sentences(template, {}) == len(list(expand(template, {})))


@pytest.mark.parametrize("n, words", [(0, "zero"), (7, "seven"), (13, "thirteen"), (20, "twenty"),
                                      (42, "forty two"), (100, "one hundred")])
def test_number_words_spell_numbers_as_spoken(n, words):
    assert number_words(n) == words


@pytest.mark.parametrize("template, message", [
    ("(start|begin the hug", "unclosed '(' at column 1"),
    ("stop [it", "unclosed '[' at column 6"),
    ("stop)", "')' at column 5 closes nothing"),
    ("(stop]", "']' at column 6 does not match '('"),
    ("(stop||end)", "empty alternative"),
    ("stop ()", "empty alternative"),
    ("[]", "empty alternative"),
    ("rate {value:1..10", "unclosed '{'"),
    ("rate {Value}", "is not a slot name"),
    ("rate {value:10..1}", "bad range"),
    ("rate {value:1..500}", "bad range"),
    ("rate {value:one..ten}", "bad range"),
    ("rate {value:1..1000}", "bad range"),
    ("(" * 13 + "hug" + ")" * 13, "nested more than 12 deep"),
    ("   ", "the template is empty"),
    ("(each )? say", "'?' after a bracket at column 8 is not template syntax"),
])
def test_mistakes_are_reported_with_what_to_do(template, message):
    with pytest.raises(TemplateError) as caught:
        parse_template(template)
    assert message in str(caught.value)


def test_error_messages_say_how_to_fix():
    with pytest.raises(TemplateError, match="close it with '\\)' or remove it"):
        parse_template("(a|b")
