"""Where speech models are found, and the one place that may fetch one over the network.

Search order for an English Vosk model: `--model PATH`, $VOICE_COACH_MODEL, a folder under the
repository's models/, then Vosk's own cache folders. A path the user gave explicitly must be a
model (a typo should not silently fall back to another engine); discovered folders are used only
when their Vosk name says English, because a Korean model cannot hear English commands."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

from ..errors import RecognizerError
from ..paths import PROJECT_DIR

MODELS_DIR = PROJECT_DIR / "models"
ENV_VARIABLE = "VOICE_COACH_MODEL"
DOWNLOADS = {"en-us": "vosk-model-small-en-us-0.15"}
"""Language -> the Vosk model `models download` fetches (small: fast, with a grammar graph)."""

_ENGLISH = re.compile(r"vosk-model(-small)?-en(-|$)")


@dataclass(frozen=True)
class FoundModel:
    """A model folder on this machine and why it is (or is not) used."""

    path: Path
    source: str
    """Where it was found: "--model", "$VOICE_COACH_MODEL", "models/", "Vosk cache"."""
    english: bool


def is_vosk_model(path: Path) -> bool:
    """A Vosk model folder holds an acoustic model (am/final.mdl, or final.mdl in old models)."""
    return (path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()


def cache_dirs() -> list[Path]:
    """Vosk's own model folders, as its library searches them (its `MODEL_DIRS`, spelled out here:
    importing vosk loads its 17 MB speech library, which a machine without a Vosk model, the
    PocketSphinx default, would carry all night for nothing)."""
    folders = [os.environ.get("VOSK_MODEL_PATH"), Path("/usr/share/vosk"),
               Path.home() / "AppData/Local/vosk", Path.home() / ".cache/vosk"]
    return [Path(d) for d in folders if d is not None]


def find_model(explicit: str | Path | None = None) -> Path | None:
    """The Vosk model to use, or None for the embedded PocketSphinx engine."""
    for given, source in ((explicit, "--model"),
                          (os.environ.get(ENV_VARIABLE), f"${ENV_VARIABLE}")):
        if given:
            path = Path(given).expanduser()
            if not is_vosk_model(path):
                raise RecognizerError(
                    f"{path} (from {source}) is not a Vosk model folder: point it at the unpacked "
                    "model (the folder holding am/ and conf/), or leave it out to use the "
                    "built-in engine.")
            return path
    english = [model for model in list_models() if model.english]
    return english[0].path if english else None


def list_models() -> list[FoundModel]:
    """Every Vosk model folder under models/ and in Vosk's cache, in search order."""
    found = []
    for folder, source in [(MODELS_DIR, "models/")] + [(d, "Vosk cache") for d in cache_dirs()]:
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_dir() and is_vosk_model(path):
                    found.append(FoundModel(path, source, bool(_ENGLISH.match(path.name))))
    return found


def download(language: str = "en-us", into: Path = MODELS_DIR) -> Path:
    """Fetch a Vosk model with Vosk's own download code (it shows a progress bar)."""
    if language not in DOWNLOADS:
        raise RecognizerError(f"no model to download for {language!r}: choose one of "
                              f"{', '.join(DOWNLOADS)}.")
    target = into / DOWNLOADS[language]
    if is_vosk_model(target):
        return target
    try:
        _vosk_downloader().download_model(target)
    except (URLError, OSError) as error:
        Path(f"{target}.zip").unlink(missing_ok=True)  # never leave a half-downloaded archive
        reason = getattr(error, "reason", None) or error
        raise RecognizerError(
            f"could not download {target.name} ({reason}): check the internet connection and "
            "try again, or unpack the model into models/ yourself.") from None
    return target


def _vosk_downloader():
    """Vosk's download and progress-bar code, borrowed from its Model class without creating a
    model (Model.__init__ would load one, and its __del__ frees a handle we never had)."""
    from vosk import Model

    class Downloader:
        download_model = Model.download_model
        download_progress_hook = Model.download_progress_hook

    return Downloader()
