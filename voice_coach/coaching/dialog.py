"""The coach's brain: decides what an utterance means *now* and what the coach does about it.

Idle, a request needs the wake word ("coach, breathe with us"); right after the coach has spoken,
a follow-up does not ("what's a bid for connection?" ... "yes"). During an exercise, short controls
work without the wake word, and while partners share only short standalone commands count, so
"I wish the rain would stop" never stops anything. Pure: events out, no audio, injected clock."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from ..settings import Settings
from ..understanding.intent import IntentResult
from ..understanding.templates import number_words
from ..understanding.wake_word import WakeWord
from . import progress as progress_module
from . import tonight as tonight_module
from .answers import Answers
from .clock import Clock
from .exercises import Exercise
from .history import SessionRecord
from .session import (
    ADJUSTMENTS,
    Delivery,
    Event,
    Interrupt,
    Say,
    Session,
    SpeechSeconds,
    State,
    about,
)

FOLLOW_UP_SECONDS = 8.0
"""After the coach speaks, this long a reply needs no wake word."""
OFFER_SECONDS = 20.0
"""How long a "shall we?" waits for yes or no (couples confer first)."""
SHARING_WORDS = 4
"""While a partner shares, an utterance longer than this is their sharing, not a command."""
NOT_CAUGHT = "Sorry, I didn't catch that. Say coach, help, to hear what I can do."
"""The answer to a request made to the coach by name that it could not understand."""


class Matcher(Protocol):
    def match(self, text: str, allowed: Collection[str] | None = None,
              confirmed: bool = True) -> IntentResult: ...


class HistoryLike(Protocol):
    def start(self, exercise: str, when: datetime) -> int: ...
    def finish(self, session_id: int, when: datetime, completed: bool) -> None: ...
    def add_rating(self, session_id: int, label: str, value: int) -> None: ...
    def recent(self, limit: int | None = None) -> list[SessionRecord]: ...


@dataclass(frozen=True)
class Heard:
    """What the coach heard and made of it: `intent` is None when it was not for the coach."""

    t: float
    text: str
    intent: str | None
    slots: dict


class Mode(Enum):
    IDLE = "idle"
    """Waiting for the wake word."""
    CONVERSING = "conversing"
    """The coach just spoke; a reply needs no wake word until the follow-up window closes."""
    OFFERING = "offering"
    """The coach asked "shall we?"; yes starts the exercise."""
    EXERCISE = "exercise"


# mode -> modes it may go to. Every change goes through _become, which checks this table.
TRANSITIONS: dict[Mode, frozenset[Mode]] = {
    Mode.IDLE: frozenset({Mode.CONVERSING, Mode.OFFERING, Mode.EXERCISE}),
    Mode.CONVERSING: frozenset({Mode.IDLE, Mode.CONVERSING, Mode.OFFERING, Mode.EXERCISE}),
    Mode.OFFERING: frozenset({Mode.IDLE, Mode.CONVERSING, Mode.OFFERING, Mode.EXERCISE}),
    Mode.EXERCISE: frozenset({Mode.IDLE}),
}

_IDLE_HELP = (
    "You can say: breathe with us, a hug, rose thorn bud, or what should we do tonight. "
    "Or ask me what emotional intimacy is."
)
_DEFINE_WHICH = (
    "I can explain emotional safety, a bid for connection, repair, or a ritual of "
    "connection. Which one?"
)


@dataclass
class Dialog:
    """Feed it what was heard (`hear` with text, or `heard` with a matched result), tell it when
    the speaker finished, and `poll` it when `next_deadline` comes; render the events it returns."""

    exercises: Mapping[str, Exercise]
    answers: Answers
    clock: Clock
    speech_seconds: SpeechSeconds
    settings: Settings = Settings()
    matcher: Matcher | None = None
    history: HistoryLike | None = None
    started_at: datetime | None = None
    """Wall time when the clock read its current value; default now. Wall time = this + clock."""
    pick: Callable[..., tonight_module.Suggestion] = tonight_module.pick
    progress: Callable[[Iterable[SessionRecord], datetime], progress_module.Progress] = (
        progress_module.summary
    )

    def __post_init__(self) -> None:
        self.mode = Mode.IDLE
        self.session: Session | None = None
        self._wall_origin = (self.started_at or datetime.now(), self.clock.now())
        self._night = self._is_night()
        self._delivery = self._base_delivery()
        self._speaking_until = self.clock.now()
        self._window_until = 0.0
        self._offer: str | None = None
        self._last_say = Say(0.0, "", 0.0, 0.0)
        self._record_id: int | None = None
        self._events: list[Event | Heard] = []

    # ---- inputs -------------------------------------------------------------------------------

    def hear(self, text: str, restrict: Collection[str] | None = None,
             confirmed: bool = True) -> list[Event | Heard]:
        """Match `text` with the injected matcher, restricted to what counts right now (and to
        `restrict`, e.g. the controls that may interrupt the coach's own voice); `confirmed` as
        in Transcript.confirmed."""
        if self.matcher is None:
            raise ValueError("Dialog.hear needs a matcher; pass matched results to heard() instead")
        woke, rest = self._split_wake(text)
        allowed = self.allowed_intents()
        if restrict is not None:
            allowed = frozenset(restrict) if allowed is None else allowed & frozenset(restrict)
        result = self.matcher.match(rest, allowed=allowed, confirmed=confirmed)
        return self.heard(replace(result, text=text, woke=woke))

    def heard(self, result: IntentResult) -> list[Event | Heard]:
        self._run_due()
        now = self.clock.now()
        woke = result.woke or self._split_wake(result.text)[0]
        intent = self._gate(result, woke)
        slots = dict(result.slots) if intent else {}
        self._emit(Heard(now, result.text, intent, slots))
        if self.mode is Mode.EXERCISE:
            self._take(self.session.heard(replace(result, intent=intent, slots=slots, woke=woke)))
            self._after_session()
        elif intent is not None:
            self._respond(intent, slots, result.text)
        elif woke and self.mode is Mode.IDLE:
            self._reply(
                "Yes?"
                if not self._split_wake(result.text)[1]
                else NOT_CAUGHT
            )
        return self._drain()

    def unclear(self) -> list[Event | Heard]:
        """Someone called the coach by name and the rest could not be made out
        (Transcript.addressed): between exercises the coach asks them to say it again, as it does
        for a request it heard but does not know; inside an exercise the exercise goes on."""
        self._run_due()
        self._emit(Heard(self.clock.now(), self.wake.text, None, {}))
        if self.mode is Mode.IDLE:
            self._reply(NOT_CAUGHT)
        return self._drain()

    def begin(self, exercise_id: str) -> list[Event | Heard]:
        """Start an exercise now, as a direct request would (`voice-coach run EXERCISE`)."""
        self._refresh_night()
        self._start(exercise_id, preamble=_sentence(self._duration(exercise_id)))
        return self._drain()

    def speech_finished(self, said: Say | str | None = None) -> list[Event | Heard]:
        """The speaker finished playing `said`: pass the Say event itself (not only its text), so
        neither an aside nor an interrupted copy of a sentence is taken for the current one."""
        self._run_due()
        if self.mode is Mode.EXERCISE:
            self._take(self.session.speech_finished(said))
            self._after_session()
        elif said is None or said in (self._last_say, self._last_say.text):
            self._speaking_until = min(self._speaking_until, self.clock.now())
            self._open_window()
        return self._drain()

    def poll(self) -> list[Event | Heard]:
        self._run_due()
        return self._drain()

    def next_deadline(self) -> float | None:
        if self.mode is Mode.EXERCISE:
            return self.session.next_deadline()
        if self.mode in (Mode.CONVERSING, Mode.OFFERING):
            return self._window_until
        return None

    # ---- what the live loop and chat ask ------------------------------------------------------

    def allowed_intents(self) -> frozenset[str] | None:
        """Intents worth matching now (None: all). Inside an exercise, controls only."""
        return self.session.allowed_intents() if self.mode is Mode.EXERCISE else None

    @property
    def sharing(self) -> bool:
        return self.mode is Mode.EXERCISE and self.session.sharing

    @property
    def idle(self) -> bool:
        return self.mode is Mode.IDLE

    @property
    def awaiting_reply(self) -> bool:
        """The coach has finished speaking and waits for someone: a partner's turn, an answer to a
        question, or (idle) a request."""
        if self.mode is Mode.EXERCISE:
            return self.session.state is State.LISTENING
        return self.clock.now() >= self._speaking_until

    @property
    def speaking_until(self) -> float:
        """When the coach's current speech should end (estimated or synthesized length)."""
        return self._speaking_until

    @property
    def delivery(self) -> Delivery:
        return self._delivery

    # ---- deciding -----------------------------------------------------------------------------

    def _gate(self, result: IntentResult, woke: bool) -> str | None:
        """The intent that counts in this mode, or None."""
        intent = result.intent
        if intent is None:
            return None
        if self.mode is Mode.EXERCISE:
            if intent not in self.session.allowed_intents():
                return None
            if self.session.sharing and not woke and _word_count(result.text) > SHARING_WORDS:
                return None
            return intent
        if self.mode is Mode.IDLE and self.wake.words and not woke:
            return None
        return intent

    def _respond(self, intent: str, slots: dict, text: str) -> None:
        self._refresh_night()
        if intent in self.exercises:
            self._start(intent, preamble=_sentence(self._duration(intent)))
        elif intent == "tonight":
            self._suggest(text)
        elif intent == "yes" and self.mode is Mode.OFFERING:
            self._start(self._offer, preamble=None)
        elif intent == "no" and self.mode is Mode.OFFERING:
            self._reply("All right. I'm here when you want me.", then=Mode.IDLE)
        elif intent in ("stop", "pause"):
            self._hush()
        elif intent == "progress":
            records = self.history.recent() if self.history else []
            self._reply(self.progress(records, self._wall_now()).message)
        elif intent == "define" and not slots.get("term"):
            self._reply(_DEFINE_WHICH)
        elif self.answers.find(intent, slots.get("term")) is not None:
            answer = self.answers.find(intent, slots.get("term"))
            self._offer_exercise(answer.offer, answer.text)
        elif intent in ADJUSTMENTS:
            self._delivery, said = self._delivery.adjusted(intent)
            self._reply(said)
        elif intent == "help":
            self._reply(_IDLE_HELP)
        elif intent == "repeat" and self._last_say.text:
            self._reply(self._last_say.text, then=self.mode)
        elif intent == "time_left":
            self._reply("Nothing is running right now.")

    def _suggest(self, text: str) -> None:
        records = self.history.recent() if self.history else []
        choice = self.pick(records, self._wall_now(), hints=text, night=self.settings.night,
                           exercises=self.exercises)
        duration = self._duration(choice.exercise)
        # The reason already names the exercise; the question comes last, so "yes" comes next.
        self._offer = choice.exercise
        self._reply(f"{choice.reason} It takes {duration}. Shall we?", then=Mode.OFFERING)

    def _offer_exercise(self, exercise_id: str, lead_in: str) -> None:
        exercise = self.exercises[exercise_id]
        self._offer = exercise_id
        duration = self._duration(exercise_id)
        self._reply(f"{lead_in} Want to try {exercise.name}, {duration}?", then=Mode.OFFERING)

    def _duration(self, exercise_id: str) -> str:
        """How long it takes, said before it starts. Breathing's follows the breath settings, so
        a couple who set ten breaths is not told "six breaths"."""
        exercise = self.exercises[exercise_id]
        breath = self.settings.breathing
        step = next((s for s in exercise.steps if s.kind == "breathe"), None)
        if exercise_id != "breathing" or step is None or breath.count == step.count:
            return exercise.duration
        seconds = breath.count * breath.cycle_s
        unit = "breath" if breath.count == 1 else "breaths"
        return f"{number_words(breath.count)} {unit}, {about(seconds)}"

    def _start(self, exercise_id: str, preamble: str | None) -> None:
        self._hush_if_speaking()
        self.session = new_session(
            self.exercises[exercise_id],
            self.settings,
            self.clock,
            self.speech_seconds,
            self._delivery,
            preamble,
        )
        self._become(Mode.EXERCISE)
        self._offer = None
        if self.history is not None:
            self._record_id = self.history.start(exercise_id, self._wall_now())
        self._take(self.session.start())

    def _after_session(self) -> None:
        """Back to idle when the exercise has ended, with its outcome kept in the history."""
        if self.mode is not Mode.EXERCISE or self.session.state is not State.ENDED:
            return
        self._delivery = self.session.delivery
        if self.history is not None and self._record_id is not None:
            self.history.finish(self._record_id, self._wall_now(), self.session.completed)
            for rating in self.session.ratings:
                self.history.add_rating(self._record_id, rating.label, rating.value)
        self._record_id = None
        self._become(Mode.IDLE)

    # ---- speaking -----------------------------------------------------------------------------

    def _reply(self, text: str, then: Mode = Mode.CONVERSING) -> None:
        self._hush_if_speaking()
        now = self.clock.now()
        self._last_say = Say(now, text, self._delivery.rate, self._delivery.volume)
        self._emit(self._last_say)
        self._speaking_until = now + self.speech_seconds(text, self._delivery.rate)
        self._become(then)
        self._open_window()

    def _hush_if_speaking(self) -> None:
        if self.clock.now() < self._speaking_until:
            self._hush()

    def _hush(self) -> None:
        now = self.clock.now()
        self._emit(Interrupt(now))
        self._speaking_until = now
        if self.mode in (Mode.CONVERSING, Mode.OFFERING):
            self._become(Mode.IDLE)

    def _open_window(self) -> None:
        wait = OFFER_SECONDS if self.mode is Mode.OFFERING else FOLLOW_UP_SECONDS
        self._window_until = self._speaking_until + wait

    # ---- bookkeeping --------------------------------------------------------------------------

    def _run_due(self) -> None:
        if self.mode is Mode.EXERCISE:
            self._take(self.session.poll())
            self._after_session()
        elif (
            self.mode in (Mode.CONVERSING, Mode.OFFERING) and self.clock.now() >= self._window_until
        ):
            self._offer = None
            self._become(Mode.IDLE)

    def _become(self, mode: Mode) -> None:
        if mode is not self.mode and mode not in TRANSITIONS[self.mode]:
            raise RuntimeError(f"dialog: cannot go from {self.mode.value} to {mode.value}")
        self.mode = mode

    def _take(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Say):
                self._speaking_until = max(
                    self._speaking_until, event.t + self.speech_seconds(event.text, event.rate)
                )
            elif isinstance(event, Interrupt):
                self._speaking_until = event.t
            self._emit(event)

    def _emit(self, event: Event | Heard) -> None:
        self._events.append(event)

    def _drain(self) -> list[Event | Heard]:
        events, self._events = self._events, []
        return events

    def _wall_now(self) -> datetime:
        origin, clock_origin = self._wall_origin
        return origin + timedelta(seconds=self.clock.now() - clock_origin)

    def _is_night(self) -> bool:
        return self.settings.night.includes(self._wall_now().time())

    def _base_delivery(self) -> Delivery:
        speech = self.settings.speech_at(self._wall_now())
        return Delivery(rate=float(speech.rate_wpm), volume=speech.volume)

    def _refresh_night(self) -> None:
        """Night starts (or ends) between requests: the voice follows, dropping earlier changes."""
        if self._is_night() != self._night:
            self._night = not self._night
            self._delivery = replace(
                self._base_delivery(), breath_scale=self._delivery.breath_scale
            )

    @property
    def wake(self) -> WakeWord:
        """The settings' wake word (the live loop asks it too)."""
        return self.settings.wake

    def _split_wake(self, text: str) -> tuple[bool, str]:
        """Whether `text` is addressed by the configured wake word, and the rest of it."""
        woke, rest = self.wake.split(re.findall(r"[a-z0-9']+", text.lower()))
        return woke, " ".join(rest)


def _word_count(text: str) -> int:
    return len(re.findall(r"[a-z0-9']+", text.lower()))


def _sentence(phrase: str) -> str:
    phrase = phrase.strip()
    return phrase[:1].upper() + phrase[1:] + ("" if phrase.endswith((".", "?", "!")) else ".")


def new_session(
    exercise: Exercise,
    settings: Settings,
    clock: Clock,
    speech_seconds: SpeechSeconds,
    delivery: Delivery | None = None,
    preamble: str | None = None,
) -> Session:
    """A session as the user set things up: partner names, breath pace, and (for the breathing
    exercise) the number of breaths."""
    names = settings.people.partner_names
    breath = settings.breathing
    if delivery is None:
        delivery = Delivery(rate=float(settings.speech.rate_wpm), volume=settings.speech.volume)
    return Session(
        exercise,
        clock,
        speech_seconds,
        delivery=delivery,
        preamble=preamble,
        partners=(names[0], names[1]) if len(names) == 2 else (None, None),
        breath=(breath.inhale_s, breath.hold_s, breath.exhale_s),
        breaths=breath.count if exercise.id == "breathing" else None,
    )
