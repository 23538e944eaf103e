"""What the coach will say, rendered before it is needed. A neural voice renders a sentence in
about a tenth of its length: rendered on the spot, every step of a script would start that
much late and its duration would be a guess, and every reply would wait for its first piece.

- The exercises' fixed scripts, in the background when a session starts (ScriptRenderer), so
  each sentence is in the voice's cache, its length exact, before it is due.
- The opening piece of every reply the coach gives to a request, at start-up
  (`reply_openings`, `keep_reply_openings`): a reply then starts playing as soon as the request
  is understood, and the rest renders while the opening plays."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from ..coaching.answers import Answers
from ..coaching.clock import VirtualClock
from ..coaching.dialog import Dialog, new_session
from ..coaching.exercises import Exercise
from ..coaching.session import Delivery, Listen, Say, estimate_speech_seconds, simulate
from ..errors import VoiceCoachError
from ..settings import Settings
from ..understanding.intent import IntentResult
from .rendered_voice import split_pieces

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


def reply_openings(intents: Iterable[str], exercises: dict[str, Exercise], answers: Answers,
                   settings: Settings) -> list[str]:
    """The first piece (rendered_voice.split_pieces) of each reply the coach gives on its own
    to a request: each intent between exercises and inside each exercise where it counts, each
    glossary term, and a request called by name but not made out. Found by asking a dialog on
    a virtual clock, so the list follows the replies as they are written. Replies that carry a
    live figure ("About 3 minutes left.") come out as they would at the start: harmless."""
    def fresh() -> Dialog:
        return Dialog(exercises, answers, VirtualClock(), estimate_speech_seconds,
                      settings=settings)

    def offering() -> Dialog:  # after "what should we do tonight": yes or no
        dialog = fresh()
        dialog.heard(IntentResult("tonight", "tonight", 100.0, woke=True))
        return dialog

    def inside(exercise_id: str) -> Callable[[], Dialog]:
        def started() -> Dialog:
            dialog = fresh()
            dialog.begin(exercise_id)
            return dialog
        return started

    requests = [IntentResult(intent, intent, 100.0, woke=True) for intent in intents]
    requests += [IntentResult(term, "define", 100.0, {"term": term}, woke=True)
                 for term in answers.definitions]
    replies = [fresh().unclear()]
    for request in requests:
        for state in (fresh, offering, *(inside(e) for e in exercises)):
            dialog = state()
            allowed = dialog.allowed_intents()
            if allowed is None or request.intent in allowed:
                replies.append(dialog.heard(request))
    openings = (next((split_pieces(e.text)[0][0] for e in events if isinstance(e, Say)), None)
                for events in replies)
    return list(dict.fromkeys(o for o in openings if o))


def keep_reply_openings(synthesizer, openings: Callable[[], list[str]],
                        rate_wpm: int) -> threading.Thread:
    """Find the `openings` and render them at `rate_wpm` into the voice's kept pieces, in a
    daemon thread (a few seconds for a neural voice, once, after start-up)."""
    def render() -> None:
        began = time.perf_counter()
        try:
            count = synthesizer.keep(openings(), rate_wpm)
        except VoiceCoachError as error:  # the live render will say it again, to the user
            log.warning("rendering the reply openings ahead failed: %s", error)
            return
        log.debug("rendered %d reply openings ahead in %.1f s", count,
                  time.perf_counter() - began)

    thread = threading.Thread(target=render, name="replies-ahead", daemon=True)
    thread.start()
    return thread
