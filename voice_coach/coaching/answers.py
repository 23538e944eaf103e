"""The coach's short spoken answers about emotional intimacy, as data (data/answers.toml), each
paired with the exercise it offers next: an answer should lead somewhere the couple can act on."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..errors import VoiceCoachError
from ..paths import PACKAGE_DATA

ANSWERS_FILE = PACKAGE_DATA / "answers.toml"
ANSWER_IDS = (
    "what_is_intimacy",
    "pillars",
    "signs",
    "grown_apart",
    "sex_and_intimacy",
    "roadblocks",
    "faq_how_long",
    "faq_partner_reluctant",
    "faq_betrayal",
    "faq_dependence",
)
TERMS = ("emotional_safety", "bid_for_connection", "repair", "ritual_of_connection")
"""The `term` slot values of the `define` intent."""


class AnswerError(VoiceCoachError):
    """The answers file has a mistake (the message names the entry)."""


@dataclass(frozen=True)
class Answer:
    text: str
    offer: str
    """The exercise id offered after the answer."""


@dataclass(frozen=True)
class Answers:
    by_intent: dict[str, Answer]
    definitions: dict[str, Answer]
    """By term, for `define`."""

    def find(self, intent: str, term: str | None = None) -> Answer | None:
        if intent == "define":
            return self.definitions.get(term or "")
        return self.by_intent.get(intent)


def load_answers(exercise_ids: Collection[str], path: Path = ANSWERS_FILE) -> Answers:
    """Read and check the answers: every answer intent and term present, every offer an exercise."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise AnswerError(
            f"Could not read the answers file {path} ({error}); reinstall voice-coach "
            f"or restore the file."
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise AnswerError(f"{path.name} is not valid TOML ({error}); fix that line.") from error
    definitions = data.pop("define", {})
    by_intent = {key: _answer(data, key, path.name, exercise_ids) for key in ANSWER_IDS}
    terms = {key: _answer(definitions, key, f"{path.name} [define]", exercise_ids) for key in TERMS}
    extra = sorted(set(data) - set(ANSWER_IDS)) + sorted(set(definitions) - set(TERMS))
    if extra:
        raise AnswerError(
            f"{path.name}: [{extra[0]}] is not an answer the coach knows; rename it "
            f"to one of {', '.join(ANSWER_IDS + TERMS)} or remove it."
        )
    return Answers(by_intent, terms)


def _answer(table: dict, key: str, where: str, exercise_ids: Collection[str]) -> Answer:
    entry = table.get(key)
    if not isinstance(entry, dict):
        raise AnswerError(f"{where}: the answer [{key}] is missing; add it with text and offer.")
    unknown = sorted(set(entry) - {"text", "offer"})
    if unknown:
        raise AnswerError(f"{where} [{key}]: unknown key {unknown[0]!r}; use only text and offer.")
    text, offer = entry.get("text"), entry.get("offer")
    if not isinstance(text, str) or not text.strip():
        raise AnswerError(f"{where} [{key}]: text must be the spoken answer in quotes; add it.")
    if offer not in exercise_ids:
        raise AnswerError(
            f"{where} [{key}]: offer {offer!r} is not an exercise; use one of "
            f"{', '.join(sorted(exercise_ids))}."
        )
    return Answer(" ".join(text.split()), offer)
