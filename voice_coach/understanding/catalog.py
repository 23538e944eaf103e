"""The intent catalog: every `intents/*.ini` file loaded, checked and expanded into sentences.

A file has `[intent_id]` sections with one template per line, `[list name]` sections whose lines
read `spoken phrase(s) = value`, and `[rules]` sections whose lines read `name = words` (used as
`<name>`); `#` starts a comment. Every mistake is reported as
"intents/foo.ini, line 12: what is wrong — what to do", because the person editing these files is
a therapist, not a programmer. The recognisers build their grammars from the same sentences the
matcher scores against, so what the coach can hear and what it understands never drift apart.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..errors import TemplateError
from ..paths import PROJECT_DIR
from .templates import (
    Expression,
    ListSlot,
    ListValue,
    SlotList,
    SlotValue,
    count_sentences,
    expand,
    has_slots,
    inline_rules,
    parse_template,
    references,
)

EXERCISE_INTENTS = ("appreciation", "sentence_stems", "stress_map", "hug", "breathing",
                    "rose_thorn_bud", "magic_minutes", "gentle_start", "tonight")
CONTROL_INTENTS = ("stop", "pause", "resume", "repeat", "next", "slower", "faster", "louder",
                   "quieter", "help", "yes", "no", "time_left")
ANSWER_INTENTS = ("what_is_intimacy", "pillars", "signs", "grown_apart", "sex_and_intimacy",
                  "roadblocks", "faq_how_long", "faq_partner_reluctant", "faq_betrayal",
                  "faq_dependence", "define", "progress", "number")
INTENT_IDS = EXERCISE_INTENTS + CONTROL_INTENTS + ANSWER_INTENTS
"""The contract: scripts, the dialog and tests use these ids, so the files may not invent others."""

DEFAULT_DIR = PROJECT_DIR / "intents"
TEMPLATE_LIMIT = 10_000
"""One line making more sentences than this is almost always a slip (an optional word too many)."""
CATALOG_LIMIT = 150_000
"""Beyond this the matcher's index grows slow; a bigger catalog wants shorter templates instead."""

# a line that is one bracketed name is a heading; "[please] stop" is a template
_HEADER = re.compile(r"\[\s*(list\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\]\Z")
_UNCLOSED_HEADER = re.compile(r"\[\s*(list\s+)?[A-Za-z_][A-Za-z0-9_]*\s*\Z")
_ID = re.compile(r"[a-z_][a-z0-9_]*\Z")
_NOT_SPOKEN = re.compile(r"[^a-z0-9' ]+")


def clean_words(text: str) -> str:
    """Lowercase words with inner apostrophes kept ("what's"), everything else a space."""
    text = _NOT_SPOKEN.sub(" ", text.lower().replace("\u2019", "'"))
    if "'" not in text:
        return " ".join(text.split())
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


SlotItems = tuple[tuple[str, SlotValue], ...]


@dataclass(frozen=True, repr=False)
class Sentences(Sequence[Sentence]):
    """Sentences kept as columns and made into Sentence objects only when read. Both of the live
    coach's processes hold the catalog: an object and a slot dict per sentence took 11 MB for
    the 45,000 bundled sentences, these columns take 5 MB, mostly the texts themselves."""

    texts: tuple[str, ...]
    """Each sentence's text; the matcher scores against these very strings rather than copies."""
    intents: tuple[str, ...]
    slot_items: tuple[SlotItems, ...]
    """Each sentence's slots as (name, value) pairs; equal fillings are one shared tuple."""

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> Sentence:
        return Sentence(self.texts[index], self.intents[index], dict(self.slot_items[index]))

    def __iter__(self) -> Iterator[Sentence]:
        for text, intent, items in zip(self.texts, self.intents, self.slot_items, strict=True):
            yield Sentence(text, intent, dict(items))

    def where(self, keep: Callable[[str], bool]) -> Sentences:
        """The sentences whose text `keep` accepts, sharing this table's strings."""
        rows = [i for i, text in enumerate(self.texts) if keep(text)]
        return Sentences(tuple(self.texts[i] for i in rows), tuple(self.intents[i] for i in rows),
                         tuple(self.slot_items[i] for i in rows))


@dataclass(frozen=True)
class IntentCatalog:
    """All intents and lists, validated; sentences are expanded once, on first use."""

    templates: Mapping[str, tuple[Template, ...]]
    lists: Mapping[str, SlotList]

    @property
    def intent_ids(self) -> tuple[str, ...]:
        return tuple(self.templates)

    @cached_property
    def _sentences(self) -> Sentences:
        return _expand_all(self.templates, self.lists)

    def sentences(self) -> Sentences:
        """Every sentence, typed forms included ("rate it 7" beside "rate it seven")."""
        return self._sentences

    @cached_property
    def _spoken(self) -> Sentences:
        return self._sentences.where(lambda text: not any(c.isdigit() for c in text))

    def spoken_sentences(self) -> Sentences:
        """The sentences a recogniser can output: words only, no digits (grammar building)."""
        return self._spoken

    def vocabulary(self) -> frozenset[str]:
        """Every word of the spoken sentences, for recogniser dictionaries and grammars."""
        return frozenset(w for text in self.spoken_sentences().texts for w in text.split())


def load_catalog(directory: Path | str | None = None) -> IntentCatalog:
    """Load every `*.ini` in `directory` (default: the top-level intents/); all ids must appear.

    A catalog is immutable, so one loaded from unchanged files is shared, not rebuilt."""
    folder = Path(directory) if directory is not None else DEFAULT_DIR
    files = sorted(folder.glob("*.ini"))
    if not files:
        raise TemplateError(f"no intent files (*.ini) found in {folder} — check the folder name.")
    return _load_files(folder, tuple((path, path.stat().st_mtime_ns) for path in files))


@lru_cache(maxsize=4)
def _load_files(folder: Path, files: tuple[tuple[Path, int], ...]) -> IntentCatalog:
    catalog = catalog_from_texts([(_display(path), _read(path)) for path, _ in files])
    missing = [i for i in INTENT_IDS if i not in catalog.templates]
    if missing:
        raise TemplateError(f"no templates for {', '.join(missing)} in {folder} — add a "
                            "section with at least one template for each.")
    return catalog


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError(f"{_display(path)} is not UTF-8 text — save it as UTF-8 "
                            "(any plain-text editor can).") from None
    except OSError as error:
        raise TemplateError(f"{_display(path)} cannot be read ({error.strerror}) — check the "
                            "file and its permissions.") from None


def catalog_from_text(text: str, source: str = "<text>") -> IntentCatalog:
    """A catalog from one file's text: for tests and small experiments (no completeness check)."""
    return catalog_from_texts([(source, text)])


@dataclass
class _Section:
    """One `[...]` section as read, before its lines are parsed."""

    kind: str  # "intent", "list" or "rules"
    name: str
    where: str
    lines: list[tuple[str, str, int]] = field(default_factory=list)  # (text, source, line)


def catalog_from_texts(sources: Iterable[tuple[str, str]]) -> IntentCatalog:
    """Parse and validate several files' texts, given as (name for messages, text) pairs."""
    sections: list[_Section] = []
    for source, text in sources:
        sections.extend(_read_sections(source, text))
    _check_unique(sections)
    rules = {name: expression for section in sections if section.kind == "rules"
             for name, expression in _parse_rules(section)}
    lists = {s.name: _parse_list(s) for s in sections if s.kind == "list"}
    templates = {s.name: _parse_intent(s, rules, lists) for s in sections if s.kind == "intent"}
    catalog = IntentCatalog(templates, lists)
    if len(catalog.sentences()) > CATALOG_LIMIT:
        raise TemplateError(f"the intents make {len(catalog.sentences()):,} sentences (limit "
                            f"{CATALOG_LIMIT:,}) — shorten the templates with the most options.")
    return catalog


def _read_sections(source: str, text: str) -> Iterator[_Section]:
    section: _Section | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{source}, line {number}"
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        header = _HEADER.match(line)
        if header:
            if section:
                yield section
            section = _open_section(header, where)
        elif _UNCLOSED_HEADER.match(line):
            raise TemplateError(f"{where}: unclosed '[' in a section heading — write it as "
                                "[intent_id], [list name] or [rules].")
        elif section is None:
            raise TemplateError(f"{where}: a template before any [intent_id] heading — put a "
                                "heading such as [hug] above it.")
        else:
            section.lines.append((line, source, number))
    if section:
        yield section


def _open_section(header: re.Match[str], where: str) -> _Section:
    kind = "list" if header[1] else "rules" if header[2] == "rules" else "intent"
    name = header[2]
    if not _ID.match(name):
        raise TemplateError(f"{where}: '{name}' is not a valid name — use lowercase letters, "
                            "digits and '_'.")
    if kind == "intent" and name not in INTENT_IDS:
        close = difflib.get_close_matches(name, INTENT_IDS, n=1)
        hint = f"did you mean [{close[0]}]?" if close else "see intents/README.md for the ids."
        raise TemplateError(f"{where}: unknown intent '{name}' — {hint}")
    return _Section(kind, name, where)


def _check_unique(sections: list[_Section]) -> None:
    seen: dict[tuple[str, str], _Section] = {}
    for section in sections:
        if section.kind == "rules":
            continue
        first = seen.setdefault((section.kind, section.name), section)
        if first is not section:
            heading = f"list {section.name}" if section.kind == "list" else section.name
            raise TemplateError(f"{section.where}: [{heading}] is already defined at "
                                f"{first.where} — add these lines there instead.")
        if not section.lines:
            what = "values — add lines like 'spoken words = value'" if section.kind == "list" \
                else "templates — add one sentence per line under it"
            raise TemplateError(f"{section.where}: {section.kind} '{section.name}' has no {what}.")


def _parse_rules(section: _Section) -> Iterator[tuple[str, Expression]]:
    names: set[str] = set()
    for line, source, number in section.lines:
        where = f"{source}, line {number}"
        name, words = _split_assignment(line, where, "a rule needs 'name = words', like "
                                        "'start = (start|begin|let's do)'.")
        if not _ID.match(name) or name in names:
            raise TemplateError(f"{where}: rule name '{name}' is not valid or used twice — use "
                                "lowercase letters, digits and '_', once each.")
        names.add(name)
        yield name, _parse_plain(words, where, "a rule")


def _parse_list(section: _Section) -> SlotList:
    values = []
    for line, source, number in section.lines:
        where = f"{source}, line {number}"
        phrase, value = _split_assignment(line, where, "a list line needs 'spoken words = "
                                          "value', like 'feeling safe = emotional_safety'.")
        values.append(ListValue(_parse_plain(phrase, where, "a list phrase"), value))
    return SlotList(section.name, tuple(values))


def _parse_intent(section: _Section, rules: Mapping[str, Expression],
                  lists: Mapping[str, SlotList]) -> tuple[Template, ...]:
    templates = []
    for line, source, number in section.lines:
        where = f"{source}, line {number}"
        expression = _parse(line, where)
        for reference in references(expression):
            if isinstance(reference, ListSlot) and reference.name not in lists:
                raise TemplateError(f"{where}: unknown list '{{{reference.name}}}' — add a "
                                    f"[list {reference.name}] section or fix the name.")
            if not isinstance(reference, ListSlot) and reference.name not in rules:
                raise TemplateError(f"{where}: unknown rule '<{reference.name}>' — add "
                                    f"'{reference.name} = ...' under [rules] or fix the name.")
        expression = inline_rules(expression, rules)
        count = count_sentences(expression, lists)
        if count > TEMPLATE_LIMIT:
            raise TemplateError(f"{where}: this template makes {count:,} sentences (limit "
                                f"{TEMPLATE_LIMIT:,}) — split it into shorter lines or use fewer "
                                "optional words.")
        templates.append(Template(line, expression, source, number))
    return tuple(templates)


def _split_assignment(line: str, where: str, advice: str) -> tuple[str, str]:
    left, equals, right = (part.strip() for part in line.rpartition("="))
    if not equals or not left or not right:
        raise TemplateError(f"{where}: {advice}")
    return left, right


def _parse_plain(text: str, where: str, what: str) -> Expression:
    expression = _parse(text, where)
    if has_slots(expression):
        raise TemplateError(f"{where}: {what} cannot contain a {{slot}} or <rule> — write the "
                            "words out.")
    return expression


def _parse(text: str, where: str) -> Expression:
    try:
        return parse_template(text)
    except TemplateError as error:
        raise TemplateError(f"{where}: {error}") from None


def _expand_all(templates: Mapping[str, tuple[Template, ...]],
                lists: Mapping[str, SlotList]) -> Sentences:
    """Expand, clean and de-duplicate; one sentence meaning two things is a template mistake."""
    row_of: dict[str, int] = {}
    texts: list[str] = []
    intents: list[str] = []
    slot_items: list[SlotItems] = []
    origins: list[Template] = []
    fillings: dict[SlotItems, SlotItems] = {}
    for intent, lines in templates.items():
        for template in lines:
            for raw, slots in expand(template.expression, lists):
                text = clean_words(raw)
                if not text:
                    continue
                row = row_of.setdefault(text, len(texts))
                if row == len(texts):
                    items = tuple(slots.items())
                    texts.append(text)
                    intents.append(intent)
                    slot_items.append(fillings.setdefault(items, items))
                    origins.append(template)
                elif intents[row] != intent or dict(slot_items[row]) != slots:
                    raise TemplateError(
                        f"{template.where}: '{text}' also means '{intents[row]}' "
                        f"({origins[row].where}) — keep the sentence in one intent only.")
    return Sentences(tuple(texts), tuple(intents), tuple(slot_items))


def _display(path: Path) -> str:
    """`intents/foo.ini` rather than a long absolute path, when the file is under the project."""
    try:
        return str(path.resolve().relative_to(DEFAULT_DIR.parent))
    except ValueError:
        return str(path)
