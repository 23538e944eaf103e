"""The voice benchmark's arithmetic and its material (the measuring runs in `voice-coach bench`)."""

from voice_coach.bench.voice import all_script_lines, reply_sentences, word_error_rate, words
from voice_coach.coaching.exercises import load_exercises


def test_words_ignore_case_and_punctuation():
    assert words("Breathe in, slowly. Don’t rush!") == ["breathe", "in", "slowly", "don't", "rush"]


def test_word_error_rate_counts_substitutions_insertions_and_deletions():
    assert word_error_rate(["one two three four"], ["one too three four five"]) == 2 / 4


def test_a_perfect_hearing_has_no_errors():
    assert word_error_rate(["Rest now.", "Good night."], ["rest now", "good night"]) == 0.0


def test_every_exercise_is_in_the_scripts():
    lines = " ".join(all_script_lines())
    assert all(exercise.steps[0].text.split("{")[0][:20] in lines
               for exercise in load_exercises().values() if exercise.steps[0].text)


def test_the_replies_are_single_sentences():
    assert reply_sentences()
    assert all(len(s.rstrip(".?!").split(". ")) == 1
                                     for s in reply_sentences())
