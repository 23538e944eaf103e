"""One exercise, run as a pure state machine on an injected clock.

Inputs: what the partners said (IntentResults), "the speaker finished" notices, and the passing of
time (`poll`). Outputs: events stamped with the time they are due (Say, Cue, Listen, Interrupt,
Start, End), which the live assistant renders and `chat`/`plan` print. No audio, no wall clock: a
ten-minute session runs in milliseconds on a VirtualClock.

Timing is kept on a "session clock" that stops while paused, and every scheduled item is stamped
with its due time rather than the moment it was noticed: pause and resume shift the whole schedule
by exactly the pause, and late polling never accumulates drift."""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

from ..settings import SpeechSettings
from ..understanding.catalog import CONTROL_INTENTS
from ..understanding.intent import IntentResult
from ..understanding.templates import number_words
from .clock import Clock, VirtualClock
from .exercises import Exercise, Step, StepKind
from .history import Rating

SpeechSeconds = Callable[[str, float], float]
"""How long `text` takes to say at `rate` words per minute (the synthesizer knows; chat guesses)."""

CONTROLS = frozenset(CONTROL_INTENTS)
"""What can be said during an exercise (plus "number" while a rating listens)."""
CUE_SECONDS = 1.0
"""A cue sound's length: a cue step waits this long, and speech after an end bell starts this late
so the two never overlap."""
PAUSE_LIMIT = 30 * 60.0
"""A session paused this long ends quietly (they fell asleep); it never resumes by itself."""


class AfterSpeech(StrEnum):
    """What a step does once its script speech has been said."""

    NEXT = "next"
    """Go on to the next step."""
    LISTEN = "listen"
    """Wait for the partners (a prompt, a rating, a question)."""
    END = "end"
    """End the exercise (it was closed early)."""


@dataclass(frozen=True)
class Delivery:
    """How the coach sounds and paces; the controls change it and the dialog keeps it."""

    rate: float = float(SpeechSettings.rate_wpm)
    """Speech rate, words per minute (the settings' default until the dialog passes the user's)."""
    volume: float = SpeechSettings.volume
    """0 to 1."""
    breath_scale: float = 1.0
    """Every breath phase is multiplied by this; slower makes it larger."""

    def slower(self) -> Delivery:
        return replace(
            self, rate=max(110.0, self.rate * 0.9), breath_scale=min(1.6, self.breath_scale * 1.15)
        )

    def faster(self) -> Delivery:
        return replace(
            self, rate=min(220.0, self.rate / 0.9), breath_scale=max(0.7, self.breath_scale / 1.15)
        )

    def louder(self) -> Delivery:
        return replace(self, volume=min(1.0, round(self.volume + 0.15, 2)))

    def quieter(self) -> Delivery:
        return replace(self, volume=max(0.2, round(self.volume - 0.15, 2)))

    def adjusted(self, control: str) -> tuple[Delivery, str]:
        """The delivery after "slower", "faster", "louder" or "quieter", and what the coach says:
        the change, or that it is already at the limit."""
        change, said, at_limit = ADJUSTMENTS[control]
        changed = change(self)
        return changed, (at_limit if changed == self else said)


ADJUSTMENTS: dict[str, tuple[Callable[[Delivery], Delivery], str, str]] = {
    "slower": (Delivery.slower, "Slower.", "That's as slow as I go."),
    "faster": (Delivery.faster, "A little faster.", "That's as fast as I go."),
    "louder": (Delivery.louder, "Louder.", "That's as loud as I go."),
    "quieter": (Delivery.quieter, "Quieter.", "That's as quiet as I go."),
}
"""Each delivery control: what it changes, what the coach says, and what it says at the limit."""


# Events: each carries `t`, the clock time it is due.
@dataclass(frozen=True)
class Say:
    t: float
    text: str
    rate: float
    volume: float
    seconds: float | None = None
    """How long it sounds, once the live loop has rendered it; unknown before."""


@dataclass(frozen=True)
class Cue:
    t: float
    phase: str
    """inhale, hold, exhale, timer_start or timer_end."""


@dataclass(frozen=True)
class Listen:
    """The coach now waits for a partner: sharing (prompt), a number (rating) or yes/no (ask)."""

    t: float
    until: float
    allowed: frozenset[str]
    sharing: bool


@dataclass(frozen=True)
class Interrupt:
    """Silence whatever is playing, now."""

    t: float


@dataclass(frozen=True)
class Start:
    t: float
    exercise: str


@dataclass(frozen=True)
class End:
    t: float
    exercise: str
    completed: bool


Event = Say | Cue | Listen | Interrupt | Start | End



class State(Enum):
    READY = "ready"
    SPEAKING = "speaking"
    """Script speech plays; the step goes on when it ends."""
    TIMING = "timing"
    """A timer, silence, cue or breath schedule runs."""
    LISTENING = "listening"
    """Waiting for a partner, within a time box."""
    PAUSED = "paused"
    ENDED = "ended"


class Trigger(Enum):
    START = "start"
    STEP = "step"
    """Enter a step (the next one, or the same one again)."""
    SPEECH_DONE = "speech_done"
    ANSWER = "answer"
    """A rating was given: the coach says it back."""
    CLOSE = "close"
    """The exercise ends early on a kind sentence (a "no", or no answer in time)."""
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"


_RUNNING = frozenset({State.SPEAKING, State.TIMING, State.LISTENING})
_STEP_STATES = _RUNNING | {State.ENDED}
# trigger -> (states it may fire from, states it may lead to). Anything else is a bug in this
# module, never a user's mistake.
TRANSITIONS: dict[Trigger, tuple[frozenset[State], frozenset[State]]] = {
    Trigger.START: (frozenset({State.READY}), _STEP_STATES),
    Trigger.STEP: (_RUNNING, _STEP_STATES),
    Trigger.SPEECH_DONE: (frozenset({State.SPEAKING}), frozenset({State.LISTENING})),
    Trigger.ANSWER: (frozenset({State.LISTENING}), frozenset({State.SPEAKING})),
    Trigger.CLOSE: (_RUNNING, frozenset({State.SPEAKING})),
    Trigger.PAUSE: (_RUNNING, frozenset({State.PAUSED})),
    Trigger.RESUME: (frozenset({State.PAUSED}), _RUNNING),
    Trigger.END: (_RUNNING | {State.PAUSED}, frozenset({State.ENDED})),
}

_HELP = {
    "say": "You can say pause, repeat, next, slower, or stop.",
    "breathe": "Just breathe. You can say pause, slower, faster, or stop.",
    "timer": "Stay close. You can say pause, time left, or stop.",
    "prompt": "Take your time. Say done when you've finished, or pause, or stop.",
    "rating": "Say a number from one to ten, or skip.",
    "ask": "Say yes to go on, or no to stop here.",
    "paused": "We're paused. Say resume to go on, or stop to finish.",
}
_SENTENCE_START = re.compile(r"(?:^|[.?!]\s+)[a-z]")
_PHASE_WORDS = {"inhale": "Breathing in.", "hold": "Holding.", "exhale": "Breathing out."}


class Session:
    """Runs one exercise. Call `start()`, then `heard()`, `speech_finished()` and `poll()`; each
    returns the events now due. `next_deadline()` says when to poll next."""

    def __init__(
        self,
        exercise: Exercise,
        clock: Clock,
        speech_seconds: SpeechSeconds,
        *,
        partners: tuple[str | None, str | None] = (None, None),
        delivery: Delivery = Delivery(),
        breath: tuple[float, float, float] | None = None,
        breaths: int | None = None,
        preamble: str | None = None,
    ) -> None:
        """`breath` (inhale, hold, exhale seconds) and `breaths` (how many) replace the files'
        values, e.g. from the settings; `preamble` is said first (how long it takes)."""
        self.exercise = exercise
        self.delivery = delivery
        self.ratings: list[Rating] = []
        self.state = State.READY
        self.completed = False
        self._clock = clock
        self._speech_seconds = speech_seconds
        self._partners = partners
        self._breath = breath
        self._breaths = breaths
        said_first = (Step(kind=StepKind.SAY, text=preamble),) if preamble else ()
        self._steps = said_first + exercise.steps
        self._index = 0
        self._agenda: list[tuple[float, int, tuple]] = []
        self._order = itertools.count()
        self._paused_total = 0.0
        self._paused_at = 0.0
        self._paused_from = State.READY
        self._at = 0.0
        self._events: list[Event] = []
        self._after_speech = AfterSpeech.NEXT
        self._script_say = Say(0.0, "", delivery.rate, delivery.volume)
        self._last_script = ""
        self._breath_index = 0
        self._breath_end = 0.0

    # ---- inputs -------------------------------------------------------------------------------

    def start(self) -> list[Event]:
        self._at = self._session_now()
        self._emit(Start(self._real(self._at), self.exercise.id))
        self._enter(0, Trigger.START)
        return self._drain()

    def poll(self) -> list[Event]:
        """Everything due by now, each stamped with the time it was due."""
        self._run_due()
        return self._drain()

    def speech_finished(self, said: Say | str | None = None) -> list[Event]:
        """The speaker finished playing `said` (best: the Say event itself) early or late: go on
        from now. A finished aside must not move the step, nor may the old copy of a sentence
        that was interrupted and started again, which is why the event is better than its text."""
        self._run_due()
        if self.state is not State.SPEAKING:
            return self._drain()
        self._at = self._session_now()
        is_script = (
            said == self._script_say
            if isinstance(said, Say)
            else said in (None, self._script_say.text)
        )
        aside_playing = any(action == ("restart",) for _, _, action in self._agenda)
        if aside_playing and not is_script:
            self._drop(("restart",))
            self._respeak()
        elif not aside_playing and is_script:
            self._drop(("speech_done",))
            self._speech_done()
        return self._drain()

    def heard(self, result: IntentResult) -> list[Event]:
        """React to one utterance. Free speech (intent None) never moves the session."""
        self._run_due()
        if self.state in (State.READY, State.ENDED) or result.intent is None:
            return self._drain()
        self._at = self._session_now()
        intent = result.intent
        if self.state is State.PAUSED and intent in ("next", "repeat"):
            self._resume(quietly=True)
        handler = self._handlers.get(intent)
        if handler is not None:
            handler(result)
        return self._drain()

    @property
    def _handlers(self) -> dict[str, Callable[[IntentResult], None]]:
        """What each intent does during an exercise; an intent not here is ignored."""
        adjust = dict.fromkeys(ADJUSTMENTS, self._on_adjust)
        return {"stop": self._on_stop, "pause": self._on_pause, "resume": self._on_resume,
                "repeat": self._on_repeat, "next": self._on_next, "yes": self._on_yes,
                "no": self._on_no, "number": self._on_number, "help": self._on_help,
                "time_left": self._on_time_left, **adjust}

    def next_deadline(self) -> float | None:
        """Clock time of the next scheduled item, or None when nothing is scheduled."""
        if self.state is State.PAUSED:
            return self._paused_at + PAUSE_LIMIT
        if self.state is State.ENDED or not self._agenda:
            return None
        return self._real(self._agenda[0][0])

    # ---- what the dialog asks -----------------------------------------------------------------

    @property
    def step(self) -> Step | None:
        return self._steps[self._index] if self._index < len(self._steps) else None

    @property
    def sharing(self) -> bool:
        """Partners are talking freely: only short standalone commands count."""
        return (
            self.state is State.LISTENING and self.step is not None and self.step.kind == "prompt"
        )

    def allowed_intents(self) -> frozenset[str]:
        if self.state is State.LISTENING and self.step is not None and self.step.kind == "rating":
            return CONTROLS | {"number"}
        return CONTROLS

    def seconds_left(self) -> float:
        """An estimate of the rest of the exercise, for "time left" and for plans."""
        if self.state is State.ENDED:
            return 0.0
        paused = self.state is State.PAUSED
        now = self._paused_at - self._paused_total if paused else self._session_now()
        later = sum(self._planned(step) for step in self._steps[self._index + 1 :])
        step = self.step
        if step is None or self.state is State.READY:
            return later + (self._planned(step) if step else 0.0)
        if step.kind == "breathe" and self._breath_end:
            breaths_after = self._count(step) - self._breath_index - 1
            return (
                max(0.0, self._breath_end - now) + breaths_after * self._breath_length(step) + later
            )
        if self.state in (State.TIMING, State.LISTENING) and self._agenda:
            bell = CUE_SECONDS if step.kind in ("timer", "prompt") and step.end_cue else 0.0
            return max(0.0, max(at for at, _, _ in self._agenda) - now) + bell + later
        return self._planned(step) + later

    # ---- controls -----------------------------------------------------------------------------

    def _on_stop(self, _: IntentResult) -> None:
        self._emit(Interrupt(self._real(self._at)))
        self._say_now("Okay, stopping here.")
        self._finish(completed=False)

    def _on_pause(self, _: IntentResult) -> None:
        if self.state is State.PAUSED:
            self._say_now(_HELP["paused"])
            return
        if self.state is State.SPEAKING:
            self._emit(Interrupt(self._real(self._at)))
            self._drop(("speech_done",), ("restart",))
        self._paused_from = self.state
        self._paused_at = self._real(self._at)
        self._fire(Trigger.PAUSE, State.PAUSED)
        self._say_now("Paused. Say resume when you're ready.")

    def _on_resume(self, result: IntentResult) -> None:
        if self.state is State.PAUSED:
            self._resume(quietly=False)
        else:
            # "okay, we're ready" / "go on" answers "say yes when you're ready"
            self._on_yes(result)

    def _on_repeat(self, _: IntentResult) -> None:
        if self.state is State.TIMING:
            self._aside(self._last_script or _HELP[self._help_key()])
        elif self.state is State.SPEAKING:
            self._emit(Interrupt(self._real(self._at)))
            self._drop(("speech_done",), ("restart",))
            self._respeak()
        else:
            self._enter(self._index, Trigger.STEP)

    def _on_next(self, _: IntentResult) -> None:
        if self.state is State.SPEAKING:
            self._emit(Interrupt(self._real(self._at)))
        self._enter(self._index + 1, Trigger.STEP)

    def _on_yes(self, result: IntentResult) -> None:
        if self.state is State.LISTENING and self.step is not None and self.step.kind == "ask":
            self._on_next(result)

    def _on_no(self, _: IntentResult) -> None:
        if self.state is State.LISTENING and self.step is not None and self.step.kind == "ask":
            self._close_early(self.step.if_no or "All right, let's leave it there.")

    def _on_number(self, result: IntentResult) -> None:
        step = self.step
        value = result.slots.get("value")
        if self.state is not State.LISTENING or step is None or step.kind != "rating":
            return
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
            return
        self.ratings.append(Rating(f"{self._partner_label(step)}{step.label}", value))
        if step.say_back:
            self._agenda.clear()
            self._fire(Trigger.ANSWER, State.SPEAKING)
            said_back = self._fill(step.say_back, step, value=number_words(value))
            self._speak(said_back, then=AfterSpeech.NEXT)
        else:
            self._enter(self._index + 1, Trigger.STEP)

    def _on_adjust(self, result: IntentResult) -> None:
        self.delivery, said = self.delivery.adjusted(result.intent)
        self._aside(said)

    def _on_help(self, _: IntentResult) -> None:
        self._aside(_HELP[self._help_key()])

    def _on_time_left(self, _: IntentResult) -> None:
        self._aside(f"{about(self.seconds_left()).capitalize()} left.")

    # ---- the machine --------------------------------------------------------------------------

    def _fire(self, trigger: Trigger, target: State) -> None:
        sources, targets = TRANSITIONS[trigger]
        if self.state not in sources or target not in targets:
            raise RuntimeError(
                f"session: {trigger.value} cannot go from {self.state.value} to {target.value}"
            )
        self.state = target

    def _enter(self, index: int, trigger: Trigger) -> None:
        """Begin step `index` at `self._at`; the agenda only ever holds the current step's items."""
        self._agenda.clear()
        self._index = index
        self._breath_end = 0.0
        step = self.step
        if step is None:
            self._fire(trigger, State.ENDED)
            self.completed = True
            self._emit(End(self._real(self._at), self.exercise.id, True))
            return
        if step.kind in ("say", "prompt", "rating", "ask"):
            self._fire(trigger, State.SPEAKING)
            then = AfterSpeech.NEXT if step.kind is StepKind.SAY else AfterSpeech.LISTEN
            self._speak(self._fill(step.text, step), then=then)
            return
        self._fire(trigger, State.TIMING)
        if step.kind == "cue":
            self._emit(Cue(self._real(self._at), step.phase))
            self._schedule(self._at + CUE_SECONDS, ("step",))
        elif step.kind == "silence":
            self._schedule(self._at + step.seconds, ("step",))
        elif step.kind == "timer":
            if step.start_cue:
                self._emit(Cue(self._real(self._at), "timer_start"))
            self._schedule(self._at + step.seconds, ("timer_end",))
        else:
            self._breathe(0)

    def _breathe(self, number: int) -> None:
        step = self.step
        inhale, hold, exhale = self._phases(step)
        self._breath_index = number
        self._breath_end = self._at + inhale + hold + exhale
        self._emit(Cue(self._real(self._at), "inhale"))
        if hold:
            self._schedule(self._at + inhale, ("cue", "hold"))
        self._schedule(self._at + inhale + hold, ("cue", "exhale"))
        last = number + 1 >= self._count(step)
        self._schedule(self._breath_end, ("step",) if last else ("breath", number + 1))

    def _run_due(self) -> None:
        if self.state is State.PAUSED and self._clock.now() >= self._paused_at + PAUSE_LIMIT:
            self._at = self._paused_at + PAUSE_LIMIT - self._paused_total
            self._finish(completed=False)
        # Compared on the real clock exactly as next_deadline() reports it, so a caller that waits
        # until that deadline always finds the item due (no rounding gap between the two clocks).
        while (
            self.state in _RUNNING
            and self._agenda
            and self._real(self._agenda[0][0]) <= self._clock.now()
        ):
            self._at, _, action = heapq.heappop(self._agenda)
            self._act(action)

    def _act(self, action: tuple) -> None:
        kind = action[0]
        if kind == "speech_done":
            self._speech_done()
        elif kind == "restart":
            self._respeak()
        elif kind == "step":
            self._enter(self._index + 1, Trigger.STEP)
        elif kind == "breath":
            self._breathe(action[1])
        elif kind == "cue":
            self._emit(Cue(self._real(self._at), action[1]))
        elif kind == "timer_end":
            if self.step.end_cue:
                self._emit(Cue(self._real(self._at), "timer_end"))
            self._schedule(self._at + (CUE_SECONDS if self.step.end_cue else 0.0), ("step",))
        elif kind == "time_up":
            self._time_up()

    def _speech_done(self) -> None:
        if self._after_speech is AfterSpeech.END:
            self._finish(completed=False)
        elif self._after_speech is AfterSpeech.NEXT:
            self._enter(self._index + 1, Trigger.STEP)
        else:
            step = self.step
            self._fire(Trigger.SPEECH_DONE, State.LISTENING)
            until = self._at + step.seconds
            self._schedule(until, ("time_up",))
            self._emit(
                Listen(
                    self._real(self._at), self._real(until), self.allowed_intents(), self.sharing
                )
            )

    def _time_up(self) -> None:
        step = self.step
        if step.kind == "ask":
            self._close_early("I'll leave it there for now.")
        elif step.kind == "prompt" and step.end_cue:
            self._emit(Cue(self._real(self._at), "timer_end"))
            self._schedule(self._at + CUE_SECONDS, ("step",))
        else:
            self._enter(self._index + 1, Trigger.STEP)

    def _resume(self, quietly: bool) -> None:
        now = self._clock.now()
        self._paused_total += now - self._paused_at
        self._at = self._session_now()
        previous = self._paused_from
        self._fire(Trigger.RESUME, previous)
        if quietly:
            return
        if previous is State.SPEAKING:
            self._respeak()
        else:
            phase = self._current_phase()
            self._say_now(_PHASE_WORDS[phase] if phase else "Go on.")

    def _close_early(self, text: str) -> None:
        self._agenda.clear()
        self._fire(Trigger.CLOSE, State.SPEAKING)
        self._speak(text, then=AfterSpeech.END)

    def _finish(self, completed: bool) -> None:
        self._agenda.clear()
        self._fire(Trigger.END, State.ENDED)
        self.completed = completed
        self._emit(End(self._real(self._at), self.exercise.id, completed))

    # ---- speech -------------------------------------------------------------------------------

    def _speak(self, text: str, then: AfterSpeech) -> None:
        """Script speech: the step waits for it."""
        self._after_speech = then
        self._script_say = Say(self._real(self._at), text, self.delivery.rate, self.delivery.volume)
        if then is not AfterSpeech.END:
            self._last_script = text
        self._emit(self._script_say)
        self._schedule(self._at + self._speech_seconds(text, self.delivery.rate), ("speech_done",))

    def _respeak(self) -> None:
        """Say the interrupted script speech again, from the start, in the current voice."""
        self._speak(self._script_say.text, then=self._after_speech)

    def _say_now(self, text: str) -> None:
        self._emit(Say(self._real(self._at), text, self.delivery.rate, self.delivery.volume))

    def _aside(self, text: str) -> None:
        """Speech that does not move the script. Over script speech, that speech stops and starts
        again afterwards; over breaths and timers the schedule is untouched."""
        if self.state is State.SPEAKING:
            self._emit(Interrupt(self._real(self._at)))
            self._drop(("speech_done",), ("restart",))
            self._schedule(self._at + self._speech_seconds(text, self.delivery.rate), ("restart",))
        self._say_now(text)

    # ---- helpers ------------------------------------------------------------------------------

    def _session_now(self) -> float:
        return self._clock.now() - self._paused_total

    def _real(self, session_time: float) -> float:
        return session_time + self._paused_total

    def _schedule(self, at: float, action: tuple) -> None:
        heapq.heappush(self._agenda, (at, next(self._order), action))

    def _drop(self, *actions: tuple) -> None:
        self._agenda = [item for item in self._agenda if item[2] not in actions]
        heapq.heapify(self._agenda)

    def _emit(self, event: Event) -> None:
        self._events.append(event)

    def _drain(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def _phases(self, step: Step) -> tuple[float, float, float]:
        scale = self.delivery.breath_scale
        return tuple(
            seconds * scale for seconds in self._breath or (step.inhale, step.hold, step.exhale)
        )

    def _count(self, step: Step) -> int:
        return self._breaths or step.count

    def _breath_length(self, step: Step) -> float:
        return sum(self._phases(step))

    def _current_phase(self) -> str | None:
        step = self.step
        if step is None or step.kind != "breathe" or not self._breath_end:
            return None
        inhale, hold, _ = self._phases(step)
        into = self._at - (self._breath_end - self._breath_length(step))
        return "inhale" if into < inhale else "hold" if into < inhale + hold else "exhale"

    def _help_key(self) -> str:
        if self.state is State.PAUSED:
            return "paused"
        step = self.step
        if step is None or step.kind in ("cue", "silence"):
            return "say"
        return step.kind

    def _planned(self, step: Step) -> float:
        speech = (
            self._speech_seconds(self._fill(step.text, step), self.delivery.rate)
            if step.text
            else 0.0
        )
        if step.kind == "breathe":
            return self._count(step) * self._breath_length(step)
        if step.kind == "cue":
            return CUE_SECONDS
        if step.kind in ("timer", "silence"):
            return step.seconds + (CUE_SECONDS if step.kind == "timer" and step.end_cue else 0.0)
        if step.kind == "prompt":
            return speech + step.seconds
        if step.kind == "rating":
            # A number is usually said within a few seconds; the time box is the exception.
            return speech + 5.0 + self._speech_seconds(step.say_back, self.delivery.rate)
        if step.kind == "ask":
            return speech + 3.0
        return speech

    def _partner_name(self, index: int) -> str:
        return self._partners[index] or ("first partner", "second partner")[index]

    def _partner_label(self, step: Step) -> str:
        return "" if step.partner is None else ("first partner: ", "second partner: ")[step.partner]

    def _fill(self, text: str, step: Step, value: str = "") -> str:
        names = {"first": self._partner_name(0), "second": self._partner_name(1), "value": value}
        if step.partner is not None:
            names["partner"] = self._partner_name(step.partner)
            names["other"] = self._partners[1 - step.partner] or "your partner"
        # "first partner" may begin a sentence
        return _SENTENCE_START.sub(lambda m: m.group(0).upper(), text.format(**names))


def estimate_speech_seconds(text: str, rate: float) -> float:
    """Speech length without a synthesizer (chat, plan, tests): words at `rate` words per minute,
    plus the short pauses a voice makes at punctuation."""
    words = len(text.split())
    pauses = sum(text.count(mark) for mark in ",.;:?!")
    return 0.2 + words * 60.0 / rate + 0.15 * pauses


def about(seconds: float) -> str:
    """A duration as said aloud: "about 40 seconds", "about 3 minutes"."""
    if seconds < 55:
        return f"about {max(5, round(seconds / 5) * 5)} seconds"
    minutes = max(1, round(seconds / 60))
    return "about a minute" if minutes == 1 else f"about {minutes} minutes"


def simulate(
    session: Session,
    clock: VirtualClock,
    said: list[tuple[float, IntentResult]] = (),
    answer: Callable[[Listen], IntentResult | None] | None = None,
) -> list[Event]:
    """Run a session to its end on a virtual clock, nothing waiting: `said` are utterances at
    clock times; `answer` may reply the moment the coach listens (plan answers "yes")."""
    pending = sorted(said, key=lambda item: item[0])
    events = session.start() if session.state is State.READY else []
    while session.state is not State.ENDED:
        deadline = session.next_deadline()
        if pending and (deadline is None or pending[0][0] <= deadline):
            when, utterance = pending.pop(0)
            clock.advance_to(when)
            new = session.heard(utterance)
        elif deadline is not None:
            clock.advance_to(deadline)
            new = session.poll()
        else:
            break
        events += new
        for event in new:
            reply = answer(event) if answer and isinstance(event, Listen) else None
            if reply is not None:
                pending.insert(0, (event.t, reply))
    return events
