"""`voice-coach bench [--json] [--quick] [--load]`: measure every figure in one run (see
voice_coach.bench.benchmark); progress goes to stderr, the table (or, with --json, one JSON object
as the last line) to stdout."""

from __future__ import annotations

import json
import sys

from ..bench.benchmark import BOUNDS, meets, run_bench, table
from ..settings import requested_engine


def run(args) -> int:
    results = run_bench(quick=args.quick, model=args.model, engine=requested_engine(args),
                        load=args.load,
                        progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(results) if args.json else table(results))
    missed = [key for key in BOUNDS if results.get(key) is None or not meets(key, results[key])]
    return 0 if not missed else 1
