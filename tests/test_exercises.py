import pytest

from voice_coach.coaching.exercises import EXERCISE_IDS, load_exercise, load_exercises
from voice_coach.errors import ExerciseError

GOOD = 'id = "{id}"\ntitle = "T"\nname = "n"\nduration = "a minute"\nminutes = 1\ncalming = false\n'


def write(tmp_path, body, exercise_id="demo"):
    path = tmp_path / f"{exercise_id}.toml"
    path.write_text(GOOD.format(id=exercise_id) + body, encoding="utf-8")
    return path


def error_for(tmp_path, body, exercise_id="demo"):
    with pytest.raises(ExerciseError) as caught:
        load_exercise(write(tmp_path, body, exercise_id))
    return str(caught.value)


def test_every_contract_exercise_ships_as_a_file():
    assert set(load_exercises()) == set(EXERCISE_IDS)


def test_every_exercise_says_how_long_it_takes():
    exercises = load_exercises().values()
    assert all(exercise.duration for exercise in exercises)
    assert all(exercise.name for exercise in exercises)


def test_breathing_is_six_breaths_with_a_longer_exhale():
    (step,) = [s for s in load_exercises()["breathing"].steps if s.kind == "breathe"]
    assert step.count == 6
    assert step.exhale > step.inhale


def test_hug_timer_is_twenty_seconds():
    assert [s.seconds for s in load_exercises()["hug"].steps if s.kind == "timer"] == [20.0]


def test_sentence_stems_keep_the_three_stems():
    texts = " ".join(s.text for s in load_exercises()["sentence_stems"].steps)
    assert all(
        stem in texts
        for stem in (
            "Lately, I've been feeling",
            "Something I'm afraid to say is",
            "I feel most loved when you",
        )
    )


def test_gentle_start_settles_the_body_before_five_steps():
    kinds = [s.kind for s in load_exercises()["gentle_start"].steps]
    assert kinds.index("breathe") < kinds.index("prompt")


def test_magic_minutes_lasts_five_minutes():
    assert (
        sum(s.seconds for s in load_exercises()["magic_minutes"].steps if s.kind == "prompt") == 300
    )


def test_each_partner_repeats_the_turn_for_both_partners(tmp_path):
    exercise = load_exercise(
        write(
            tmp_path,
            '[[steps]]\neach_partner = [{ prompt = "{partner}?" }, { say = "ok {other}" }]\n',
        )
    )
    assert [s.partner for s in exercise.steps] == [0, 0, 1, 1]


def test_steps_take_their_options(tmp_path):
    exercise = load_exercise(
        write(tmp_path, "[[steps]]\nbreathe = 3\ninhale = 5\nhold = 1\nexhale = 7\n")
    )
    step = exercise.steps[0]
    assert (step.count, step.inhale, step.hold, step.exhale) == (3, 5.0, 1.0, 7.0)


def test_prompt_has_a_default_time_box(tmp_path):
    assert load_exercise(write(tmp_path, '[[steps]]\nprompt = "Go on."\n')).steps[0].seconds == 60


def test_unknown_key_names_file_step_and_key(tmp_path):
    message = error_for(tmp_path, '[[steps]]\nsay = "hi"\n[[steps]]\ntimer = 20\nsecs = 3\n')
    assert "demo.toml, step 2" in message
    assert "'secs'" in message


def test_step_without_a_kind_is_reported(tmp_path):
    assert "exactly one of" in error_for(tmp_path, "[[steps]]\nseconds = 20\n")


def test_step_with_two_kinds_is_reported(tmp_path):
    assert "found say, cue" in error_for(tmp_path, '[[steps]]\nsay = "x"\ncue = "inhale"\n')


def test_unknown_cue_lists_the_sounds(tmp_path):
    assert "timer_start" in error_for(tmp_path, '[[steps]]\ncue = "gong"\n')


def test_negative_seconds_are_reported(tmp_path):
    assert "timer must be" in error_for(tmp_path, "[[steps]]\ntimer = -2\n")


def test_breath_count_must_be_whole(tmp_path):
    assert "whole number" in error_for(tmp_path, "[[steps]]\nbreathe = 2.5\n")


def test_unknown_name_in_text_is_reported(tmp_path):
    assert "{partnr}" in error_for(tmp_path, '[[steps]]\nsay = "Hi {partnr}"\n')


def test_partner_outside_a_turn_is_reported(tmp_path):
    assert "{partner}" in error_for(tmp_path, '[[steps]]\nsay = "{partner}, go"\n')


def test_stray_brace_is_reported(tmp_path):
    assert "stray brace" in error_for(tmp_path, '[[steps]]\nsay = "Hi {"\n')


def test_rating_needs_a_label(tmp_path):
    assert "label" in error_for(tmp_path, '[[steps]]\nrating = "How much?"\n')


def test_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "hug.toml"
    path.write_text(GOOD.format(id="huggy") + '[[steps]]\nsay = "x"\n', encoding="utf-8")
    with pytest.raises(ExerciseError, match="match the file name"):
        load_exercise(path)


def test_missing_steps_are_reported(tmp_path):
    assert "no [[steps]]" in error_for(tmp_path, "")


def test_missing_title_is_reported(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(
        'id = "demo"\nname = "n"\nduration = "d"\n[[steps]]\nsay = "x"\n', encoding="utf-8"
    )
    with pytest.raises(ExerciseError, match="title"):
        load_exercise(path)


def test_invalid_toml_names_the_file(tmp_path):
    assert "demo.toml is not valid TOML" in error_for(tmp_path, "[[steps]\n")


def test_empty_folder_is_reported(tmp_path):
    with pytest.raises(ExerciseError, match="No exercise files"):
        load_exercises(tmp_path)
