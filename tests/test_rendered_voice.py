"""How text is cut into the pieces a voice renders and plays one after another."""

from voice_coach.voice.rendered_voice import split_pieces, split_sentences


def test_sentences_are_cut_after_their_final_punctuation():
    assert split_sentences(" Settle in.  Breathe with me!  Ready? ") == [
        "Settle in.", "Breathe with me!", "Ready?"]


def test_a_long_first_sentence_starts_with_its_opening_clause():
    assert split_pieces("There are five pillars: emotional safety, attuned communication, shared "
                        "meaning, repair and play. Which one first?") == [
        ("There are five pillars:", False),
        ("emotional safety, attuned communication, shared meaning, repair and play.", True),
        ("Which one first?", True)]


def test_a_short_first_sentence_stays_whole():
    assert split_pieces("Start tiny, then keep going.") == [("Start tiny, then keep going.", True)]


def test_a_one_word_opening_is_not_a_piece_of_its_own():
    assert split_pieces("Yes, it's possible, with transparency, clear boundaries, structured "
                        "repair and time.")[0] == ("Yes, it's possible,", False)


def test_a_two_word_opening_is_a_piece_of_its_own():
    assert split_pieces("Emotional intimacy, at heart, is the closeness of sharing your inner "
                        "world.")[0] == ("Emotional intimacy,", False)


def test_a_first_clause_too_long_to_be_quick_is_not_cut_off():
    text = "Most couples feel a shift within weeks of small rituals, and more."
    assert split_pieces(text) == [(text, True)]


def test_a_long_sentence_is_rendered_in_runs_of_whole_clauses():
    assert split_pieces("Most couples feel a shift within two to four weeks of small rituals, "
                        "and deeper change grows over two to three months of repetition.") == [
        ("Most couples feel a shift within two to four weeks of small rituals,", False),
        ("and deeper change grows over two to three months of repetition.", True)]


def test_short_clauses_of_a_long_sentence_are_joined_up_to_the_longest_piece():
    pieces = split_pieces("Common signs: living like roommates, small misunderstandings that "
                          "blow up or go silent, sex that feels mechanical, no longer sharing "
                          "tender feelings, and feeling unseen or defensive.")
    assert [len(piece.split()) for piece, _ in pieces] == [2, 11, 9, 5]
    assert [ends for _, ends in pieces] == [False, False, False, True]


def test_a_long_clause_without_commas_stays_whole():
    text = "We breathe in slowly together and then we breathe out even more slowly than before."
    assert split_pieces(text) == [(text, True)]
