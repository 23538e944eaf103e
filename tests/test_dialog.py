import re
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from voice_coach.coaching.answers import load_answers
from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.dialog import FOLLOW_UP_SECONDS, OFFER_SECONDS, Dialog, Heard, Mode
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.progress import Progress
from voice_coach.coaching.session import Cue, End, Listen, Say, Start, estimate_speech_seconds
from voice_coach.coaching.tonight import Suggestion
from voice_coach.settings import PeopleSettings, Settings

EXERCISES = load_exercises()
ANSWERS = load_answers(EXERCISES)
NOON = datetime(2026, 11, 26, 12, 0)
LATE = datetime(2026, 11, 26, 22, 30)


@dataclass(frozen=True)
class Result:
    text: str
    intent: str | None
    score: float = 100.0
    slots: dict = field(default_factory=dict)
    woke: bool = False


class FakeMatcher:
    """Exact phrases, plus one careless rule (any sentence with "stop" in it is stop), so the
    dialog's own guard for sharing partners is what these tests exercise."""

    PHRASES = {
        "breathe with us": ("breathing", {}),
        "a hug": ("hug", {}),
        "rose thorn bud": ("rose_thorn_bud", {}),
        "stress map": ("stress_map", {}),
        "what should we do tonight": ("tonight", {}),
        "we are stressed what should we do tonight": ("tonight", {}),
        "what is emotional intimacy": ("what_is_intimacy", {}),
        "what is repair": ("define", {"term": "repair"}),
        "define": ("define", {}),
        "how are we doing": ("progress", {}),
        "yes": ("yes", {}),
        "no": ("no", {}),
        "pause": ("pause", {}),
        "resume": ("resume", {}),
        "done": ("next", {}),
        "help": ("help", {}),
        "seven": ("number", {"value": 7}),
        "quieter": ("quieter", {}),
        "louder": ("louder", {}),
        "repeat": ("repeat", {}),
        "time left": ("time_left", {}),
    }

    def __init__(self):
        self.allowed = []

    def match(self, text, allowed=None, confirmed=True):
        self.allowed.append(allowed)
        words = " ".join(re.findall(r"[a-z']+", text.lower()))
        intent, slots = self.PHRASES.get(words, ("stop" if "stop" in words.split() else None, {}))
        if allowed is not None and intent not in allowed:
            intent, slots = None, {}
        return Result(text, intent, slots=slots)


class FakeHistory:
    def __init__(self):
        self.calls = []

    def start(self, exercise, when):
        self.calls.append(("start", exercise))
        return 1

    def finish(self, session_id, when, completed):
        self.calls.append(("finish", completed))

    def add_rating(self, session_id, label, value):
        self.calls.append(("rating", label, value))

    def recent(self, limit=None):
        return ["a record"]


def make(settings=None, started_at=NOON, **options):
    settings = settings or Settings()
    clock = VirtualClock()
    dialog = Dialog(
        EXERCISES,
        ANSWERS,
        clock,
        estimate_speech_seconds,
        settings=settings,
        matcher=options.pop("matcher", FakeMatcher()),
        started_at=started_at,
        **options,
    )
    return dialog, clock


def until(dialog, clock, seconds):
    """Run the dialog's clock forward, collecting what it does."""
    events, end = [], clock.now() + seconds
    while (deadline := dialog.next_deadline()) is not None and deadline <= end:
        clock.advance_to(deadline)
        events += dialog.poll()
    clock.advance_to(end)
    return events + dialog.poll()


def run_out(dialog, clock):
    events = []
    while (deadline := dialog.next_deadline()) is not None:
        clock.advance_to(deadline)
        events += dialog.poll()
    return events


def says(events):
    return [e.text for e in events if isinstance(e, Say)]


def kinds(events):
    return [type(e).__name__ for e in events]


def test_idle_requests_need_the_wake_word():
    dialog, _ = make()
    assert dialog.hear("breathe with us") == [Heard(0.0, "breathe with us", None, {})]


def test_a_direct_request_is_consent_and_says_how_long_first():
    dialog, _ = make()
    events = dialog.hear("coach, breathe with us")
    assert kinds(events)[:3] == ["Heard", "Start", "Say"]
    assert says(events)[0] == "Six breaths, about a minute."


def test_wake_word_may_come_last():
    dialog, _ = make()
    assert Start(0.0, "hug") in dialog.hear("a hug, coach")


def test_greeting_before_the_wake_word():
    dialog, _ = make()
    assert Start(0.0, "hug") in dialog.hear("hey coach a hug")


def test_wake_word_can_be_turned_off():
    dialog, _ = make(Settings(wake_word=None))
    assert Start(0.0, "hug") in dialog.hear("a hug")


def test_wake_word_is_configurable():
    dialog, _ = make(Settings(wake_word="buddy"))
    assert Start(0.0, "hug") in dialog.hear("buddy, a hug")
    assert dialog.session.exercise.id == "hug"


def test_wake_word_alone_invites_a_request_without_it():
    dialog, clock = make()
    assert says(dialog.hear("coach")) == ["Yes?"]
    clock.advance(2.0)
    assert Start(2.0, "breathing") in dialog.hear("breathe with us")


def test_follow_up_window_closes():
    dialog, clock = make()
    dialog.hear("coach")
    until(dialog, clock, FOLLOW_UP_SECONDS + 2.0)
    assert dialog.hear("breathe with us")[-1].intent is None
    assert dialog.idle


def test_unknown_request_with_the_wake_word_gets_a_plain_reply():
    dialog, _ = make()
    assert says(dialog.hear("coach, sing me a song"))[0].startswith("Sorry, I didn't catch that.")


def test_answers_end_with_an_offer_of_a_fitting_exercise():
    dialog, _ = make()
    (text,) = says(dialog.hear("coach, what is emotional intimacy"))
    assert text.endswith("Want to try rose, thorn and bud, about three minutes each?")


def test_yes_to_an_offer_starts_without_repeating_the_duration():
    dialog, clock = make()
    dialog.hear("coach, what is emotional intimacy")
    clock.advance(20.0)
    events = dialog.hear("yes")
    assert Start(20.0, "rose_thorn_bud") in events
    assert says(events)[0] == EXERCISES["rose_thorn_bud"].steps[0].text


def test_no_to_an_offer_goes_back_to_idle():
    dialog, clock = make()
    dialog.hear("coach, what is emotional intimacy")
    clock.advance(20.0)
    events = dialog.hear("no")
    assert says(events) == ["All right. I'm here when you want me."]
    assert dialog.mode is Mode.IDLE


def test_an_offer_expires():
    dialog, clock = make()
    events = dialog.hear("coach, what is emotional intimacy")
    until(dialog, clock, estimate_speech_seconds(says(events)[0], 150) + OFFER_SECONDS + 1.0)
    assert not any(isinstance(e, Start) for e in dialog.hear("yes"))


def test_a_request_while_the_coach_speaks_interrupts_it():
    dialog, clock = make()
    dialog.hear("coach, what is emotional intimacy")
    clock.advance(3.0)
    assert kinds(dialog.hear("coach, a hug"))[:3] == ["Heard", "Interrupt", "Start"]


def test_stop_silences_an_answer():
    dialog, clock = make()
    dialog.hear("coach, what is emotional intimacy")
    clock.advance(3.0)
    assert kinds(dialog.hear("stop")) == ["Heard", "Interrupt"]
    assert dialog.idle


def test_define_needs_a_term():
    dialog, _ = make()
    assert "Which one?" in says(dialog.hear("coach, define"))[0]


def test_define_with_a_term():
    dialog, _ = make()
    assert says(dialog.hear("coach, what is repair"))[0].startswith("Repair, after a rupture, is")


def test_tonight_suggests_with_a_reason_and_asks_first():
    seen = {}

    def pick(records, now, hints, night, exercises):
        seen.update(records=records, hints=hints, hour=now.hour)
        return Suggestion("hug", "You sound stressed, so a hug.")

    dialog, _ = make(pick=pick, history=FakeHistory())
    events = dialog.hear("coach, we are stressed, what should we do tonight")
    assert (says(events), [e for e in events if isinstance(e, Start)]) == (
        ["You sound stressed, so a hug. It takes twenty seconds, under a minute in all. Shall we?"],
        [],
    )
    assert seen == {
        "records": ["a record"],
        "hints": "coach, we are stressed, what should we do tonight",
        "hour": 12,
    }


def test_tonight_starts_on_yes():
    dialog, clock = make()
    dialog.hear("coach, what should we do tonight")
    clock.advance(15.0)
    assert any(isinstance(e, Start) for e in dialog.hear("yes"))


def test_progress_speaks_the_summary():
    dialog, _ = make(progress=lambda records, now: Progress(3, 2, 1, "Three this week."))
    assert says(dialog.hear("coach, how are we doing")) == ["Three this week."]


def test_night_voice_is_quieter_and_slower():
    day = says_with_voice(NOON)
    night = says_with_voice(LATE)
    assert night[0] < day[0]
    assert night[1] < day[1]


def says_with_voice(started_at):
    dialog, _ = make(started_at=started_at)
    say = next(e for e in dialog.hear("coach, help") if isinstance(e, Say))
    return say.rate, say.volume


def test_night_begins_between_requests():
    dialog, clock = make(started_at=datetime(2026, 11, 26, 20, 59, 50))
    clock.advance(30.0)
    say = next(e for e in dialog.hear("coach, help") if isinstance(e, Say))
    assert say.volume == pytest.approx(0.8 * 0.6)


def test_partner_names_reach_the_exercise():
    dialog, clock = make(Settings(people=PeopleSettings(partner_names=("Sam", "Alex"))))
    dialog.hear("coach, rose thorn bud")
    assert "Sam, your rose?" in says(until(dialog, clock, 30.0))


def test_unnamed_partners_are_called_first_and_second_partner():
    dialog, clock = make()
    dialog.hear("coach, rose thorn bud")
    assert "First partner, your rose?" in says(until(dialog, clock, 30.0))


def test_louder_between_exercises_says_so_until_the_limit():
    dialog, _ = make()  # the default volume is 0.8, and a step is 0.15
    replies = [says(dialog.hear("coach, louder")) for _ in range(3)]
    assert replies == [["Louder."], ["Louder."], ["That's as loud as I go."]]


def test_controls_need_no_wake_word_in_an_exercise():
    dialog, clock = make()
    dialog.hear("coach, breathe with us")
    clock.advance(20.0)
    assert "Paused. Say resume when you're ready." in says(dialog.hear("pause"))


def test_inside_an_exercise_the_matcher_is_asked_for_controls_only():
    matcher = FakeMatcher()
    dialog, clock = make(matcher=matcher)
    dialog.hear("coach, breathe with us")
    clock.advance(20.0)
    dialog.hear("what is emotional intimacy")
    assert "what_is_intimacy" not in matcher.allowed[-1]
    assert "pause" in matcher.allowed[-1]


def test_restrict_narrows_what_may_interrupt():
    matcher = FakeMatcher()
    dialog, _ = make(matcher=matcher)
    dialog.hear("coach, breathe with us", restrict={"stop", "pause", "help"})
    assert matcher.allowed[-1] == frozenset({"stop", "pause", "help"})


def sharing(dialog, clock):
    """Start rose, thorn and bud and run until the first partner is sharing."""
    dialog.hear("coach, rose thorn bud")
    while not dialog.sharing:
        clock.advance_to(dialog.next_deadline())
        dialog.poll()


def test_sharing_sentences_never_move_the_session():
    dialog, clock = make()
    sharing(dialog, clock)
    events = dialog.hear("I wish the rain would stop")
    assert (events, dialog.sharing) == (
        [Heard(clock.now(), "I wish the rain would stop", None, {})],
        True,
    )


def test_a_short_stop_while_sharing_stops():
    dialog, clock = make()
    sharing(dialog, clock)
    assert End(clock.now(), "rose_thorn_bud", False) in dialog.hear("okay stop")


def test_a_long_command_with_the_wake_word_counts_while_sharing():
    dialog, clock = make()
    sharing(dialog, clock)
    assert any(isinstance(e, End) for e in dialog.hear("coach, I think we should stop now"))


def test_done_moves_to_the_next_turn():
    dialog, clock = make()
    sharing(dialog, clock)
    assert says(dialog.hear("done")) == ["Your thorn?"]


def test_requests_are_ignored_inside_an_exercise():
    dialog, clock = make()
    dialog.hear("coach, breathe with us")
    clock.advance(20.0)
    heard = [e for e in dialog.hear("coach, what is emotional intimacy") if isinstance(e, Heard)]
    assert heard[0].intent is None


def test_history_keeps_the_exercise_and_its_ratings():
    history = FakeHistory()
    dialog, clock = make(history=history)
    dialog.hear("coach, stress map")
    for _ in range(2):
        while "number" not in dialog.allowed_intents() or not dialog.awaiting_reply:
            clock.advance_to(dialog.next_deadline())
            dialog.poll()
        dialog.hear("seven")
    run_out(dialog, clock)
    assert history.calls == [
        ("start", "stress_map"),
        ("finish", True),
        ("rating", "first partner: stress", 7),
        ("rating", "second partner: stress", 7),
    ]


def test_a_stopped_exercise_is_kept_as_not_completed():
    history = FakeHistory()
    dialog, clock = make(history=history)
    dialog.hear("coach, a hug")
    clock.advance(4.0)
    dialog.hear("stop")
    assert history.calls == [("start", "hug"), ("finish", False)]
    assert dialog.idle


def test_quieter_in_an_exercise_is_kept_afterwards():
    dialog, clock = make()
    dialog.hear("coach, a hug")
    clock.advance(2.0)
    dialog.hear("quieter")
    dialog.hear("stop")
    clock.advance(5.0)
    assert next(
        e for e in dialog.hear("coach, help") if isinstance(e, Say)
    ).volume == pytest.approx(0.65)


def test_awaiting_reply_follows_the_coach_speech():
    dialog, clock = make()
    events = dialog.hear("coach, help")
    before = dialog.awaiting_reply
    clock.advance(estimate_speech_seconds(says(events)[0], 150))
    assert (before, dialog.awaiting_reply) == (False, True)


def test_speaker_finishing_early_opens_the_follow_up_window_from_then():
    dialog, clock = make()
    events = dialog.hear("coach, help")
    clock.advance(1.0)
    dialog.speech_finished(says(events)[0])
    assert dialog.next_deadline() == pytest.approx(1.0 + FOLLOW_UP_SECONDS)


def test_help_in_idle_lists_requests_briefly():
    dialog, _ = make()
    assert len(says(dialog.hear("coach, help"))[0].split()) < 30


def test_repeat_in_idle_says_the_last_thing_again():
    dialog, clock = make()
    first = says(dialog.hear("coach, what is repair"))[0]
    clock.advance(2.0)
    assert says(dialog.hear("repeat")) == [first]


def test_time_left_in_idle():
    dialog, _ = make()
    assert says(dialog.hear("coach, time left")) == ["Nothing is running right now."]


def test_an_exercise_runs_to_its_end_and_the_coach_is_idle():
    dialog, clock = make()
    events = dialog.hear("coach, breathe with us") + run_out(dialog, clock)
    assert (events[-1], dialog.idle) == (End(events[-1].t, "breathing", True), True)


def test_breath_settings_reach_the_breathing():
    from voice_coach.settings import BreathSettings

    dialog, clock = make(Settings(breathing=BreathSettings(inhale_s=5.0, exhale_s=8.0, count=4)))
    events = dialog.hear("coach, breathe with us") + run_out(dialog, clock)
    inhales = [e.t for e in events if isinstance(e, Cue) and e.phase == "inhale"]
    assert (len(inhales), inhales[1] - inhales[0]) == (4, pytest.approx(13.0))


def test_the_breathing_is_announced_with_the_breaths_the_couple_set():
    from voice_coach.settings import BreathSettings

    dialog, _ = make(Settings(breathing=BreathSettings(count=10)))
    assert says(dialog.hear("coach, breathe with us"))[0].startswith(
        "Ten breaths, about 2 minutes.")


def test_the_breathing_is_announced_as_written_when_left_at_six():
    dialog, _ = make()
    assert says(dialog.hear("coach, breathe with us"))[0].startswith("Six breaths, about a minute.")


def test_listen_events_say_when_partners_share():
    dialog, clock = make()
    events = dialog.hear("coach, rose thorn bud") + until(dialog, clock, 30.0)
    assert next(e for e in events if isinstance(e, Listen)).sharing
