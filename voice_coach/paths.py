"""Where Voice Coach's files are. The user's: the platform's data and config folders, so history and
settings live where the OS expects them; VOICE_COACH_HOME puts both under one folder, which keeps
tests (and a portable install) away from the real user's files. The project's own (exercise
scripts, intents, cue sounds, models): beside the package, found from here so no stage needs to
know how deep it sits."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "voice-coach"
HOME_VARIABLE = "VOICE_COACH_HOME"

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
"""Exercise scripts, answers and the example settings, installed with the package."""
PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The checkout: its `intents/`, `audio/` (cue sounds) and `models/` folders."""


def data_dir() -> Path:
    """The folder for the history database."""
    return _home_override("data") or platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The folder for settings.toml."""
    return _home_override("config") or platformdirs.user_config_path(APP_NAME, appauthor=False)


def history_path() -> Path:
    return data_dir() / "history.db"


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def _home_override(kind: str) -> Path | None:
    home = os.environ.get(HOME_VARIABLE)
    return Path(home).expanduser() / kind if home else None
