"""The spoken answers: every answer intent and term, short enough to hear, ending with an offer."""

from datetime import datetime

import pytest

from voice_coach.coaching.answers import ANSWER_IDS, TERMS, AnswerError, load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog, Mode
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import Say, estimate_speech_seconds
from voice_coach.settings import Settings

EXERCISES = load_exercises()
ANSWERS = load_answers(EXERCISES)
REQUESTS = [(intent, {}) for intent in ANSWER_IDS] + [("define", {"term": term}) for term in TERMS]


class Result:
    def __init__(self, intent, slots):
        self.text, self.intent, self.slots, self.woke = "coach ...", intent, slots, True


def spoken_answer(intent, slots):
    dialog = Dialog(
        EXERCISES,
        ANSWERS,
        VirtualClock(),
        estimate_speech_seconds,
        started_at=datetime(2026, 11, 26, 23, 0),
    )
    (say,) = [e for e in dialog.heard(Result(intent, slots)) if isinstance(e, Say)]
    return say, dialog


@pytest.mark.parametrize(("intent", "slots"), REQUESTS)
def test_answer_is_under_25_seconds_at_the_slow_night_rate(intent, slots):
    say, _ = spoken_answer(intent, slots)
    # A second of margin: the synthesizer's voice is not exactly the estimate.
    assert estimate_speech_seconds(say.text, say.rate) < 24.0


@pytest.mark.parametrize(("intent", "slots"), REQUESTS)
def test_answer_ends_by_offering_an_exercise_and_its_length(intent, slots):
    say, dialog = spoken_answer(intent, slots)
    offered = EXERCISES[ANSWERS.find(intent, slots.get("term")).offer]
    assert say.text.endswith(f"Want to try {offered.name}, {offered.duration}?")
    assert dialog.mode is Mode.OFFERING


def test_night_answers_use_the_night_voice():
    say, _ = spoken_answer("pillars", {})
    assert say.rate == pytest.approx(
        Settings().speech.rate_wpm * Settings().night.rate_factor, abs=1
    )


def test_faq_how_long_keeps_the_articles_weeks():
    assert "two to four weeks" in ANSWERS.find("faq_how_long").text


def test_pillars_names_all_five():
    text = ANSWERS.find("pillars").text
    assert all(
        p in text
        for p in (
            "emotional safety",
            "attuned communication",
            "shared meaning",
            "repair and forgiveness",
            "play and pleasure",
        )
    )


def write(tmp_path, text):
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def complete_file():
    lines = [f'[{key}]\ntext = "t"\noffer = "hug"\n' for key in ANSWER_IDS]
    lines += [f'[define.{term}]\ntext = "t"\noffer = "hug"\n' for term in TERMS]
    return "\n".join(lines)


def test_a_complete_file_loads(tmp_path):
    assert (
        load_answers(EXERCISES, write(tmp_path, complete_file())).find("define", "repair").offer
        == "hug"
    )


def test_missing_answer_is_named(tmp_path):
    with pytest.raises(AnswerError, match=r"\[signs\] is missing"):
        load_answers(EXERCISES, write(tmp_path, complete_file().replace("[signs]", "[signz]")))


def test_offer_must_be_an_exercise(tmp_path):
    with pytest.raises(AnswerError, match="'dance' is not an exercise"):
        load_answers(
            EXERCISES,
            write(tmp_path, complete_file().replace('offer = "hug"', 'offer = "dance"', 1)),
        )


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(AnswerError, match="unknown key 'txt'"):
        load_answers(
            EXERCISES, write(tmp_path, complete_file().replace('text = "t"', 'txt = "t"', 1))
        )


def test_unknown_answer_is_named(tmp_path):
    with pytest.raises(AnswerError, match=r"\[extra\] is not an answer"):
        load_answers(
            EXERCISES, write(tmp_path, complete_file() + '\n[extra]\ntext = "t"\noffer = "hug"\n')
        )


def test_broken_toml_is_reported(tmp_path):
    with pytest.raises(AnswerError, match="not valid TOML"):
        load_answers(EXERCISES, write(tmp_path, "[signs\n"))
