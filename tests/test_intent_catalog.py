import pytest

from voice_coach.errors import TemplateError
from voice_coach.understanding.catalog import (
    INTENT_IDS,
    TEMPLATE_LIMIT,
    Sentence,
    catalog_from_text,
    catalog_from_texts,
    clean_words,
    load_catalog,
)

SMALL = """
# a comment line
[hug]
(start|begin) [a] hug   # a trailing comment
[define]
what is {term}
[number]
{value:1..3}
[list term]
repair | repairs = repair
feeling safe = emotional_safety
"""


def error_for(text, source="intents/test.ini"):
    with pytest.raises(TemplateError) as caught:
        catalog_from_text(text, source)
    return str(caught.value)


def test_sections_become_intents_in_file_order():
    assert catalog_from_text(SMALL).intent_ids == ("hug", "define", "number")


def test_sentences_carry_intent_and_slots():
    assert Sentence("what is feeling safe", "define", {"term": "emotional_safety"}) in \
        catalog_from_text(SMALL).sentences()


def test_comments_are_ignored():
    assert "start a hug" in {s.text for s in catalog_from_text(SMALL).sentences()}


def test_spoken_sentences_leave_out_digits():
    assert {s.text for s in catalog_from_text(SMALL).spoken_sentences()} >= {"one", "three"}
    assert "1" not in {s.text for s in catalog_from_text(SMALL).spoken_sentences()}


def test_vocabulary_is_the_words_of_spoken_sentences():
    assert catalog_from_text(SMALL).vocabulary() == {"start", "begin", "a", "hug", "what", "is",
                                                     "repair", "repairs", "feeling", "safe", "one",
                                                     "two", "three"}


def test_sentences_read_in_order_and_by_index_agree():
    sentences = catalog_from_text(SMALL).sentences()
    assert list(sentences) == [sentences[i] for i in range(len(sentences))]


def test_equal_slot_fillings_are_stored_once():
    sentences = catalog_from_text(SMALL).sentences()
    rows = [i for i, text in enumerate(sentences.texts) if text in ("what is repair",
                                                                    "what is repairs")]
    assert sentences.slot_items[rows[0]] is sentences.slot_items[rows[1]]


def test_sentences_where_keeps_only_the_texts_accepted():
    assert list(catalog_from_text(SMALL).sentences().where(lambda text: "hug" in text)) == [
        Sentence("start a hug", "hug"), Sentence("start hug", "hug"),
        Sentence("begin a hug", "hug"), Sentence("begin hug", "hug")]


def test_sentences_are_cleaned_for_recognisers():
    assert catalog_from_text("[stop]\nStop, Now!\n").sentences()[0].text == "stop now"


def test_clean_words_keeps_inner_apostrophes():
    assert clean_words("What’s a ‘bid’ for connection?") == "what's a bid for connection"


def test_errors_name_file_and_line():
    assert error_for("[hug]\nhug\n(start a hug\n").startswith(
        "intents/test.ini, line 3: unclosed '('")


def test_unknown_intent_suggests_the_nearest_id():
    assert "did you mean [hug]?" in error_for("[hugs]\nhug\n")


def test_duplicate_intent_names_the_first_place():
    assert "already defined at intents/a.ini, line 1" in str(pytest.raises(
        TemplateError, catalog_from_texts, [("intents/a.ini", "[hug]\nhug\n"),
                                            ("intents/b.ini", "[hug]\ncuddle\n")]).value)


def test_unknown_list_is_reported_at_its_template():
    assert error_for("[define]\nwhat\nwhat is {terms}\n") == (
        "intents/test.ini, line 3: unknown list '{terms}' — add a [list terms] section or fix "
        "the name.")


def test_list_line_without_value_is_reported():
    assert "needs 'spoken words = value'" in error_for("[define]\n{term}\n[list term]\nrepair\n")


def test_list_phrase_may_not_hold_a_slot():
    assert "cannot contain a {slot}" in error_for("[define]\n{t}\n[list t]\n{t} = x\n")


def test_template_before_any_heading_is_reported():
    assert "before any [intent_id] heading" in error_for("stop\n[stop]\nstop\n")


def test_unclosed_heading_is_reported():
    assert "line 1: unclosed '[' in a section heading" in error_for("[stop\nstop\n")


def test_empty_intent_is_reported():
    assert "intent 'stop' has no templates" in error_for("[stop]\n[hug]\nhug\n")


def test_sentence_with_two_meanings_is_reported():
    assert "'stop' also means 'stop'" in error_for("[stop]\nstop\n[pause]\n(wait|stop)\n")


def test_combinatorial_explosion_is_reported():
    template = " ".join(["(a|b|c|d)"] * 8)
    assert f"limit {TEMPLATE_LIMIT:,}" in error_for(f"[stop]\n{template}\n")


def test_bundled_catalog_has_every_contract_intent():
    assert set(load_catalog().intent_ids) == set(INTENT_IDS)


def test_missing_intents_are_reported_for_a_folder(tmp_path):
    (tmp_path / "few.ini").write_text("[hug]\nhug\n")
    with pytest.raises(TemplateError, match="no templates for appreciation"):
        load_catalog(tmp_path)


def test_empty_folder_is_reported(tmp_path):
    with pytest.raises(TemplateError, match="no intent files"):
        load_catalog(tmp_path)


def test_bundled_define_covers_every_term():
    assert {s.slots["term"] for s in load_catalog().sentences() if s.intent == "define"} == {
        "emotional_safety", "bid_for_connection", "repair", "ritual_of_connection"}


def test_bundled_number_covers_one_to_ten():
    assert {s.slots["value"] for s in load_catalog().sentences() if s.intent == "number"} == \
        set(range(1, 11))


RULES = """
[rules]
start = (start|begin)
[hug]
<start> [a] hug
"""


def test_rules_are_written_once_and_used_in_templates():
    assert {s.text for s in catalog_from_text(RULES).sentences()} == {
        "start a hug", "start hug", "begin a hug", "begin hug"}


def test_unknown_rule_is_reported():
    assert "line 4: unknown rule '<go>'" in error_for("[rules]\nstart = start\n[hug]\n<go> hug\n")


def test_rule_may_not_use_a_rule():
    assert "cannot contain a {slot} or <rule>" in error_for("[rules]\na = b\nb = <a>\n[hug]\nhug\n")


def test_rule_line_without_equals_is_reported():
    assert "a rule needs 'name = words'" in error_for("[rules]\nstart begin\n[hug]\nhug\n")


def test_heading_with_capitals_is_reported():
    assert "'Hug' is not a valid name" in error_for("[Hug]\nhug\n")


def test_a_file_that_is_not_utf8_is_reported(tmp_path):
    (tmp_path / "latin.ini").write_bytes("[hug]\ncâlin\n".encode("latin-1"))
    with pytest.raises(TemplateError, match="latin.ini is not UTF-8 text"):
        load_catalog(tmp_path)
