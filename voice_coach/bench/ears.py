"""Each ear alone and both together, side by side on the same audio: the held-out spoken lines,
clean and in pink, babble and fan noise at 10 and 5 dB, through PocketSphinx (with RNNoise in
steady hiss, as the coach runs it), Whisper, and the
choice between their readings (voice_coach.hearing.reading_choice), each put to the matcher as the
dialog puts it. Every utterance is decoded once per ear; "both" chooses from those very two
readings, so the three columns differ only in what hears.

Latency is per utterance: PocketSphinx's and Whisper's own decoding; "both" is the longer of the
two, as the paired recogniser runs them side by side (on a shared machine, rough). Memory is the
peak resident size of a recogniser process with each engine after one utterance."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..hearing.reading_choice import FreeReading, Verdict, choose
from ..hearing.recognition import resample
from .partner_voice import NOISES, mix, speak
from .text import Labelled, is_right

SNRS = (10.0, 5.0)
EARS = ("pocketsphinx", "whisper", "both")


def ears_side_by_side(catalog, matcher, items: list[Labelled], voices, rates,
                      progress=lambda line: None) -> dict[str, dict[str, float]]:
    from ..hearing.engines import Engine, load_recognizer
    from ..hearing.whisper_engine import WhisperRecognizer
    from ..hearing.whisper_model import prepared_model

    grammar_ear = load_recognizer(catalog, engine=Engine.POCKETSPHINX)  # as the coach runs it
    free_ear = WhisperRecognizer(prepared_model())

    def verdict(text: str, confirmed: bool) -> Verdict:
        result = matcher.match(text, confirmed=confirmed)
        return Verdict(text, result.intent, result.score)

    tally: dict[str, dict[str, list[bool]]] = {ear: {} for ear in EARS}
    times: dict[str, list[float]] = {ear: [] for ear in EARS}
    audio_s = 0.0
    conditions = ["clean", *(f"{kind} {snr:g}" for snr in SNRS for kind in NOISES)]
    for voice in voices:
        progress(f"  ears side by side: {voice}")
        for rate in rates:
            for index, item in enumerate(items):
                speech = speak(item.text, voice=voice, rate=rate)
                for condition in conditions:
                    audio = speech if condition == "clean" else mix(
                        speech, condition.split()[0], float(condition.split()[1]), seed=index)
                    pcm = resample(audio, 16000).to_int16_bytes()
                    audio_s += audio.seconds
                    started = time.perf_counter()
                    grammar = grammar_ear.transcribe(pcm)
                    middle = time.perf_counter()
                    free = free_ear.read(pcm)
                    done = time.perf_counter()
                    both = choose(grammar, FreeReading(free.texts, free.log_probs,
                                                       free.no_speech), verdict)
                    times["pocketsphinx"].append(middle - started)
                    times["whisper"].append(done - middle)
                    times["both"].append(max(middle - started, done - middle))
                    heard = {"pocketsphinx": (grammar.text, grammar.confirmed),
                             "whisper": (free.texts[0] if free.texts else "", True),
                             "both": (both.text, both.confirmed)}
                    for ear, (text, confirmed) in heard.items():
                        result = matcher.match(text, confirmed=confirmed)
                        right = is_right(item, result.intent, dict(result.slots))
                        kind = "accuracy" if item.intent else "rejection"
                        for key in {f"{kind} {condition}", f"{kind} {condition.split()[-1]}"}:
                            tally[ear].setdefault(key, []).append(right)
    figures = {}
    for ear in EARS:
        spent = np.array(times[ear]) * 1000
        figures[ear] = {key: round(sum(v) / len(v), 3) for key, v in sorted(tally[ear].items())}
        figures[ear] |= {"latency_ms_p50": round(float(np.percentile(spent, 50))),
                         "latency_ms_p95": round(float(np.percentile(spent, 95))),
                         "rtf": round(float(spent.sum() / 1000 / audio_s), 3)}
    for ear, engine in (("pocketsphinx", "pocketsphinx"), ("whisper", "whisper"),
                        ("both", "pair")):
        figures[ear]["rss_mb_peak"] = recogniser_peak_mb(engine)
    return figures


def recogniser_peak_mb(engine: str) -> float:
    """Peak resident memory of a recogniser process running `engine`, after one utterance."""
    from ..hearing.recognition_process import RecognizerProcess

    child = RecognizerProcess(engine=engine)
    try:
        child.transcribe(np.frombuffer(resample(speak("coach pause"), 16000).to_int16_bytes(),
                                       dtype=np.int16))
        status = Path(f"/proc/{child.pid}/status").read_text()
        peak_kb = next(int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmHWM:"))
        return round(peak_kb / 1024, 1)
    finally:
        child.close()
