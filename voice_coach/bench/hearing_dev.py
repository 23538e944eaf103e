"""The hearing dev set: what each ear made of our own sentences, saved once so that ways of
choosing between readings can be compared by replay in seconds.

Our own sentences only (template commands spread over the catalog, everyday sentences, and
out-of-scope requests near the coach's topics written for this set); the benchmark's held-out
files in data/ are never read here. Each sentence is said by one of five espeak-ng voices at
one of two rates, clean and with noise at 10 and 5 dB, the noise (pink, fan, babble) rotating over
the sentences, and clips of noise alone (324 utterances: 5-6 minutes to record on a quiet
machine, 25 on a busy one).

    python -m voice_coach.bench.hearing_dev record dev.jsonl   # decodes with both ears (minutes)
    python -m voice_coach.bench.hearing_dev replay dev.jsonl   # each ear and both, per condition
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .partner_voice import mix, speak

DEV_VOICES = ("en-us+m3", "en-gb", "en-us+f3", "en-us+m7", "en-us")
DEV_RATES = (140, 175)
NOISE_KINDS = ("pink", "fan", "babble")
SNRS = (10, 5)
DEV_OUT_OF_SCOPE = (
    "what is the capital of portugal", "start the washing machine", "turn on the lights",
    "play some jazz music", "set an alarm for seven", "how tall is mount everest",
    "stop the car at the corner", "what's the weather tomorrow", "order a pizza for us",
    "pause the movie please", "tell me a joke about cats", "call my mother",
    "how many calories are in a banana", "next week we fly to rome", "read me the news",
    "what time is the football on", "book a table for two", "remind me to buy milk",
    "how do i fix a flat tyre", "breathe new life into the garden", "who won the election",
    "translate hello into french", "send a message to sam", "hug the curb when you park",
)
"""Requests a person might make of some other assistant, some using the coach's own words."""


DEV_EVERYDAY = (
    "i had a really long day at work today", "my mother called about the weekend",
    "the kids finally fell asleep", "i love the way you laugh",
    "did you pay the electricity bill", "we should paint the kitchen blue",
    "i felt lonely when you were away", "the dog needs a walk in the morning",
    "thank you for making dinner", "i was stressed about the meeting with my boss",
    "remember our trip to the mountains", "your hands are cold",
    "what time does the shop open tomorrow", "i think the movie was too long",
    "can you pass me the blanket", "my back hurts a little",
)
"""Everyday sentences a couple says near the coach, not meant for it (dev set of the hearing
work; the benchmark's own held-out sets are never used to tune)."""


def dev_commands(catalog, count: int = 40) -> list[tuple[str, str]]:
    """(sentence, intent) pairs spread evenly over the catalog's spoken sentences, every other
    one with the wake word, so every intent and phrasing style is sampled."""
    sentences = sorted(catalog.spoken_sentences(), key=lambda s: (s.intent, s.text))
    step = max(1, len(sentences) // count)
    picked = sentences[::step][:count]
    return [(("coach " if i % 2 else "") + s.text, s.intent) for i, s in enumerate(picked)]


DEV_CONTROLS = (
    ("stop", "stop"), ("pause", "pause"), ("coach pause", "pause"), ("resume", "resume"),
    ("carry on", "resume"), ("louder", "louder"), ("a bit slower please", "slower"),
    ("say that again", "repeat"), ("next one", "next"), ("yes", "yes"), ("no", "no"),
    ("coach stop", "stop"), ("help", "help"), ("what's tonight's exercise", "tonight"),
    ("coach a twenty second hug", "hug"), ("rose thorn bud", "rose_thorn_bud"),
)
"""Short controls and the issue's own examples: what is said over the coach."""


NOISE_ONLY = tuple((kind, seconds, level) for kind in ("pink", "fan", "babble")
                   for seconds, level in ((0.5, 0.005), (0.6, 0.02), (1.0, 0.05), (2.0, 0.02)))
"""(noise, seconds, RMS) of clips with no speech at all: what an endpointer hands over when a fan
or a partner moving sets it off. Nothing in them is for the coach."""


def dev_items(catalog) -> list[tuple[str, str | None]]:
    return [*dev_commands(catalog, 48), *DEV_CONTROLS, *((t, None) for t in DEV_EVERYDAY),
            *((t, None) for t in DEV_OUT_OF_SCOPE)]


def conditions(index: int) -> tuple[str, ...]:
    kind = NOISE_KINDS[index % len(NOISE_KINDS)]
    return ("clean", *(f"{kind} {snr}" for snr in SNRS))


def dev_audio(index: int, text: str, condition: str):
    """One utterance of the dev set: sentence `index` in `condition` ("clean", "fan 10", ...)."""
    voice = DEV_VOICES[index % len(DEV_VOICES)]
    rate = DEV_RATES[(index // len(DEV_VOICES)) % len(DEV_RATES)]
    speech = speak(text, voice=voice, rate=rate)
    if condition == "clean":
        return speech, voice, rate
    kind, snr = condition.split()
    return mix(speech, kind, float(snr), seed=index), voice, rate


def record(out: Path) -> None:
    """Decode every dev utterance with PocketSphinx (RNNoise first in steady hiss, as the coach
    hears) and Whisper; one JSON line each."""
    from ..audio.denoise import SteadyNoiseDenoiser
    from ..audio.types import Audio
    from ..hearing.pocketsphinx_engine import PocketSphinxRecognizer
    from ..hearing.recognition import resample
    from ..hearing.whisper_engine import WhisperRecognizer
    from ..hearing.whisper_model import prepared_model
    from ..understanding.catalog import load_catalog
    from .partner_voice import noise

    catalog = load_catalog()
    grammar_ear = SteadyNoiseDenoiser(PocketSphinxRecognizer(catalog))
    free_ear = WhisperRecognizer(prepared_model())
    items = dev_items(catalog)
    order = sorted(range(len(items)), key=lambda i: (i * 37) % len(items))  # kinds interleaved,
    utterances = [(items[i][0], items[i][1], condition, i)                   # so a part is fair
                  for i in order for condition in conditions(i)]
    utterances += [(f"({kind} noise {seconds} s)", None, "noise", (kind, seconds, level, n))
                   for n, (kind, seconds, level) in enumerate(NOISE_ONLY)]
    with open(out, "w", encoding="utf-8") as file:
        for text, intent, condition, index in utterances:
            if condition == "noise":
                kind, seconds, level, n = index
                samples = noise(kind, int(seconds * 16000), seed=n) * level
                audio, voice, rate = Audio(samples.astype("float32"), 16000), "", 0
            else:
                audio, voice, rate = dev_audio(index, text, condition)
            pcm = resample(audio, 16000).to_int16_bytes()
            started = time.perf_counter()
            grammar = grammar_ear.transcribe(pcm)
            middle = time.perf_counter()
            free = free_ear.read(pcm)
            done = time.perf_counter()
            file.write(json.dumps({
                "text": text, "intent": intent, "voice": voice, "rate": rate,
                "condition": condition, "seconds": audio.seconds,
                "grammar": [grammar.text, grammar.confidence, list(grammar.alternatives),
                            grammar.confirmed],
                "free": [list(free.texts), list(free.log_probs), free.no_speech],
                "grammar_s": middle - started, "free_s": done - middle}) + "\n")
            file.flush()


def replay(path: Path) -> dict[str, dict[str, float]]:
    """Each ear alone and the combination, from saved readings: commands understood (right
    intent) and out-of-scope sentences rejected, per condition."""
    from ..hearing.reading_choice import FreeReading, Verdict, choose
    from ..hearing.recognition import Transcript
    from ..understanding.catalog import load_catalog
    from ..understanding.intent import IntentMatcher

    matcher = IntentMatcher(load_catalog())

    def match(text: str, confirmed: bool) -> Verdict:
        result = matcher.match(text, confirmed=confirmed)
        return Verdict(text, result.intent, result.score)

    tally: dict[str, dict[str, list[bool]]] = {}
    for line in open(path, encoding="utf-8"):
        row = json.loads(line)
        text, confidence, alternatives, confirmed = row["grammar"]
        grammar = Transcript(text, confidence, tuple(alternatives), "", confirmed)
        free = FreeReading(tuple(row["free"][0]), tuple(row["free"][1]), row["free"][2])
        chosen = choose(grammar, free, match)
        heard = {"pocketsphinx": match(grammar.text, grammar.confirmed).intent,
                 "whisper": match(free.texts[0], True).intent if free.texts else None,
                 "both": match(chosen.text, chosen.confirmed).intent}
        snr = row["condition"].split()[-1]
        kind = "accuracy" if row["intent"] else "rejection"
        for ear, intent in heard.items():
            for key in {f"{kind} {snr}", f"{kind} {row['condition']}"}:
                tally.setdefault(ear, {}).setdefault(key, []).append(intent == row["intent"])
    return {ear: {key: round(sum(v) / len(v), 3) for key, v in sorted(keys.items())}
            for ear, keys in tally.items()}


if __name__ == "__main__":
    if sys.argv[1:2] == ["record"]:
        record(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["replay"]:
        for ear, scores in replay(Path(sys.argv[2])).items():
            print(f"{ear:<13}", "  ".join(f"{key} {value:.3f}" for key, value in scores.items()))
