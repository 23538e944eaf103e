"""The choice between the two ears' readings, on scripted readings and a scripted matcher."""

from voice_coach.hearing.reading_choice import FreeReading, Verdict, choose
from voice_coach.hearing.recognition import Transcript

KNOWN = {"rose thorn bud": ("rose_thorn_bud", 100.0), "pause": ("pause", 100.0),
         "close": ("pause", 78.0), "rose thorn": ("rose_thorn_bud", 82.0),
         "stop the car": ("stop", 81.0), "pauses": ("next", 85.0)}


def match(text: str, confirmed: bool) -> Verdict:
    intent, score = KNOWN.get(text, (None, 30.0))
    if not confirmed and score < 80:
        intent = None
    return Verdict(text, intent, score)


def grammar(text: str, confirmed: bool = True) -> Transcript:
    return Transcript(text, 0.5, (), "pocketsphinx", confirmed)


def free(*texts: str, log_prob: float = -0.3, no_speech: float = 0.05) -> FreeReading:
    return FreeReading(texts, tuple(log_prob for _ in texts), no_speech)


def test_both_ears_agreeing_take_the_higher_scoring_reading():
    chosen = choose(grammar("rose thorn"), free("rose thorn bud"), match)
    assert chosen.text == "rose thorn bud"


def test_agreement_is_confirmed_for_the_dialog():
    assert choose(grammar("rose thorn"), free("rose thorn bud"), match).confirmed


def test_a_sure_free_reading_rescues_what_the_grammar_missed():
    assert choose(grammar(""), free("rose thorn bud"), match).text == "rose thorn bud"


def test_a_doubtful_free_reading_alone_is_not_acted_on():
    chosen = choose(grammar(""), free("rose thorn bud", log_prob=-1.5), match)
    assert match(chosen.text, chosen.confirmed).intent is None


def test_a_later_free_hypothesis_counts_when_the_first_is_not_a_command():
    assert choose(grammar(""), free("rose thorn butt", "rose thorn bud"), match).text == \
        "rose thorn bud"


def test_confirmed_grammar_reading_stands_when_whisper_heard_something_like_it():
    chosen = choose(grammar("pause"), free("pose", log_prob=-1.2), match)
    assert chosen.text == "pause"


def test_confirmed_grammar_reading_whisper_does_not_echo_is_dropped():
    chosen = choose(grammar("pause"), free("boss", log_prob=-1.2), match)
    assert match(chosen.text, chosen.confirmed).intent is None


def test_grammar_reading_is_dropped_when_whisper_clearly_heard_everyday_talk():
    chosen = choose(grammar("pause"), free("my back hurts a little"), match)
    assert match(chosen.text, chosen.confirmed).intent is None


def test_everyday_talk_is_still_passed_on_as_words():
    chosen = choose(grammar("pause"), free("my back hurts a little"), match)
    assert chosen.text == "my back hurts a little"


def test_words_the_dialog_would_take_for_a_command_are_not_passed_on_when_rejected():
    chosen = choose(grammar(""), free("stop the car", log_prob=-1.5), match)
    assert chosen.text == ""


def test_no_speech_means_nothing_heard():
    chosen = choose(grammar("close", confirmed=False), free("rose thorn bud", no_speech=0.9),
                    match)
    assert chosen.text == ""


def test_confirmed_command_survives_a_no_speech_verdict():
    assert choose(grammar("pause"), free(no_speech=0.9), match).text == "pause"


def test_disagreeing_ears_follow_a_sure_whisper():
    assert choose(grammar("pause"), free("rose thorn bud"), match).text == "rose thorn bud"


def test_disagreeing_ears_follow_the_confirmed_grammar_when_whisper_is_unsure():
    assert choose(grammar("pause"), free("pauses", log_prob=-1.5), match).text == "pause"


def test_disagreeing_ears_with_nothing_sure_or_alike_are_not_acted_on():
    chosen = choose(grammar("pause"), free("rose thorn bud", log_prob=-1.5), match)
    assert match(chosen.text, chosen.confirmed).intent is None


def test_an_unconfirmed_grammar_reading_alone_is_not_enough():
    chosen = choose(grammar("rose thorn", confirmed=False), free("hmm", log_prob=-1.5), match)
    assert match(chosen.text, chosen.confirmed).intent is None
