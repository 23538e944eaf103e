"""The couple's ritual history: which exercise, when it started and ended, whether it was completed,
and its 1-10 ratings. Nothing else is stored (no transcripts, no audio), in a SQLite file only its
owner can read (mode 0600).

The history must never end a session: a damaged file is moved aside and a fresh one started, and a
failed write (a full disk) is reported once while the rest of the evening is kept in memory."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from .. import paths

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Times are stored as UTC ISO 8601 text, so text order is time order across DST changes.
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    exercise TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1))
);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions(started_at);
CREATE TABLE IF NOT EXISTS ratings (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    label TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value BETWEEN 1 AND 10)
);
CREATE INDEX IF NOT EXISTS ratings_by_session ON ratings(session_id);
"""

# A rating label names the question ("first partner: stress"), never what was said: kept short.
MAX_LABEL_CHARS = 40

T = TypeVar("T")


@dataclass(frozen=True)
class Rating:
    label: str
    """Which question was rated, from the exercise data, e.g. "first partner: stress"."""
    value: int
    """1 to 10, as spoken."""


@dataclass(frozen=True)
class SessionRecord:
    id: int
    exercise: str
    """Exercise id, e.g. "breathing"."""
    started_at: datetime
    """Timezone-aware (UTC); convert with .astimezone() for the local clock."""
    ended_at: datetime | None
    """None while running, or if the coach was closed mid-exercise."""
    completed: bool
    """False when stopped early or never finished."""
    ratings: tuple[Rating, ...] = ()

    @property
    def duration_s(self) -> float | None:
        return None if self.ended_at is None else (self.ended_at - self.started_at).total_seconds()


class History:
    """The history file, opened once per process. Safe to call from several threads."""

    def __init__(self, path: Path | None = None,
                 on_warning: Callable[[str], None] | None = None) -> None:
        """`on_warning` receives each problem as one plain sentence (e.g. to say it aloud; without
        it, problems are logged). Every warning is also kept in `warnings`."""
        self.path = Path(path) if path is not None else paths.history_path()
        self._on_warning = on_warning
        self._warnings: list[str] = []
        self._lock = threading.Lock()
        self._in_memory = False
        self._db = self._open()

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self._warnings)

    @property
    def in_memory(self) -> bool:
        """True once the file could not be used: rituals are still recorded, but not saved."""
        return self._in_memory

    def start(self, exercise: str, when: datetime) -> int:
        """Record that an exercise started; returns the session id for finish and add_rating."""
        if not exercise:
            raise ValueError("an exercise id is needed")
        return self._run(lambda db: db.execute(
            "INSERT INTO sessions (exercise, started_at) VALUES (?, ?)",
            (exercise, _to_text(when))).lastrowid)

    def finish(self, session_id: int, when: datetime, completed: bool) -> None:
        self._run(lambda db: db.execute(
            "UPDATE sessions SET ended_at = ?, completed = ? WHERE id = ?",
            (_to_text(when), int(bool(completed)), session_id)))

    def add_rating(self, session_id: int, label: str, value: int) -> None:
        """Keep one 1-10 rating. `label` must come from the exercise data, never from speech."""
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            raise ValueError(f"a rating is a whole number from 1 to 10, not {value!r}")
        if not label or len(label) > MAX_LABEL_CHARS:
            raise ValueError(f"a rating label is 1 to {MAX_LABEL_CHARS} characters: {label!r}")
        self._run(lambda db: db.execute(
            "INSERT INTO ratings (session_id, label, value) VALUES (?, ?, ?)",
            (session_id, label, value)))

    def recent(self, limit: int | None = None) -> list[SessionRecord]:
        """The most recent sessions first; all of them when limit is None."""
        return self._select("", (), limit)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _select(self, where: str, params: tuple, limit: int | None) -> list[SessionRecord]:
        chosen = f"SELECT * FROM sessions {where} ORDER BY started_at DESC, id DESC LIMIT ?"
        params = (*params, -1 if limit is None else limit)

        def query(db: sqlite3.Connection) -> list[SessionRecord]:
            ratings: dict[int, list[Rating]] = {}
            for session_id, label, value in db.execute(
                    f"SELECT session_id, label, value FROM ratings WHERE session_id IN "
                    f"(SELECT id FROM ({chosen})) ORDER BY rowid", params):
                ratings.setdefault(session_id, []).append(Rating(label, value))
            return [SessionRecord(id=row[0], exercise=row[1], started_at=_from_text(row[2]),
                                  ended_at=_from_text(row[3]) if row[3] else None,
                                  completed=bool(row[4]), ratings=tuple(ratings.get(row[0], ())))
                    for row in db.execute(chosen, params)]

        return self._run(query)

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """One transaction; if the file fails mid-evening, carry on in memory instead of raising."""
        with self._lock:
            try:
                with self._db:
                    return operation(self._db)
            except (sqlite3.Error, OSError) as error:
                if self._in_memory or not _is_storage_failure(error):
                    raise
                self._db = self._memory_copy(error)
                with self._db:
                    return operation(self._db)

    def _open(self) -> sqlite3.Connection:
        try:
            return self._open_file()
        except (sqlite3.Error, OSError) as error:
            if not _is_corruption(error):
                return self._memory(f"Could not open the history file {self.path} "
                                    f"({_reason(error)}); tonight's rituals are kept in memory "
                                    f"and will not be saved.")
        moved = self._move_aside()
        self._warn(f"The history file was damaged, so it was moved to {moved.name} "
                   f"and a fresh history was started.")
        try:
            return self._open_file()
        except (sqlite3.Error, OSError) as error:
            return self._memory(f"Could not start a fresh history file ({_reason(error)}); "
                                f"tonight's rituals are kept in memory and will not be saved.")

    def _open_file(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created 0600 before SQLite writes a byte (SQLite gives its journal the same mode);
        # chmod also tightens a file copied in with looser permissions.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            (check,) = db.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise _FailedCheck(check)
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        serial = 1
        while target.exists():
            serial += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{serial}")
        self.path.rename(target)
        # A leftover journal belongs to the damaged file; SQLite would replay it into the new one.
        for suffix in ("-journal", "-wal", "-shm"):
            leftover = self.path.with_name(self.path.name + suffix)
            if leftover.exists():
                leftover.rename(target.with_name(target.name + suffix))
        return target

    def _memory_copy(self, error: BaseException) -> sqlite3.Connection:
        memory = self._memory(f"Could not save to the history file ({_reason(error)}); the rest "
                              f"of tonight's rituals are kept in memory and will not be saved.")
        try:
            # Keeps the running session's row, so finishing and rating it still work.
            self._db.backup(memory)
        except sqlite3.Error:
            memory.executescript(SCHEMA)
        self._db.close()
        return memory

    def _memory(self, warning: str) -> sqlite3.Connection:
        self._warn(warning)
        self._in_memory = True
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(SCHEMA)
        return db

    def _warn(self, message: str) -> None:
        self._warnings.append(message)
        if self._on_warning is None:
            log.warning("%s", message)
        else:
            self._on_warning(message)


class _FailedCheck(sqlite3.DatabaseError):
    """SQLite's own integrity check found damage that reading alone did not trip over."""


def _is_corruption(error: BaseException) -> bool:
    # The low byte of SQLite's extended error code is the primary code.
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, _FailedCheck) or (
        code is not None and (code & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB))


def _is_storage_failure(error: BaseException) -> bool:
    """The file or disk failed (full, I/O, damaged), as opposed to a mistake in the calling code."""
    return isinstance(error, (OSError, sqlite3.OperationalError)) or _is_corruption(error)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or "unknown error"


def _to_text(when: datetime) -> str:
    # A naive time is taken as local time, which is what the caller's datetime.now() means.
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def _from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)
