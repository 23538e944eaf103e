"""What the coach will say, rendered ahead: exercise scripts cached before they are due, and
the openings of its replies kept from start-up."""

import time

import numpy as np

from voice_coach.audio.types import Audio
from voice_coach.coaching.answers import load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import Dialog
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import Delivery, Say, estimate_speech_seconds
from voice_coach.settings import Settings
from voice_coach.understanding.catalog import load_catalog
from voice_coach.understanding.intent import IntentResult
from voice_coach.voice.prerender import (
    ScriptRenderer,
    keep_reply_openings,
    reply_openings,
    script_lines,
)
from voice_coach.voice.rendered_voice import RenderedVoice, split_pieces
from voice_coach.voice.synthesis import Synthesizer


def test_the_script_is_what_the_session_says():
    lines = script_lines(load_exercises()["breathing"], Settings(), Delivery())
    assert lines[-1] == "That was the last breath. Notice how you both feel."


def test_after_rendering_ahead_every_script_line_is_cached():
    synthesizer = Synthesizer(cache_seconds=600)
    exercises = load_exercises()
    ScriptRenderer(synthesizer, exercises, Settings()).start("hug", Delivery(rate=150)).join()
    lines = script_lines(exercises["hug"], Settings(), Delivery(rate=150))
    assert all(synthesizer.is_cached(line, 150) for line in lines)


def test_an_unknown_exercise_starts_nothing():
    assert ScriptRenderer(Synthesizer(), load_exercises(), Settings()).start("juggling",
                                                                              Delivery()) is None


# ---- reply openings, kept from start-up ----------------------------------------------------

EXERCISES = load_exercises()
ANSWERS = load_answers(EXERCISES)
OPENINGS = reply_openings(load_catalog().intent_ids, EXERCISES, ANSWERS, Settings())


def test_the_openings_cover_requests_between_and_inside_exercises():
    for opening in ("Sorry, I didn't catch that.", "Twenty seconds,", "Paused.", "Louder.",
                    "Emotional safety,", "All right."):
        assert opening in OPENINGS


def test_each_opening_is_the_first_piece_of_a_reply_as_the_dialog_says_it():
    dialog = Dialog(EXERCISES, ANSWERS, VirtualClock(), estimate_speech_seconds,
                    settings=Settings())
    said = [e.text for e in dialog.heard(IntentResult("hug", "hug", 100.0, woke=True))
            if isinstance(e, Say)][0]
    assert split_pieces(said)[0][0] in OPENINGS


class CountingVoice(RenderedVoice):
    """Silence for each piece, counting renders: which pieces the cache served is under test."""

    def __init__(self, **bounds):
        super().__init__(**bounds)
        self.rendered = []

    def _render_sentence(self, sentence, rate_wpm):
        self.rendered.append(sentence)
        return Audio(np.zeros(1600, np.float32), 16000)


def test_a_reply_opening_with_a_kept_piece_starts_without_a_render():
    voice = CountingVoice()
    keep_reply_openings(voice, lambda: ["Twenty seconds,"], 150).join()
    voice.rendered.clear()
    pieces = voice.render_sentences("Twenty seconds, long enough for your bodies to settle.", 150)
    next(pieces)
    assert voice.rendered == []


def test_kept_pieces_outlast_the_cache_bounds():
    voice = CountingVoice(cache_size=1)
    voice.keep(["Paused."], 150)
    for line in ("One.", "Two.", "Three."):
        voice.render(line, 150)
    voice.rendered.clear()
    voice.render("Paused.", 150)
    assert voice.rendered == []
    assert voice.is_cached("Paused.", 150)


def test_keeping_renders_each_piece_once():
    voice = CountingVoice()
    assert voice.keep(["Paused.", "Paused.", "Louder."], 150) == 2


def test_a_piece_already_cached_is_kept_without_a_second_render():
    voice = CountingVoice(cache_size=1)
    voice.render("Paused.", 150)
    assert voice.keep(["Paused."], 150) == 0
    voice.render("One.", 150)  # would have evicted it from the cache
    voice.rendered.clear()
    voice.render("Paused.", 150)
    assert voice.rendered == []


class SlowVoice(CountingVoice):
    """50 ms of work per piece, holding the interpreter as a busy machine's render does."""

    def _render_sentence(self, sentence, rate_wpm):
        until = time.perf_counter() + 0.05
        while time.perf_counter() < until:
            pass
        return super()._render_sentence(sentence, rate_wpm)


def test_a_reply_does_not_wait_for_the_openings_being_rendered_ahead():
    voice = SlowVoice()
    ahead = keep_reply_openings(voice, lambda: [f"Opening {n}." for n in range(60)], 150)
    time.sleep(0.2)  # rendering ahead: three seconds of work in all
    began = time.perf_counter()
    voice.render("Sorry, I didn't catch that.", 150)
    waited = time.perf_counter() - began
    ahead.join()
    assert waited < 0.5
