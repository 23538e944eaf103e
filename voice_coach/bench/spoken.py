"""Spoken accuracy: the held-out commands and everyday sharing sentences, said by several espeak-ng
voices at two rates, clean and mixed with bedroom noise at 10 dB SNR, go through the same path as
`voice-coach parse --wav` (recogniser, then matcher). Sharing sentences go through a dialog that is
waiting for a partner to share, exactly as in Rose/Thorn/Bud."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..hearing.recognition import hear
from .partner_voice import NOISES, mix, speak
from .text import Labelled, Scores, score


@dataclass(frozen=True)
class SpokenScores:
    clean: Scores
    noisy: Scores
    recognition_s: float
    """Time spent recognising, for the real-time factor."""
    audio_s: float
    """Length of the audio recognised."""


def spoken_scores(recognizer, matcher, items: list[Labelled], voices, rates,
                  snr_db: float = 10.0) -> SpokenScores:
    clean, noisy, labels = [], [], []
    busy = audio_s = 0.0
    for voice_index, voice in enumerate(voices):
        for rate in rates:
            for index, item in enumerate(items):
                speech = speak(item.text, voice=voice, rate=rate)
                kind = NOISES[(index + voice_index) % len(NOISES)]
                for audio, answers in ((speech, clean),
                                       (mix(speech, kind, snr_db, seed=index), noisy)):
                    started = time.perf_counter()
                    heard = hear(audio, recognizer)
                    result = matcher.match(heard.text, confirmed=heard.confirmed)
                    busy += time.perf_counter() - started
                    audio_s += audio.seconds
                    answers.append((result.intent, dict(result.slots)))
                labels.append(item)
    return SpokenScores(score(labels, clean), score(labels, noisy), busy, audio_s)


def false_trigger_rate(recognizer, sharing_dialog, sentences: list[str], voices,
                       snr_db: float | None = None) -> tuple[float, list[str]]:
    """Share of sharing sentences the coach acted on. `sharing_dialog()` returns a fresh dialog
    that is waiting for a partner to share."""
    triggered = []
    total = 0
    for voice_index, voice in enumerate(voices):
        for index, sentence in enumerate(sentences):
            audio = speak(sentence, voice=voice, rate=150)
            if snr_db is not None:
                audio = mix(audio, NOISES[(index + voice_index) % len(NOISES)], snr_db, seed=index)
            heard = hear(audio, recognizer).text
            total += 1
            if heard and _acted_on(sharing_dialog(), heard):
                triggered.append(f"{sentence!r} heard as {heard!r}")
    return len(triggered) / max(1, total), triggered


def _acted_on(dialog, text: str) -> bool:
    from ..coaching.dialog import Heard

    return any(isinstance(event, Heard) and event.intent for event in dialog.hear(text))
