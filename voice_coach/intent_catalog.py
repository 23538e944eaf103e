"""The intent catalog: every `intents/*.ini` file loaded, checked and expanded into sentences.

A file has `[intent_id]` sections with one template per line, and `[list name]` sections whose
lines read `spoken phrase(s) = value`; `#` starts a comment. Every mistake is reported as
"intents/foo.ini, line 12: what is wrong — what to do", because the person editing these files is
a therapist, not a programmer. The recognisers build their grammars from the same sentences the
matcher scores against, so what the coach can hear and what it understands never drift apart.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import TemplateError
from .intent_templates import (Expression, ListValue, SlotList, SlotValue, count_sentences,
                               expand, has_slots, list_references, parse_template)

EXERCISE_INTENTS = ("appreciation", "sentence_stems", "stress_map", "hug", "breathing",
                    "rose_thorn_bud", "magic_minutes", "gentle_start", "tonight")
CONTROL_INTENTS = ("stop", "pause", "resume", "repeat", "next", "slower", "faster", "louder",
                   "quieter", "help", "yes", "no", "time_left")
ANSWER_INTENTS = ("what_is_intimacy", "pillars", "signs", "grown_apart", "sex_and_intimacy",
                  "roadblocks", "faq_how_long", "faq_partner_reluctant", "faq_betrayal",
                  "faq_dependence", "define", "progress", "number")
INTENT_IDS = EXERCISE_INTENTS + CONTROL_INTENTS + ANSWER_INTENTS
"""The contract: scripts, the dialog and tests use these ids, so the files may not invent others."""

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "intents"
TEMPLATE_LIMIT = 10_000
"""One line making more sentences than this is almost always a slip (an optional word too many)."""
CATALOG_LIMIT = 150_000
"""Beyond this the matcher's index grows slow; a bigger catalog wants shorter templates instead."""

_HEADER = re.compile(r"\[\s*(list\s+)?([^\]]*?)\s*\]\Z")
_UNCLOSED_HEADER = re.compile(r"\[\s*(list\s+)?[a-z_][a-z0-9_]*\s*\Z")
_ID = re.compile(r"[a-z_][a-z0-9_]*\Z")
_NOT_SPOKEN = re.compile(r"[^a-z0-9' ]+")


def clean_words(text: str) -> str:
    """Lowercase words with inner apostrophes kept ("what's"), everything else a space."""
    text = _NOT_SPOKEN.sub(" ", text.lower().replace("\u2019", "'"))
    return " ".join(word.strip("'") for word in text.split() if word.strip("'"))


@dataclass(frozen=True)
class Template:
    """One template line and where it came from, for messages."""

    text: str
    expression: Expression
    source: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.source}, line {self.line}"


@dataclass(frozen=True)
class Sentence:
    """One concrete sentence: what may be said, which intent it means, with which slot values."""

    text: str
    intent: str
    slots: Mapping[str, SlotValue] = field(default_factory=dict)


@dataclass(frozen=True)
class IntentCatalog:
    """All intents and lists, validated; sentences are expanded once, on first use."""

    templates: Mapping[str, tuple[Template, ...]]
    lists: Mapping[str, SlotList]

    @property
    def intent_ids(self) -> tuple[str, ...]:
        return tuple(self.templates)

    @cached_property
    def _sentences(self) -> tuple[Sentence, ...]:
        return _expand_all(self.templates, self.lists)

    def sentences(self) -> tuple[Sentence, ...]:
        """Every sentence, typed forms included ("rate it 7" beside "rate it seven")."""
        return self._sentences

    def spoken_sentences(self) -> tuple[Sentence, ...]:
        """The sentences a recogniser can output: words only, no digits (grammar building)."""
        return tuple(s for s in self._sentences if not any(c.isdigit() for c in s.text))

    def vocabulary(self) -> frozenset[str]:
        """Every word of the spoken sentences, for recogniser dictionaries and grammars."""
        return frozenset(w for s in self.spoken_sentences() for w in s.text.split())


def load_catalog(directory: Path | str | None = None) -> IntentCatalog:
    """Load every `*.ini` in `directory` (default: the top-level intents/); all ids must appear."""
    folder = Path(directory) if directory is not None else DEFAULT_DIR
    files = sorted(folder.glob("*.ini"))
    if not files:
        raise TemplateError(f"no intent files (*.ini) found in {folder} — check the folder name.")
    sources = [(_display(path), path.read_text(encoding="utf-8")) for path in files]
    catalog = catalog_from_texts(sources)
    missing = [i for i in INTENT_IDS if i not in catalog.templates]
    if missing:
        raise TemplateError(f"no templates for {', '.join(missing)} in {folder} — add a "
                            "section with at least one template for each.")
    return catalog


def catalog_from_text(text: str, source: str = "<text>") -> IntentCatalog:
    """A catalog from one file's text: for tests and small experiments (no completeness check)."""
    return catalog_from_texts([(source, text)])


def catalog_from_texts(sources: Iterable[tuple[str, str]]) -> IntentCatalog:
    """Parse and validate several files' texts, given as (name for messages, text) pairs."""
    templates: dict[str, list[Template]] = {}
    list_lines: dict[str, list[tuple[ListValue, str]]] = {}
    headers: dict[str, str] = {}
    for source, text in sources:
        _parse_file(source, text, templates, list_lines, headers)
    lists = {name: SlotList(name, tuple(v for v, _ in values)) for name, values in list_lines.items()}
    for name, values in list_lines.items():
        if not values:
            raise TemplateError(f"{headers['list ' + name]}: list '{name}' has no values — add "
                                "lines like 'spoken words = value'.")
    for intent, lines in templates.items():
        if not lines:
            raise TemplateError(f"{headers[intent]}: intent '{intent}' has no templates — add one "
                                "sentence per line under it.")
        for template in lines:
            _check_template(template, lists)
    catalog = IntentCatalog({k: tuple(v) for k, v in templates.items()}, lists)
    if len(catalog.sentences()) > CATALOG_LIMIT:
        raise TemplateError(f"the intents make {len(catalog.sentences()):,} sentences (limit "
                            f"{CATALOG_LIMIT:,}) — shorten the templates with the most options.")
    return catalog


def _parse_file(source: str, text: str, templates: dict[str, list[Template]],
                list_lines: dict[str, list[tuple[ListValue, str]]], headers: dict[str, str]) -> None:
    current: list | None = None
    is_list = False
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{source}, line {number}"
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        header = _HEADER.match(line) if line.startswith("[") and line.endswith("]") else None
        if header and (header[1] or _ID.match(header[2])):
            is_list, name = bool(header[1]), header[2]
            current = _open_section(name, is_list, where, templates, list_lines, headers)
            continue
        if _UNCLOSED_HEADER.match(line):
            raise TemplateError(f"{where}: unclosed '[' in a section heading — write it as "
                                "[intent_id] or [list name].")
        if current is None:
            raise TemplateError(f"{where}: a template before any [intent_id] heading — put a "
                                "heading such as [hug] above it.")
        if is_list:
            current.append(_parse_list_line(line, where))
        else:
            current.append(Template(line, _parse(line, where), source, number))


def _open_section(name: str, is_list: bool, where: str, templates: dict, list_lines: dict,
                  headers: dict[str, str]) -> list:
    key = f"list {name}" if is_list else name
    if not _ID.match(name):
        raise TemplateError(f"{where}: '{name}' is not a valid name — use lowercase letters, "
                            "digits and '_'.")
    if key in headers:
        raise TemplateError(f"{where}: [{key}] is already defined at {headers[key]} — add these "
                            "lines there instead.")
    if not is_list and name not in INTENT_IDS:
        close = difflib.get_close_matches(name, INTENT_IDS, n=1)
        hint = f"did you mean [{close[0]}]?" if close else "see intents/README.md for the ids."
        raise TemplateError(f"{where}: unknown intent '{name}' — {hint}")
    headers[key] = where
    section: list = []
    (list_lines if is_list else templates)[name] = section
    return section


def _parse_list_line(line: str, where: str) -> tuple[ListValue, str]:
    phrase, equals, value = (part.strip() for part in line.rpartition("="))
    if not equals or not phrase or not value:
        raise TemplateError(f"{where}: a list line needs 'spoken words = value', like "
                            "'feeling safe = emotional_safety'.")
    expression = _parse(phrase, where)
    if has_slots(expression):
        raise TemplateError(f"{where}: a list phrase cannot contain a {{slot}} — write the "
                            "words out.")
    return ListValue(expression, value), where


def _parse(text: str, where: str) -> Expression:
    try:
        return parse_template(text)
    except TemplateError as error:
        raise TemplateError(f"{where}: {error}") from None


def _check_template(template: Template, lists: Mapping[str, SlotList]) -> None:
    for reference in list_references(template.expression):
        if reference.name not in lists:
            raise TemplateError(f"{template.where}: unknown list '{{{reference.name}}}' — add a "
                                f"[list {reference.name}] section or fix the name.")
    count = count_sentences(template.expression, lists)
    if count > TEMPLATE_LIMIT:
        raise TemplateError(f"{template.where}: this template makes {count:,} sentences (limit "
                            f"{TEMPLATE_LIMIT:,}) — split it into shorter lines or use fewer "
                            "optional words.")


def _expand_all(templates: Mapping[str, tuple[Template, ...]],
                lists: Mapping[str, SlotList]) -> tuple[Sentence, ...]:
    """Expand, clean and de-duplicate; one sentence meaning two things is a template mistake."""
    seen: dict[str, tuple[Sentence, Template]] = {}
    for intent, lines in templates.items():
        for template in lines:
            for text, slots in expand(template.expression, lists):
                sentence = Sentence(clean_words(text), intent, slots)
                if not sentence.text:
                    continue
                earlier = seen.setdefault(sentence.text, (sentence, template))
                if earlier[0] != sentence:
                    raise TemplateError(
                        f"{template.where}: '{sentence.text}' also means '{earlier[0].intent}' "
                        f"({earlier[1].where}) — keep the sentence in one intent only.")
    return tuple(sentence for sentence, _ in seen.values())


def _display(path: Path) -> str:
    """`intents/foo.ini` rather than a long absolute path, when the file is under the project."""
    try:
        return str(path.resolve().relative_to(DEFAULT_DIR.parent))
    except ValueError:
        return str(path)
