"""The user's settings: one frozen dataclass per concern, read from a TOML file in the user's config
folder. A setting that is wrong never stops the coach: it is reported by key, with the default used
in its place, because a couple at 11 pm needs the coach to start, not a config lecture."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from datetime import datetime, time
from enum import Enum
from pathlib import Path
from typing import Any

from . import paths
from .hearing.engines import Engine
from .understanding.wake_word import WakeWord


class VoiceChoice(Enum):
    """Which engine speaks (`voice_choice.py` opens it)."""

    PIPER = "piper"
    SYSTEM = "system"


class _Invalid(ValueError):
    """A value broke its rule; the message is the rule ("must be a number from 0 to 1")."""


@dataclass(frozen=True)
class _Number:
    low: float
    high: float
    whole: bool = False

    def convert(self, raw: Any) -> float:
        kinds = (int,) if self.whole else (int, float)
        if isinstance(raw, bool) or not isinstance(raw, kinds) or not self.low <= raw <= self.high:
            kind = "a whole number" if self.whole else "a number"
            raise _Invalid(f"must be {kind} from {self.low:g} to {self.high:g}")
        return raw if self.whole else float(raw)


@dataclass(frozen=True)
class _ClockTime:
    def convert(self, raw: Any) -> time:
        if isinstance(raw, time):
            return raw.replace(second=0, microsecond=0)
        if isinstance(raw, str) and re.fullmatch(r"\d{1,2}:\d{2}", raw.strip()):
            hour, minute = (int(part) for part in raw.split(":"))
            if hour < 24 and minute < 60:
                return time(hour, minute)
        raise _Invalid('must be a time of day like "21:00"')


@dataclass(frozen=True)
class _Text:
    """Free text; empty means "not set" (None)."""

    def convert(self, raw: Any) -> str | None:
        if not isinstance(raw, str):
            raise _Invalid('must be text in quotes, or "" for the default')
        return raw.strip() or None


@dataclass(frozen=True)
class _Choice:
    """One of an Enum's values, or "" for the default (None)."""

    choices: type[Enum]
    hint: str = ""

    def convert(self, raw: Any) -> Enum | None:
        names = [choice.value for choice in self.choices]
        if raw == "":
            return None
        if isinstance(raw, str) and raw.strip().lower() in names:
            return self.choices(raw.strip().lower())
        quoted = ", ".join(f'"{name}"' for name in names)
        raise _Invalid(f'must be one of {quoted}, or "" for the default{self.hint}')


@dataclass(frozen=True)
class _Device:
    def convert(self, raw: Any) -> str | int | None:
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        if isinstance(raw, str):
            return raw.strip() or None
        raise _Invalid('must be a device name in quotes, a device number, or "" for the default')


@dataclass(frozen=True)
class _FolderPath:
    def convert(self, raw: Any) -> Path | None:
        if not isinstance(raw, str):
            raise _Invalid('must be a folder path in quotes, or "" to search')
        return Path(raw.strip()).expanduser() if raw.strip() else None


@dataclass(frozen=True)
class _Keyword:
    """One of a few lowercase words, with no empty default (the engine's "auto" is a word)."""

    choices: tuple[str, ...]

    def convert(self, raw: Any) -> str:
        if isinstance(raw, str) and raw.strip().lower() in self.choices:
            return raw.strip().lower()
        raise _Invalid(f"must be one of {', '.join(self.choices)} in quotes")


@dataclass(frozen=True)
class _PartnerNames:
    def convert(self, raw: Any) -> tuple[str, ...]:
        if (isinstance(raw, list) and len(raw) in (0, 2)
                and all(isinstance(name, str) and name.strip() for name in raw)):
            return tuple(name.strip() for name in raw)
        raise _Invalid('must be two names like ["Sam", "Alex"], or [] to say "first partner"')


@dataclass(frozen=True)
class _WakeWord:
    def convert(self, raw: Any) -> str | None:
        if raw is False or raw == "":
            return None
        if isinstance(raw, str) and re.fullmatch(r"[A-Za-z' ]{2,30}", raw.strip()):
            return " ".join(raw.lower().split())
        raise _Invalid('must be a word or two in quotes like "coach", or false to turn it off')


def _setting(default: Any, rule: Any) -> Any:
    return field(default=default, metadata={"rule": rule})


@dataclass(frozen=True)
class SpeechSettings:
    rate_wpm: int = _setting(150, _Number(80, 300, whole=True))
    """Speaking rate in words per minute: unhurried by default, since nobody is reading along."""
    volume: float = _setting(0.8, _Number(0.05, 1.0))
    """Loudness from 0.05 to 1 (the system volume still applies on top)."""
    voice: VoiceChoice | None = _setting(
        None, _Choice(VoiceChoice, " (a system voice's name goes in speech.system_voice)"))
    """Which engine speaks: "piper" (the natural voice), "system" (pyttsx3: espeak-ng, SAPI5,
    NSSpeech); None is Piper on Linux and the system voice elsewhere."""
    system_voice: str | None = _setting(None, _Text())
    """A system voice's name or id (see `voice-coach doctor`); None uses its default."""

    def at_night(self, night: NightSettings) -> SpeechSettings:
        """Quieter and slower, for a dark bedroom."""
        return replace(self, rate_wpm=max(80, round(self.rate_wpm * night.rate_factor)),
                       volume=self.volume * night.volume_factor)


@dataclass(frozen=True)
class NightSettings:
    start: time = _setting(time(21, 0), _ClockTime())
    """From this time the coach speaks quieter and slower (it can also be asked to)."""
    end: time = _setting(time(6, 0), _ClockTime())
    """Night mode ends at this time in the morning."""
    rate_factor: float = _setting(0.85, _Number(0.5, 1.0))
    """Speaking rate at night, as a fraction of speech.rate_wpm."""
    volume_factor: float = _setting(0.6, _Number(0.1, 1.0))
    """Volume at night, as a fraction of speech.volume."""

    def includes(self, moment: time) -> bool:
        """Whether a time of day falls in the night (which may span midnight)."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class BreathSettings:
    inhale_s: float = _setting(4.0, _Number(2, 10))
    """Seconds breathing in."""
    hold_s: float = _setting(0.0, _Number(0, 10))
    """Seconds holding between in and out; 0 for no hold."""
    exhale_s: float = _setting(6.0, _Number(2, 15))
    """Seconds breathing out; always longer than the inhale, which is what calms the body."""
    count: int = _setting(6, _Number(1, 30, whole=True))
    """How many breaths; six slow breaths make about a minute."""

    @property
    def cycle_s(self) -> float:
        return self.inhale_s + self.hold_s + self.exhale_s


@dataclass(frozen=True)
class PeopleSettings:
    partner_names: tuple[str, ...] = _setting((), _PartnerNames())
    """The two partners' first names, in the order the coach addresses them; empty for
    "first partner" and "second partner"."""


@dataclass(frozen=True)
class AudioSettings:
    input_device: str | int | None = _setting(None, _Device())
    """Microphone name (or part of it) or number from `voice-coach devices`; None: the default."""
    output_device: str | int | None = _setting(None, _Device())
    """Speaker name (or part of it) or number; None for the default."""


@dataclass(frozen=True)
class RecognitionSettings:
    engine: str = _setting("auto", _Keyword(tuple(e.value for e in Engine)))
    """Which engine listens (voice_coach.hearing.engines): "auto" picks Vosk with an English
    model, else PocketSphinx; "pair" is PocketSphinx and Whisper together, on request."""
    model_path: Path | None = _setting(None, _FolderPath())
    """A Vosk model folder; None searches the usual places (see `voice-coach models list`)."""


@dataclass(frozen=True)
class Settings:
    wake_word: str | None = _setting("coach", _WakeWord())
    """Said first to get the coach's attention when no exercise is running; None turns it off."""
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    night: NightSettings = field(default_factory=NightSettings)
    breathing: BreathSettings = field(default_factory=BreathSettings)
    people: PeopleSettings = field(default_factory=PeopleSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    recognition: RecognitionSettings = field(default_factory=RecognitionSettings)

    @property
    def wake(self) -> WakeWord:
        """The wake word as the matcher, the dialog, the live loop and the recogniser use it."""
        return WakeWord.from_setting(self.wake_word)

    def speech_at(self, moment: datetime) -> SpeechSettings:
        """The speech settings for this moment: the night ones after night.start."""
        if self.night.includes(moment.time()):
            return self.speech.at_night(self.night)
        return self.speech


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Read the settings file (default: settings.toml in the user's config folder).

    Returns the settings and plain-sentence warnings. A missing default file is normal (defaults,
    no warning); an unreadable or invalid file gives defaults and a warning naming file and line;
    a wrong value gives its default and a warning naming its key."""
    explicit = path is not None
    path = Path(path) if explicit else paths.settings_path()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        warnings = [f"The settings file {path} does not exist; using the default settings."]
        return Settings(), warnings if explicit else []
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "it is not UTF-8 text"
        return Settings(), [f"Could not read the settings file {path} ({reason}); "
                            f"using the default settings."]
    except tomllib.TOMLDecodeError as error:
        return Settings(), [f"The settings file {path} has a mistake: {_lower_first(str(error))}; "
                            f"using the default settings."]
    warnings: list[str] = []
    settings = _build(Settings, table, "", warnings)
    return _check_breathing(settings, warnings), warnings


def _build(cls: type, table: dict[str, Any], prefix: str, warnings: list[str]) -> Any:
    known = {f.name: f for f in fields(cls)}
    for key in sorted(table.keys() - known.keys()):
        warnings.append(_unknown_key(prefix + key, [prefix + name for name in known]))
    values = {}
    for name, spec in known.items():
        if name not in table:
            continue
        key, raw = prefix + name, table[name]
        section = spec.default_factory if spec.default_factory is not MISSING else None
        if section is not None and is_dataclass(section):
            if isinstance(raw, dict):
                values[name] = _build(section, raw, f"{key}.", warnings)
            else:
                warnings.append(f"{key} must be a section written [{key}]; using its defaults.")
            continue
        try:
            values[name] = spec.metadata["rule"].convert(raw)
        except _Invalid as rule:
            warnings.append(f"{key} is {_show(raw)} but {rule}; using {_show(spec.default)}.")
    return cls(**values)


def _check_breathing(settings: Settings, warnings: list[str]) -> Settings:
    breath = settings.breathing
    if breath.exhale_s > breath.inhale_s:
        return settings
    default = BreathSettings()
    if default.exhale_s > breath.inhale_s:
        fixed = replace(breath, exhale_s=default.exhale_s)
        using = _show(default.exhale_s)
    else:
        fixed = replace(breath, inhale_s=default.inhale_s, exhale_s=default.exhale_s)
        using = f"{_show(default.inhale_s)} and {_show(default.exhale_s)}"
    warnings.append(f"breathing.exhale_s ({_show(breath.exhale_s)}) must be longer than "
                    f"breathing.inhale_s ({_show(breath.inhale_s)}); using {using}.")
    return replace(settings, breathing=fixed)


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{key} is not a setting{hint}; it is ignored."


def _show(value: Any) -> str:
    """A value as it would be written in the settings file."""
    if value is None:
        return "the default"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def requested_engine(args) -> str:
    """The engine --engine names, else the `engine` setting ("auto" by default)."""
    return getattr(args, "engine", None) or load_settings()[0].recognition.engine
