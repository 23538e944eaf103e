"""Fuzzing the template parser and the catalog loader: whatever a therapist (or a cat on the
keyboard) types into intents/*.ini, the coach answers with a TemplateError naming the mistake,
never a traceback."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice_coach.errors import TemplateError
from voice_coach.understanding.catalog import (
    INTENT_IDS,
    IntentCatalog,
    catalog_from_text,
    load_catalog,
)
from voice_coach.understanding.templates import (
    Expression,
    count_sentences,
    expand,
    parse_template,
    references,
)

FUZZ = settings(max_examples=300, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.too_slow])

# The template syntax's own characters, so random text hits brackets, slots and ranges often.
SYNTAX = "()[]{}<>|:.=#_ \t0123456789abcxyz'"
template_like = st.text(alphabet=SYNTAX, max_size=60)
any_text = st.text(max_size=200)


OUTCOMES = Expression | TemplateError
"""What parsing any text may give: a template, or a TemplateError saying what to fix."""


def parse_or_error(text):
    """The parsed template, or the TemplateError; any other exception fails the test."""
    try:
        return parse_template(text)
    except TemplateError as error:
        return error


def catalog_or_error(text):
    try:
        return catalog_from_text(text, "fuzz.ini")
    except TemplateError as error:
        return error


@FUZZ
@given(any_text)
def test_any_unicode_text_parses_or_is_a_template_error(text):
    assert isinstance(parse_or_error(text), OUTCOMES)


@FUZZ
@given(template_like)
def test_syntax_heavy_text_parses_or_is_a_template_error(text):
    assert isinstance(parse_or_error(text), OUTCOMES)


@FUZZ
@given(template_like)
def test_a_template_without_slots_expands_to_exactly_its_counted_sentences(text):
    parsed = parse_or_error(text)
    if isinstance(parsed, TemplateError) or any(True for _ in references(parsed)):
        return
    count = count_sentences(parsed, {})
    if count <= 2000:
        assert sum(1 for _ in expand(parsed, {})) == count


@FUZZ
@given(st.integers(min_value=1, max_value=3000), st.sampled_from("([{"))
def test_deeply_nested_brackets_are_a_template_error_not_a_crash(depth, opener):
    closer = {"(": ")", "[": "]", "{": "}"}[opener]
    assert isinstance(parse_or_error(opener * depth + "hug" + closer * depth), OUTCOMES)


@FUZZ
@given(st.integers(min_value=1, max_value=10_000), st.sampled_from("0179"))
def test_range_with_any_number_of_digits_parses_or_is_a_template_error(length, digit):
    # Python refuses int() of more than 4300 digits: a limit a regex \d+ walks straight into.
    assert isinstance(parse_or_error(f"rate it {{value:1..{digit * length}}}"), OUTCOMES)


@FUZZ
@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=4))
def test_range_with_non_ascii_digits_parses_or_is_a_template_error(digits):
    assert isinstance(parse_or_error(f"{{value:{digits}..{digits}}}"), OUTCOMES)


@FUZZ
@given(any_text)
def test_any_file_text_is_a_catalog_or_a_template_error(text):
    assert isinstance(catalog_or_error(text), IntentCatalog | TemplateError)


# Files shaped like real ones: known and unknown headings, lists, rules, templates and junk.
heading = st.one_of(st.sampled_from(INTENT_IDS).map(lambda i: f"[{i}]"),
                    st.sampled_from(["[rules]", "[list term]", "[list x]", "[Hug]", "[nope]",
                                     "[list]", "[ hug ", "[]"]))
body_line = st.one_of(template_like, template_like.map(lambda t: f"{t} = value"),
                      st.sampled_from(["start = (start|begin)", "<start> the hug",
                                       "what is {term}", "feeling safe = emotional_safety",
                                       "{value:1..10}", "# a comment", ""]))
ini_file = st.lists(st.one_of(heading, body_line), max_size=25).map("\n".join)


@FUZZ
@given(ini_file)
def test_ini_shaped_text_is_a_catalog_or_a_template_error(text):
    assert isinstance(catalog_or_error(text), IntentCatalog | TemplateError)


@FUZZ
@given(ini_file)
def test_every_catalog_error_names_the_file(text):
    result = catalog_or_error(text)
    assert not isinstance(result, TemplateError) or "fuzz.ini" in str(result)


@FUZZ
@given(st.integers(min_value=1, max_value=600))
def test_deep_nesting_in_a_file_is_a_catalog_or_a_template_error(depth):
    text = "[hug]\n" + "(" * depth + "hug" + ")" * depth
    assert isinstance(catalog_or_error(text), IntentCatalog | TemplateError)


@settings(max_examples=40, deadline=timedelta(seconds=2))
@given(st.binary(max_size=300))
def test_any_file_bytes_load_as_a_catalog_or_a_template_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("intents")
    (folder / "broken.ini").write_bytes(data)
    try:
        result = load_catalog(folder)
    except TemplateError as error:
        result = error
    assert isinstance(result, IntentCatalog | TemplateError)
