"""The `voice-coach` command line: argument parsing only. Each subcommand lives in
`voice_coach.commands.<name>` as `run(args) -> int`, so the command line stays one readable page."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from .errors import VoiceCoachError
from .hearing.engines import Engine


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voice-coach",
        description="An offline voice coach for couples. With no command: the live assistant.",
    )
    _add_audio_options(parser)
    parser.add_argument("--keyboard", action="store_true",
                        help="type requests instead of speaking them (replies are still spoken)")
    parser.add_argument("--json-events", action="store_true",
                        help="print what the coach hears and does as JSON lines, each with its "
                             "monotonic time `t` (for scripts and the benchmark)")
    parser.add_argument("--engine", choices=[engine.value for engine in Engine],
                        help="which engine listens (default: the `engine` setting)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("parse", help="match typed text or WAV files to intents")
    p.add_argument("text", nargs="*", help="utterances to parse (default: one per line from stdin)")
    p.add_argument("--wav", action="append", default=[], metavar="FILE", help="a WAV file to hear")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    _add_model_option(p)

    p = sub.add_parser("transcribe", help="transcribe WAV files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--open", action="store_true",
                   help="open vocabulary (dictation) instead of the coach's grammar")
    _add_model_option(p)

    sub.add_parser("devices", help="list audio devices")

    p = sub.add_parser("doctor", help="check engine, model, audio devices and voice")
    _add_model_option(p)

    p = sub.add_parser("say", help="speak a text aloud, or write it to a WAV file")
    p.add_argument("text", nargs="+")
    p.add_argument("--out", metavar="FILE.wav", help="write the speech here instead of playing it")
    _add_audio_options(p)

    p = sub.add_parser("models", help="manage speech models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    d = msub.add_parser("download", help="download a Vosk model (the only network access)")
    d.add_argument("language", nargs="?", default="en-us")
    msub.add_parser("list", help="list the models found on this machine")

    p = sub.add_parser("run", help="run one exercise live")
    p.add_argument("exercise")
    _add_audio_options(p)
    _add_model_option(p)

    p = sub.add_parser("plan", help="print an exercise's timeline without waiting")
    p.add_argument("exercise")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chat", help="the whole dialog on text: turns from stdin")
    p.add_argument("--clock", choices=["virtual", "real"], default="virtual")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("history", help="rituals done, most recent first")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("bench", help="measure accuracy, latency and timing")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="fewer voices and runs")
    p.add_argument("--load", action="store_true",
                   help="also measure the room with one core kept busy by another process")
    _add_model_option(p)
    return parser


def _add_audio_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input-device", metavar="DEVICE", help="microphone name or index")
    parser.add_argument("--output-device", metavar="DEVICE", help="speaker name or index")


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="a Vosk model folder (default: search)")
    parser.add_argument("--engine", choices=[engine.value for engine in Engine],
                        help="which engine listens (default: the `engine` setting, else auto: "
                             "Vosk, else PocketSphinx and Whisper, else PocketSphinx)")


LOG_VARIABLE = "VOICE_COACH_LOG"
"""`VOICE_COACH_LOG=debug` writes the coach's reasoning to stderr (what each utterance was heard
as, what was dropped and why): for a maintainer explaining a miss, never on by default."""


def _log_to_stderr() -> None:
    level = os.environ.get(LOG_VARIABLE, "").upper()
    if not level:
        return
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        print(f"voice-coach: {LOG_VARIABLE}={level.lower()} is not a log level: use debug, info, "
              "warning or error (warnings only, meanwhile).", file=sys.stderr)
        return
    logger = logging.getLogger("voice_coach")  # not the libraries' own chatter
    if not any(getattr(h, "voice_coach", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        handler.voice_coach = True
        logger.addHandler(handler)
    logger.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _log_to_stderr()
    name = (args.command or "live").replace("-", "_")
    try:
        command = importlib.import_module(f"voice_coach.commands.{name}")
        return int(command.run(args) or 0)
    except VoiceCoachError as error:
        print(f"voice-coach: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`voice-coach plan hug | head`): not an error worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
