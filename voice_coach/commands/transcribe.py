"""`voice-coach transcribe FILE ... [--json] [--open]`: what the recogniser hears in WAV files,
one line per file; a bad file gets one line on stderr and the rest of the batch goes on."""

from __future__ import annotations

import json
import sys

from ..errors import AudioFileError
from ..hearing.engines import load_recognizer
from ..hearing.recognition import hear_file
from ..settings import requested_engine


def run(args) -> int:
    catalog = None
    if not args.open:
        from ..understanding.catalog import load_catalog

        catalog = load_catalog()
    recognizer = load_recognizer(catalog, model_path=args.model, open_vocabulary=args.open,
                                 engine=requested_engine(args))
    status = 0
    for path in args.files:
        try:
            transcript = hear_file(path, recognizer)
        except AudioFileError as error:
            print(f"voice-coach: {error}", file=sys.stderr)
            status = 2
            continue
        if args.json:
            print(json.dumps({"file": path, "text": transcript.text,
                              "confidence": round(transcript.confidence, 3),
                              "alternatives": list(transcript.alternatives),
                              "engine": transcript.engine}, ensure_ascii=False))
        else:
            print(f"{path}: {transcript.text}")
        sys.stdout.flush()
    return status
