"""Endpointing in noise: the coach's band-energy endpointer against Silero VAD (the model that
faster-whisper's wheel ships), on the same noisy requests, as issue 10 asks.

Each request is said by an espeak-ng voice or the Piper voice, after two seconds of the noise
alone (a fan is on before anyone speaks) and followed by two more; the speech's true bounds are
read off the clean audio. A detector finds utterances in the stream; for each request:
- whole: one utterance covers the speech with what the live coach hands the recogniser around
  it (PREROLL_S before, TAIL_S after): anything else cut words or split the request (the pause
  after "coach," splits it too; the live loop joins a lone wake word to what follows);
- settle: from the end of the speech to the moment the utterance was handed over (the reply
  cannot start before);
and in clips of noise alone, every utterance handed over is a false start. An utterance still
open when the stream ends (held open by the noise) is handed over then.

Silero runs on 32 ms windows with its state carried, and the same rules around it as the
band-energy endpointer (an utterance starts after 0.08 s of speech and ends after 0.4 s without),
so only the speech/no-speech decision differs. Our own sentences and voices only: the
benchmark's held-out files are not read.

    python -m voice_coach.bench.endpointing_noise
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..audio.endpointing import Endpointer
from ..audio.types import Audio, float_to_int16
from ..audio.wav_file import resample
from .hearing_dev import DEV_RATES, DEV_VOICES
from .partner_voice import noise, speak

RATE = 16000
REQUESTS = (
    "stop", "coach pause", "carry on", "coach, a twenty second hug", "rose thorn bud",
    "coach, breathe with us", "what's tonight's exercise", "coach, how much time is left",
    "a bit slower please", "coach, what are the five pillars",
    "coach, let's do the sentence stems", "coach ... start a hug timer",
)
NOISES = ("pink", "fan", "babble")
SNRS_DB = (10.0, 5.0)
LEAD_S, TRAIL_S = 2.0, 2.0
NOISE_ONLY_S = 20.0
CHUNK = 320
"""The live loop's microphone blocks (20 ms)."""
ONSET_S, HANGOVER_S = 0.08, 0.4
PREROLL_S, TAIL_S = 0.25, 0.1
"""What the endpointer keeps before an utterance's start and after its end."""
MAX_UTTERANCE_S = 12.0


@dataclass(frozen=True)
class Found:
    """One utterance a detector handed over: its bounds, and when it was handed over (all in
    seconds of the stream)."""

    start: float
    end: float
    handed: float


def band_energy(samples: np.ndarray) -> list[Found]:
    """The coach's own endpointer, fed the stream in microphone blocks."""
    endpointer, found = Endpointer(RATE), []
    for at in range(0, len(samples), CHUNK):
        for utterance in endpointer.feed(samples[at:at + CHUNK]):
            found.append(Found(utterance.start_s, utterance.end_s, (at + CHUNK) / RATE))
    found += [Found(u.start_s, u.end_s, len(samples) / RATE) for u in endpointer.flush()]
    return found


class Silero:
    """Silero VAD v6 from faster-whisper's wheel, one 512-sample window at a time."""

    WINDOW, CONTEXT = 512, 64
    THRESHOLD, RELEASE = 0.5, 0.35
    """Silero's own hysteresis: speech from 0.5, silence again below 0.35."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self.seconds_per_window: list[float] = []

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        audio = samples.astype(np.float32) / 32768.0
        h = np.zeros((1, 1, 128), np.float32)
        c = np.zeros((1, 1, 128), np.float32)
        context = np.zeros(self.CONTEXT, np.float32)
        out = []
        for at in range(0, len(audio) - self.WINDOW + 1, self.WINDOW):
            window = audio[at:at + self.WINDOW]
            began = time.perf_counter()
            prob, h, c = self._session.run(
                None, {"input": np.concatenate([context, window])[None], "h": h, "c": c})
            self.seconds_per_window.append(time.perf_counter() - began)
            out.append(float(np.ravel(prob)[0]))
            context = window[-self.CONTEXT:]
        return np.array(out)

    def __call__(self, samples: np.ndarray) -> list[Found]:
        step = self.WINDOW / RATE
        onset, hangover = max(1, round(ONSET_S / step)), round(HANGOVER_S / step)
        longest = round(MAX_UTTERANCE_S / step)
        found, speaking, run, start, last = [], False, 0, 0, 0
        probabilities = self.probabilities(samples)
        for index, prob in enumerate(probabilities):
            if not speaking:
                run = run + 1 if prob >= self.THRESHOLD else 0
                if run >= onset:
                    speaking, start, last = True, index - onset + 1, index
                continue
            if prob >= self.RELEASE:
                last = index
            if index - last >= hangover or index - start >= longest:
                found.append(Found(start * step, (last + 1) * step, (index + 1) * step))
                speaking, run = False, 0
        if speaking:
            found.append(Found(start * step, (last + 1) * step, len(probabilities) * step))
        return found


@dataclass
class Tally:
    requests: int = 0
    whole: int = 0
    settle: list[float] | None = None
    false_starts: int = 0
    noise_s: float = 0.0

    def figures(self) -> dict:
        settle = self.settle or []
        return {"whole": round(self.whole / max(self.requests, 1), 3),
                "settle_ms_p50": round(float(np.median(settle)) * 1000) if settle else None,
                "settle_ms_p95": round(float(np.percentile(settle, 95)) * 1000)
                if settle else None,
                "false_starts_per_min": round(self.false_starts / (self.noise_s / 60), 2)
                if self.noise_s else None}


def requests() -> list[tuple[Audio, str]]:
    """Each request once per voice in turn: five espeak-ng voices at two rates, and Piper."""
    from ..voice.piper_voice import PiperSynthesizer

    piper, said = PiperSynthesizer(), []
    for index, text in enumerate(REQUESTS):
        if index % 3 == 2:
            audio = resample(piper.render(text.replace(" ...", ","), 150), RATE)
            said.append((audio, piper.name))
        else:
            voice = DEV_VOICES[index % len(DEV_VOICES)]
            rate = DEV_RATES[index % len(DEV_RATES)]
            said.append((speak(text.replace(" ...", ","), voice=voice, rate=rate), voice))
    return said


def speech_bounds(audio: Audio) -> tuple[float, float]:
    voiced = np.nonzero(np.abs(audio.samples) > 0.05 * np.max(np.abs(audio.samples)))[0]
    return voiced[0] / RATE, (voiced[-1] + 1) / RATE


def compare(detectors: dict[str, Callable[[np.ndarray], list[Found]]]) -> dict:
    said = requests()
    results: dict[str, dict[str, Tally]] = {name: {} for name in detectors}
    conditions = ["clean", *(f"{kind} {snr:g}" for kind in NOISES for snr in SNRS_DB)]
    for condition in conditions:
        for seed, (audio, _) in enumerate(said):
            lead, trail = np.zeros(int(LEAD_S * RATE)), np.zeros(int(TRAIL_S * RATE))
            clean = np.concatenate([lead, audio.samples, trail]).astype(np.float32)
            start, end = (LEAD_S + b for b in speech_bounds(audio))
            stream = _noisy(clean, audio, condition, seed)
            for name, detect in detectors.items():
                tally = results[name].setdefault(condition, Tally(settle=[]))
                tally.requests += 1
                found = detect(stream)
                covering = [f for f in found
                            if f.start - PREROLL_S <= start and f.end + TAIL_S >= end]
                near = [f for f in found if f.end > start and f.start < end]
                if covering and len(near) == 1:
                    tally.whole += 1
                    tally.settle.append(covering[0].handed - end)
        if condition != "clean":
            kind, snr = condition.split()
            level = 0.1 / (10 ** (float(snr) / 20))  # as loud as it is beside a request
            alone = float_to_int16(np.clip(level * noise(kind, int(NOISE_ONLY_S * RATE),
                                                         seed=99), -1, 1))
            for name, detect in detectors.items():
                results[name][condition].false_starts += len(detect(alone))
                results[name][condition].noise_s += NOISE_ONLY_S
    return {name: {condition: tally.figures() for condition, tally in by.items()}
            for name, by in results.items()}


def _noisy(clean: np.ndarray, audio: Audio, condition: str, seed: int) -> np.ndarray:
    """The stream as int16: the request at 0.1 RMS over its voiced part, noise at the SNR over
    the whole stream."""
    voiced = audio.samples[np.abs(audio.samples) > 0.02 * np.max(np.abs(audio.samples))]
    speech = clean * (0.1 / float(np.sqrt(np.mean(voiced ** 2))))
    if condition != "clean":
        kind, snr = condition.split()
        gain = 0.1 / (10 ** (float(snr) / 20))
        speech = speech + gain * noise(kind, len(speech), RATE, seed)
    return float_to_int16(np.clip(speech, -1, 1))


def main() -> None:
    silero = Silero()
    results = compare({"band energy": band_energy, "silero": silero})
    print(json.dumps(results, indent=1))
    cost = np.array(silero.seconds_per_window)
    print(f"silero: {np.median(cost) * 1000:.2f} ms per 32 ms window "
          f"(real-time factor {np.median(cost) / (Silero.WINDOW / RATE):.3f})")


if __name__ == "__main__":
    main()
