"""`voice-coach` with no command: the live assistant on the default microphone and speaker. In
keyboard mode (no microphone, or --keyboard) each typed line is a request."""

from __future__ import annotations

import sys
import threading

from ..pipeline import build_pipeline


def run(args, exercise: str | None = None) -> int:
    pipeline = build_pipeline(args)
    assistant = pipeline.assistant
    wake = pipeline.settings.wake_word
    if pipeline.keyboard and not args.json_events:
        print("Keyboard mode: type a request (for example 'breathe with us'), Ctrl-D to quit.")
    elif not args.json_events:  # (with JSON the loop reports "ready" once the microphone is open)
        print(f"Listening. Say '{wake + ', ' if wake else ''}help' to hear what I can do. "
              "Ctrl-C to quit.")
    if exercise:
        assistant.start_exercise(exercise, then_stop=True)
    if pipeline.keyboard or sys.stdin.isatty():
        threading.Thread(target=_read_typed, args=(assistant,), daemon=True).start()
    try:
        assistant.run()
    except KeyboardInterrupt:
        pass
    return 0


def _read_typed(assistant) -> None:
    for line in sys.stdin:
        if line.strip():
            assistant.type_request(line.strip())
    assistant.stop()
