"""`voice-coach models list` and `voice-coach models download [en-us]` (the only command that
touches the network)."""

from __future__ import annotations

from .. import models_store


def run(args) -> int:
    if args.models_command == "download":
        path = models_store.download(args.language)
        print(f"The model is ready in {path}; Voice Coach will use it from now on.")
        return 0
    found = models_store.list_models()
    for model in found:
        note = "English: used" if model.english else "not English: ignored"
        print(f"{model.path}  ({model.source}, {note})")
    active = models_store.find_model(None)
    print("Active engine: " + (f"Vosk with {active}" if active else
                               "PocketSphinx (built in; `voice-coach models download` gets Vosk's "
                               "English model)"))
    return 0
