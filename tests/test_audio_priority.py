"""The sound's threads outrank a busy neighbour, the recogniser sits between, and a user who may
not raise priorities is told so in one sentence. Each case runs in a child process, so the test
run's own priority is left alone. They run as root, as this project's machines and CI do; the
unprivileged cases drop to `nobody` first."""

import json
import subprocess
import sys
from pathlib import Path

from voice_coach.audio.priority import AUDIO_NICE, FREE_EAR_NICE, RECOGNISER_NICE
from voice_coach.hearing.recognition_process import RecognizerProcess


def run_child(code: str) -> dict:
    script = ("import json, os\nfrom voice_coach.audio.priority import raise_for_audio, "
              "lower_for_recognition\n" + code)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=30, check=True)
    return json.loads(result.stdout)


def test_the_sound_is_raised_above_ordinary_programs():
    seen = run_child("p = raise_for_audio()\n"
                     "print(json.dumps({'nice': p.nice, 'note': p.note, "
                     "'os': os.getpriority(os.PRIO_PROCESS, 0)}))")
    assert seen == {"nice": AUDIO_NICE, "note": "", "os": AUDIO_NICE}


def test_threads_started_after_the_raise_inherit_it():
    seen = run_child("import threading\nraise_for_audio()\nfound = []\n"
                     "t = threading.Thread(target=lambda: found.append("
                     "os.getpriority(os.PRIO_PROCESS, 0)))\nt.start(); t.join()\n"
                     "print(json.dumps(found[0]))")
    assert seen == AUDIO_NICE


def test_the_recogniser_sits_below_the_sound_it_inherited():
    seen = run_child("raise_for_audio()\nprint(json.dumps(lower_for_recognition().nice))")
    assert seen == RECOGNISER_NICE


def test_a_user_who_may_not_raise_it_is_told_what_to_do():
    seen = run_child("os.setuid(65534)\np = raise_for_audio()\n"
                     "print(json.dumps({'nice': p.nice, 'note': p.note}))")
    assert seen["nice"] == 0
    assert "CAP_SYS_NICE" in seen["note"]


def test_an_unprivileged_recogniser_stays_at_normal_priority():
    seen = run_child("os.setuid(65534)\nraise_for_audio()\n"
                     "print(json.dumps(lower_for_recognition().nice))")
    assert seen == 0


def test_whisper_decodes_below_the_grammar_ear_in_the_recogniser():
    pair = RecognizerProcess(engine="pair")
    try:
        pair.wait_ready()
        pid = pair.pid
        tasks = Path(f"/proc/{pid}/task")
        nice = {int(task.name): _nice_of(task) for task in tasks.iterdir()}
    finally:
        pair.close()
    assert nice[pid] == RECOGNISER_NICE  # the main thread: PocketSphinx decodes there
    # Whisper's own thread and CTranslate2's, started below it
    assert list(nice.values()).count(FREE_EAR_NICE) >= 2


def _nice_of(task: Path) -> int:
    return int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
