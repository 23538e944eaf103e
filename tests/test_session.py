import pytest

from voice_coach.coaching.clock import VirtualClock
from voice_coach.coaching.exercises import load_exercises
from voice_coach.coaching.session import (
    PAUSE_LIMIT,
    TRANSITIONS,
    Cue,
    Delivery,
    End,
    Interrupt,
    Listen,
    Say,
    Session,
    State,
    Trigger,
    about,
    estimate_speech_seconds,
    simulate,
)
from voice_coach.understanding.intent import IntentResult

EXERCISES = load_exercises()


def said(intent, **slots):
    return IntentResult(intent or "", intent, 100.0, slots)


def agree(listen):
    """A couple who answer at once: yes to questions, seven to ratings, and who share until the
    time box ends."""
    if "number" in listen.allowed:
        return said("number", value=7)
    return None if listen.sharing else said("yes")


def run(name, inputs=(), **options):
    clock = VirtualClock()
    session = Session(EXERCISES[name], clock, estimate_speech_seconds, **options)
    return simulate(session, clock, list(inputs), answer=agree), session


def cues(events, phase):
    return [e.t for e in events if isinstance(e, Cue) and e.phase == phase]


def says(events):
    return [e.text for e in events if isinstance(e, Say)]


def test_hug_lasts_twenty_seconds():
    events, _ = run("hug")
    assert cues(events, "timer_end")[0] - cues(events, "timer_start")[0] == pytest.approx(
        20.0, abs=0.05
    )


def test_pause_lengthens_the_hug_by_exactly_the_pause():
    baseline, _ = run("hug")
    start = cues(baseline, "timer_start")[0]
    events, _ = run("hug", [(start + 8.0, said("pause")), (start + 15.3, said("resume"))])
    assert cues(events, "timer_end")[0] - cues(events, "timer_start")[0] == pytest.approx(
        27.3, abs=1e-9
    )


def test_breathing_paces_six_breaths():
    events, _ = run("breathing")
    assert (len(cues(events, "inhale")), len(cues(events, "exhale"))) == (6, 6)


def test_every_exhale_is_longer_than_its_inhale():
    events, _ = run("breathing")
    inhales, exhales = cues(events, "inhale"), cues(events, "exhale")
    ends = inhales[1:] + [next(e.t for e in events if isinstance(e, Say) and e.t > exhales[-1])]
    assert all(
        end - out > out - into for into, out, end in zip(inhales, exhales, ends, strict=True)
    )


def test_default_pace_is_four_in_six_out():
    events, _ = run("breathing")
    inhales, exhales = cues(events, "inhale"), cues(events, "exhale")
    assert (exhales[0] - inhales[0], inhales[1] - exhales[0]) == pytest.approx((4.0, 6.0))


def test_breath_settings_replace_the_files_pace():
    events, _ = run("breathing", breath=(5.0, 0.0, 7.0), breaths=3)
    inhales = cues(events, "inhale")
    assert (len(inhales), inhales[1] - inhales[0]) == (3, pytest.approx(12.0))


def test_a_hold_gets_its_own_cue():
    events, _ = run("breathing", breath=(4.0, 2.0, 6.0))
    assert cues(events, "hold")[0] - cues(events, "inhale")[0] == pytest.approx(4.0)


def test_slower_lengthens_the_following_breaths():
    baseline, _ = run("breathing")
    first = cues(baseline, "inhale")[0]
    events, _ = run("breathing", [(first + 1.0, said("slower"))])
    inhales = cues(events, "inhale")
    assert inhales[2] - inhales[1] > 10.0


def test_faster_shortens_the_following_breaths_but_keeps_the_long_exhale():
    baseline, _ = run("breathing")
    events, _ = run("breathing", [(cues(baseline, "inhale")[0] + 1.0, said("faster"))])
    inhales, exhales = cues(events, "inhale"), cues(events, "exhale")
    assert inhales[2] - inhales[1] < 10.0
    assert inhales[2] - exhales[1] > exhales[1] - inhales[1]


def test_slower_also_slows_speech():
    events, _ = run("rose_thorn_bud", [(1.0, said("slower"))])
    rates = [e.rate for e in events if isinstance(e, Say)]
    assert rates[-1] < rates[0]


def test_breath_pace_has_limits():
    delivery = Delivery()
    for _ in range(20):
        delivery = delivery.slower()
    assert delivery.breath_scale <= 1.6
    assert delivery.slower() == delivery


def test_pause_never_resumes_by_itself():
    baseline, _ = run("breathing")
    first = cues(baseline, "inhale")[0]
    events, session = run("breathing", [(first + 1.0, said("pause"))])
    after = [e for e in events if e.t > first + 1.0]
    assert [type(e) for e in after] == [End]
    assert after[0].t == pytest.approx(
        first + 1.0 + PAUSE_LIMIT
    )


def test_pause_is_acknowledged_and_the_breath_continues_where_it_was():
    baseline, _ = run("breathing")
    first = cues(baseline, "inhale")[0]
    events, _ = run("breathing", [(first + 5.0, said("pause")), (first + 65.0, said("resume"))])
    assert cues(events, "inhale")[1] == pytest.approx(cues(baseline, "inhale")[1] + 60.0)


def test_resume_names_the_breath_phase():
    baseline, _ = run("breathing")
    first = cues(baseline, "inhale")[0]
    events, _ = run("breathing", [(first + 5.0, said("pause")), (first + 9.0, said("resume"))])
    assert "Breathing out." in says(events)


def test_pause_during_speech_says_it_again_on_resume():
    events, _ = run("rose_thorn_bud", [(2.0, said("pause")), (30.0, said("resume"))])
    first_line = EXERCISES["rose_thorn_bud"].steps[0].text
    assert [e.t for e in events if isinstance(e, Say) and e.text == first_line] == [0.0, 30.0]


def test_stop_ends_now_and_silences():
    events, session = run("breathing", [(20.0, said("stop"))])
    kinds = [type(e) for e in events if e.t >= 20.0]
    assert kinds == [Interrupt, Say, End]
    assert (session.completed, events[-1].t) == (False, 20.0)


def test_stop_while_paused_ends():
    events, session = run("hug", [(3.0, said("pause")), (9.0, said("stop"))])
    assert (session.state, events[-1].t) == (State.ENDED, 9.0)


def test_next_while_sharing_moves_on_at_once():
    events, _ = run("rose_thorn_bud")
    listen = next(e for e in events if isinstance(e, Listen))
    skipped, _ = run("rose_thorn_bud", [(listen.t + 2.0, said("next"))])
    assert next(e for e in skipped if isinstance(e, Say) and e.t > listen.t).t == listen.t + 2.0


def test_next_while_paused_resumes_and_moves_on():
    events, session = run("hug", [(3.0, said("pause")), (10.0, said("next"))])
    assert session.completed
    assert Say(10.0, EXERCISES["hug"].steps[1].text, Delivery().rate, Delivery().volume) in events


def test_repeat_while_speaking_starts_the_sentence_again():
    events, _ = run("hug", [(2.0, said("repeat"))])
    assert says(events).count(EXERCISES["hug"].steps[0].text) == 2


def test_repeat_while_listening_asks_again_with_a_fresh_time_box():
    events, _ = run("stress_map")
    listen = next(e for e in events if isinstance(e, Listen))
    repeated, _ = run("stress_map", [(listen.t + 30.0, said("repeat"))])
    assert cues(repeated, "timer_end")[0] > cues(events, "timer_end")[0] + 30.0


def test_repeat_during_a_timer_leaves_the_timer_alone():
    baseline, _ = run("hug")
    start = cues(baseline, "timer_start")[0]
    events, _ = run("hug", [(start + 5.0, said("repeat"))])
    assert cues(events, "timer_end") == cues(baseline, "timer_end")


def test_help_and_time_left_do_not_move_the_breaths():
    baseline, _ = run("breathing")
    first = cues(baseline, "inhale")[0]
    events, _ = run("breathing", [(first + 1.0, said("help")), (first + 12.0, said("time_left"))])
    assert cues(events, "exhale") == cues(baseline, "exhale")


def test_help_is_brief_and_fits_the_moment():
    baseline, _ = run("breathing")
    events, _ = run("breathing", [(cues(baseline, "inhale")[0] + 1.0, said("help"))])
    assert any("slower" in text and len(text.split()) < 15 for text in says(events))


def test_time_left_during_the_hug_counts_the_timer():
    baseline, _ = run("hug")
    asked = cues(baseline, "timer_start")[0] + 5.0
    events, _ = run("hug", [(asked, said("time_left"))])
    assert f"{about(events[-1].t - asked).capitalize()} left." in says(events)


def test_help_over_speech_interrupts_then_says_the_sentence_again():
    events, _ = run("hug", [(1.0, said("help"))])
    line = EXERCISES["hug"].steps[0].text
    assert says(events)[:3] == [line, "You can say pause, repeat, next, slower, or stop.", line]


def test_louder_and_quieter_change_the_volume():
    events, _ = run("rose_thorn_bud", [(1.0, said("quieter"))])
    volumes = [e.volume for e in events if isinstance(e, Say)]
    assert volumes[-1] == pytest.approx(volumes[0] - 0.15)


def test_volume_has_a_floor():
    events, _ = run("hug", [(t, said("quieter")) for t in (1.0, 1.5, 2.0, 2.5, 3.0)])
    assert "That's as quiet as I go." in says(events)


def test_free_speech_never_moves_the_session():
    baseline, _ = run("rose_thorn_bud")
    listen = next(e for e in baseline if isinstance(e, Listen))
    events, _ = run(
        "rose_thorn_bud", [(listen.t + 3.0, IntentResult("I wish the rain would stop", None, 0.0))]
    )
    assert events == baseline


def test_words_outside_the_step_do_nothing():
    baseline, _ = run("breathing")
    first = cues(baseline, "inhale")[0]
    events, _ = run(
        "breathing", [(first + 1.0, said("yes")), (first + 2.0, said("number", value=3))]
    )
    assert events == baseline


def test_speech_finished_early_moves_on_from_then():
    clock = VirtualClock()
    session = Session(EXERCISES["hug"], clock, estimate_speech_seconds)
    session.start()
    clock.advance(1.0)
    events = session.speech_finished(EXERCISES["hug"].steps[0].text)
    assert [(type(e), e.t) for e in events] == [(Say, 1.0)]


def test_speech_finished_for_an_aside_does_not_move_the_script():
    clock = VirtualClock()
    session = Session(EXERCISES["hug"], clock, estimate_speech_seconds)
    session.start()
    clock.advance(1.0)
    session.heard(said("help"))
    clock.advance(0.5)
    events = session.speech_finished("some other sentence")
    assert [e.text for e in events] == [EXERCISES["hug"].steps[0].text]


def test_ratings_are_said_back_and_kept():
    events, session = run("stress_map")
    labels = [(r.label, r.value) for r in session.ratings]
    assert labels == [("first partner: stress", 7), ("second partner: stress", 7)]


def test_rating_is_said_back_in_words():
    events, _ = run("stress_map")
    assert says(events).count("Seven out of ten.") == 2


def test_one_point_difference_is_asked_after_each_rating():
    events, _ = run("stress_map")
    texts = says(events)
    assert texts[texts.index("Seven out of ten.") + 1].endswith(
        "what would make a one-point difference?"
    )


def test_rating_outside_one_to_ten_is_ignored():
    clock = VirtualClock()
    session = Session(EXERCISES["stress_map"], clock, estimate_speech_seconds)
    simulate(session, clock, answer=lambda listen: said("number", value=12))
    assert session.ratings == []
    assert session.completed


def test_no_to_a_question_ends_kindly():
    clock = VirtualClock()
    session = Session(EXERCISES["hug"], clock, estimate_speech_seconds)
    events = simulate(session, clock, answer=lambda listen: said("no"))
    assert says(events)[-1].startswith("That's all right")
    assert not session.completed


def test_no_answer_to_a_question_ends_after_its_time_box():
    clock = VirtualClock()
    session = Session(EXERCISES["hug"], clock, estimate_speech_seconds)
    events = simulate(session, clock)
    listen = next(e for e in events if isinstance(e, Listen))
    assert (events[-1].completed, events[-2].t) == (False, listen.until)


def test_partner_names_are_used():
    events, _ = run("rose_thorn_bud", partners=("Sam", "Alex"))
    assert "Sam, your rose?" in says(events)
    assert "Alex, your rose?" in says(events)


def test_without_names_partners_are_first_and_second():
    events, _ = run("gentle_start")
    assert any(
        text.startswith("First partner brings the topic, second partner") for text in says(events)
    )


def test_the_other_partner_defaults_to_your_partner():
    events, _ = run("gentle_start")
    assert "First partner, name one thing your partner did well in this conversation." in says(
        events
    )


def test_preamble_is_said_first():
    events, _ = run("breathing", preamble="Six breaths, about a minute.")
    assert says(events)[0] == "Six breaths, about a minute."


def test_next_deadline_is_the_next_cue():
    clock = VirtualClock()
    session = Session(EXERCISES["breathing"], clock, lambda text, rate: 2.0)
    session.start()
    clock.advance(2.0)
    session.poll()
    assert session.next_deadline() == 6.0


def test_late_polling_keeps_cues_on_schedule():
    clock = VirtualClock()
    session = Session(EXERCISES["breathing"], clock, lambda text, rate: 2.0)
    session.start()
    clock.advance(33.3)
    assert [e.t for e in session.poll() if isinstance(e, Cue)] == [
        2.0,
        6.0,
        12.0,
        16.0,
        22.0,
        26.0,
        32.0,
    ]


def test_seconds_left_shrinks_as_the_session_runs():
    clock = VirtualClock()
    session = Session(EXERCISES["breathing"], clock, estimate_speech_seconds)
    session.start()
    before = session.seconds_left()
    clock.advance(30.0)
    session.poll()
    assert before - session.seconds_left() == pytest.approx(30.0, abs=0.5)


def test_nothing_leaves_the_ended_state():
    assert all(State.ENDED not in sources for sources, _ in TRANSITIONS.values())


def test_start_is_only_from_ready():
    assert TRANSITIONS[Trigger.START][0] == {State.READY}


@pytest.mark.parametrize(
    ("seconds", "spoken"),
    [
        (12, "about 10 seconds"),
        (40, "about 40 seconds"),
        (70, "about a minute"),
        (610, "about 10 minutes"),
    ],
)
def test_about(seconds, spoken):
    assert about(seconds) == spoken


def test_the_interrupted_copy_of_a_repeated_sentence_does_not_end_the_new_one():
    clock = VirtualClock()
    session = Session(EXERCISES["hug"], clock, estimate_speech_seconds)
    first = next(e for e in session.start() if isinstance(e, Say))
    clock.advance(2.0)
    again = next(e for e in session.heard(said("repeat")) if isinstance(e, Say))
    assert session.speech_finished(first) == []
    assert session.speech_finished(again) != []


def test_time_left_stands_still_while_paused():
    clock = VirtualClock()
    session = Session(EXERCISES["breathing"], clock, estimate_speech_seconds)
    session.start()
    clock.advance(20.0)
    session.heard(said("pause"))
    before = session.seconds_left()
    clock.advance(300.0)
    session.heard(said("time_left"))
    assert session.seconds_left() == before


def test_go_on_answers_a_question_like_yes():
    clock = VirtualClock()
    session = Session(EXERCISES["hug"], clock, estimate_speech_seconds)
    events = simulate(session, clock, answer=lambda listen: said("resume"))
    assert session.completed
    assert cues(events, "timer_start")
