"""The coach's voices measured side by side (`voice-coach bench`, or `python -m
voice_coach.bench.voice` for these figures alone): how fast each renders, how soon an uncached
reply has its first sentence ready to play, how much memory a process speaking with it needs,
and how clearly it speaks: every script line of every exercise, rendered by the voice and
transcribed with an open vocabulary by both of the project's recognisers, PocketSphinx and
Whisper base (a voice a recogniser mishears is one a sleepy partner mishears too)."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from rapidfuzz.distance import Levenshtein

VOICE_KEYS = ("piper", "system")
RATE_WPM = 150
"""The default speech rate of the settings."""
_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class VoiceFigures:
    render_rtf: float
    """Seconds rendering per second of speech, over every script line rendered uncached."""
    first_sample_ms_p50: float
    first_sample_ms_p95: float
    """From asking for an uncached one-sentence reply to its audio being ready to play."""
    rss_mb_peak: float
    """Peak memory of a process that loads the voice and speaks one sentence."""
    wer: float
    """Word error rate of the exercises' scripts as PocketSphinx (open vocabulary) hears them."""
    wer_whisper: float
    """The same as Whisper base hears them (free reading), the project's best transcriber."""
    words: int
    """Words in those scripts."""


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def word_error_rate(references: list[str], heard: list[str]) -> float:
    """Word edits (substitutions, insertions, deletions) over the reference's word count."""
    edits = sum(Levenshtein.distance(words(ref), words(hyp))
                for ref, hyp in zip(references, heard, strict=True))
    return edits / max(1, sum(len(words(ref)) for ref in references))


def all_script_lines() -> list[str]:
    from ..coaching.exercises import load_exercises
    from ..coaching.session import Delivery
    from ..settings import Settings
    from ..voice.prerender import script_lines

    delivery = Delivery(rate=RATE_WPM)
    lines = [line for exercise in load_exercises().values()
             for line in script_lines(exercise, Settings(), delivery)]
    return list(dict.fromkeys(lines))


def reply_sentences() -> list[str]:
    """One-sentence replies the coach gives uncached: each answer's first sentence."""
    from ..coaching.answers import load_answers
    from ..coaching.exercises import load_exercises
    from ..voice.rendered_voice import split_sentences

    answers = load_answers(load_exercises())
    texts = [answer.text for answer in (*answers.by_intent.values(), *answers.definitions.values())]
    return list(dict.fromkeys(split_sentences(text)[0] for text in texts if text.strip()))


def open_named(key: str):
    from ..settings import VoiceChoice
    from ..voice.voice_choice import open_voice

    chosen = open_voice(VoiceChoice(key))
    if chosen.fallback:
        raise RuntimeError(chosen.fallback)
    return chosen.synthesizer


def measure_voice(key: str, recognizers: dict, lines: list[str], replies: list[str],
                  progress: Callable[[str], None] = lambda line: None) -> VoiceFigures:
    """`recognizers`: "pocketsphinx" and "whisper", each with an open vocabulary."""
    from ..hearing.recognition import hear

    synthesizer = open_named(key)
    rendering = speech = 0.0
    heard: dict[str, list[str]] = {name: [] for name in recognizers}
    for line in lines:
        pieces = []
        for piece in _timed(synthesizer.render_sentences(line, RATE_WPM)):
            rendering += piece[0]
            pieces.append(piece[1])
        speech += sum(piece.seconds for piece in pieces)
        for name, recognizer in recognizers.items():
            heard[name].append(" ".join(hear(piece, recognizer).text for piece in pieces))
    first_ms = []
    for reply in replies:
        began = time.perf_counter()
        next(synthesizer.render_sentences(reply, RATE_WPM - 1))  # a rate not used above: uncached
        first_ms.append((time.perf_counter() - began) * 1000)
    wer = word_error_rate(lines, heard["pocketsphinx"])
    wer_whisper = word_error_rate(lines, heard["whisper"])
    progress(f"  {synthesizer.name}: render RTF {rendering / speech:.3f}, first sample "
             f"{statistics.median(first_ms):.0f} ms (median), WER {wer:.3f} (PocketSphinx), "
             f"{wer_whisper:.3f} (Whisper) over {sum(len(words(line)) for line in lines)} words")
    synthesizer.close()
    return VoiceFigures(round(rendering / speech, 4), round(statistics.median(first_ms), 1),
                        round(_p95(first_ms), 1), round(voice_rss_mb(key), 1), round(wer, 4),
                        round(wer_whisper, 4), sum(len(words(line)) for line in lines))


def voice_rss_mb(key: str) -> float:
    """Peak RSS of a fresh process that opens the voice and speaks one sentence."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    code = ("from pathlib import Path; from voice_coach.bench.voice import open_named; "
            f"open_named({key!r}).render('Six slow breaths, about a minute.'); "
            "print(next(int(line.split()[1]) / 1024 for line in "
            "Path('/proc/self/status').read_text().splitlines() if line.startswith('VmHWM')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def voice_figures(quick: bool = False, progress: Callable[[str], None] = lambda line: None
                  ) -> dict:
    """The benchmark's `voice_*` keys, for both voices."""
    from ..hearing.engines import Engine, load_recognizer

    recognizers = {"pocketsphinx": load_recognizer(None, open_vocabulary=True),
                   "whisper": load_recognizer(None, open_vocabulary=True, engine=Engine.WHISPER)}
    lines, replies = all_script_lines(), reply_sentences()
    if quick:
        lines, replies = lines[:12], replies[:8]
    progress(f"voices: {len(lines)} script lines, {len(replies)} one-sentence replies")
    results = {}
    for key in VOICE_KEYS:
        figures = measure_voice(key, recognizers, lines, replies, progress)
        results |= {f"voice_{key}_{name}": value for name, value in asdict(figures).items()
                    if name != "words"}
    return results


def _timed(pieces):
    while True:
        began = time.perf_counter()
        try:
            piece = next(pieces)
        except StopIteration:
            return
        yield time.perf_counter() - began, piece


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    print(json.dumps(voice_figures(quick="--quick" in sys.argv,
                                   progress=lambda line: print(line, file=sys.stderr))))
