"""Exercise scripts rendered ahead, so their sentences are cached before they are due."""

from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import Delivery
from voice_coach.settings import Settings
from voice_coach.voice.prerender import ScriptRenderer, script_lines
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
