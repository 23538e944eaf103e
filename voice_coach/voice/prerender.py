"""The exercises' fixed scripts, rendered ahead in the background when a session starts, so each
sentence of the script is in the voice's cache (and its length exact) before it is due. A neural
voice renders a sentence in about a tenth of its length: rendered on the spot, every step would
start that much late and its duration would be a guess."""

from __future__ import annotations

import logging
import threading
import time

from ..coaching.clock import VirtualClock
from ..coaching.dialog import new_session
from ..coaching.exercises import Exercise
from ..coaching.session import Delivery, Listen, Say, estimate_speech_seconds, simulate
from ..errors import VoiceCoachError
from ..settings import Settings
from ..understanding.intent import IntentResult

log = logging.getLogger(__name__)


def script_lines(exercise: Exercise, settings: Settings, delivery: Delivery) -> list[str]:
    """Everything the session says on its longest ordinary run (each question answered "yes"),
    in order, once each: what `voice-coach plan` shows."""
    clock = VirtualClock()
    session = new_session(exercise, settings, clock, estimate_speech_seconds, delivery=delivery)
    lines = [event.text for event in simulate(session, clock, answer=answer_yes)
             if isinstance(event, Say)]
    return list(dict.fromkeys(lines))


def answer_yes(listen: Listen) -> IntentResult | None:
    """Each partner takes their whole time box and every question is answered "yes"."""
    wants_yes = "yes" in listen.allowed and not listen.sharing and "number" not in listen.allowed
    return IntentResult("yes", "yes", 100.0) if wants_yes else None


class ScriptRenderer:
    """Renders one exercise's script at a time in a daemon thread; a new start replaces the
    old one's remaining work."""

    def __init__(self, synthesizer, exercises: dict[str, Exercise], settings: Settings) -> None:
        self.synthesizer, self.exercises, self.settings = synthesizer, exercises, settings
        self._generation = 0
        self._thread: threading.Thread | None = None
        self.last_seconds: float | None = None
        """Wall-clock seconds the last complete script took to render (for the benchmark)."""

    def start(self, exercise_id: str, delivery: Delivery) -> threading.Thread | None:
        exercise = self.exercises.get(exercise_id)
        if exercise is None:
            return None
        self._generation += 1
        self._thread = threading.Thread(
            target=self._render_all, args=(exercise, delivery, self._generation),
            name=f"prerender-{exercise_id}", daemon=True)
        self._thread.start()
        return self._thread

    def _render_all(self, exercise: Exercise, delivery: Delivery, generation: int) -> None:
        began = time.perf_counter()
        try:
            for line in script_lines(exercise, self.settings, delivery):
                for _ in self.synthesizer.render_sentences(line, int(delivery.rate)):
                    if generation != self._generation:
                        return
        except VoiceCoachError as error:  # the live render will say it again, to the user
            log.warning("rendering the %s script ahead failed: %s", exercise.id, error)
            return
        self.last_seconds = time.perf_counter() - began
