"""`voice-coach models list` and `voice-coach models download [en-us]` (the only command that
touches the network)."""

from __future__ import annotations

from ..hearing import model_store
from ..settings import requested_engine


def run(args) -> int:
    if args.models_command == "download":
        path = model_store.download(args.language)
        print(f"The model is ready in {path}; Voice Coach will use it from now on.")
        return 0
    found = model_store.list_models()
    for model in found:
        note = "English: used" if model.english else "not English: ignored"
        print(f"{model.path}  ({model.source}, {note})")
    active = model_store.find_model(None)
    whisper = _whisper_line()
    print(whisper)
    engine = requested_engine(args)
    if active and engine in ("auto", "vosk"):
        print(f"Active engine: Vosk with {active}")
    elif engine == "pair" and whisper.startswith("Whisper base int8:"):
        print("Active engine: PocketSphinx (built in) and Whisper base together "
              "(`voice-coach models download` gets Vosk's English model)")
    else:
        print(f"Active engine: {'Whisper base alone' if engine == 'whisper' else 'PocketSphinx'} "
              "(built in; `voice-coach models download` gets Vosk's English model)")
    return 0


def _whisper_line() -> str:
    from ..errors import RecognizerError
    from ..hearing.whisper_model import PART_PACKAGES, prepared_model, whisper_available

    if not whisper_available():
        return (f"Whisper base: not installed ({' and '.join(PART_PACKAGES)}; run `make setup`)")
    try:
        return f"Whisper base int8: {prepared_model()} (from {' and '.join(PART_PACKAGES)}, " \
               "SHA-256 checked)"
    except RecognizerError as error:
        return f"Whisper base: {error}"
