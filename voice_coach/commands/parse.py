"""`voice-coach parse [TEXT ...] [--wav FILE ...] [--json]`: what the coach understands.

One result per input, in order: the texts, then the WAV files; with neither, one utterance per line
from stdin. The catalog, matcher and recogniser are built once for the whole batch. For a WAV file
the recogniser's other readings are tried when the first is not for the coach (see
IntentMatcher.match_any); "text" is the reading understood. A bad WAV file gets one line on stderr
naming it, the rest of the batch still runs, and the exit code is 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import VoiceCoachError
from ..settings import load_settings, requested_engine
from ..understanding.catalog import IntentCatalog, load_catalog
from ..understanding.intent import IntentMatcher, IntentResult

if TYPE_CHECKING:
    from ..hearing.recognition import Transcript


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    matcher = IntentMatcher(catalog, wake=load_settings()[0].wake)
    texts = args.text if args.text or args.wav else _stdin_lines()
    for text in texts:
        _print(text, matcher.match(text), args.json)
    failed = False
    for path, transcript in _transcripts(args.wav, catalog, args.model, requested_engine(args)):
        if transcript is None:
            failed = True
        else:
            readings = [transcript.text, *transcript.alternatives]
            _print(path, matcher.match_any(readings, confirmed=transcript.confirmed), args.json)
    return 2 if failed else 0


def _stdin_lines() -> Iterator[str]:
    """Lines as they arrive, so `parse` can sit at the end of a pipe; blank lines are skipped."""
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _transcripts(paths: list[str], catalog: IntentCatalog, model: str | None,
                 engine: str) -> Iterator[tuple[str, Transcript | None]]:
    """(path, its transcript) per file, or (path, None) after reporting why the file was
    skipped."""
    if not paths:
        return
    # imported here: typed text must work on a machine whose audio stack is incomplete
    from ..hearing.engines import load_recognizer
    from ..hearing.recognition import hear_file

    recognizer = load_recognizer(catalog, model_path=model, engine=engine)
    if getattr(recognizer, "notice", ""):
        print(f"voice-coach: {recognizer.notice}", file=sys.stderr, flush=True)
    for path in paths:
        try:
            transcript = hear_file(path, recognizer)
        except VoiceCoachError as error:
            message = str(error) if path in str(error) else f"{path}: {error}"
            print(f"voice-coach: {message}", file=sys.stderr, flush=True)
            yield path, None
            continue
        yield path, transcript


def _print(source: str, result: IntentResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"input": source, "text": result.text, "intent": result.intent,
                          "score": result.score, "slots": dict(result.slots)},
                         ensure_ascii=False), flush=True)
        return
    heard = f'{source}: "{result.text}"' if source != result.text else source
    meaning = result.intent or "(not for the coach)"
    slots = "".join(f" {name}={value}" for name, value in result.slots.items())
    print(f"{heard} -> {meaning}{slots} ({result.score:.0f})", flush=True)
