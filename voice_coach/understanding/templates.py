"""Intent template syntax: parse one template line into a tree, and expand the tree into sentences.

The syntax is the one voice developers know from hassil and Rhasspy, so a therapist's edits in
`intents/*.ini` read like the examples in those projects' documentation:

    (start|begin) [a] {seconds:10..30} second hug     alternatives, optional words, a number range
    what is {term}                                    a slot filled from a list
    <start> [the] hug                                 a rule: words written once, used often

Errors name what is wrong and how to fix it; the catalog adds the file and line in front.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..errors import TemplateError

SlotValue = str | int

RANGE_LIMIT = 100
"""Ranges stop at one hundred: larger numbers are not something a couple says to a coach."""

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
_RANGE = re.compile(r"([0-9]{1,3})\.\.([0-9]{1,3})\Z")
MAX_DEPTH = 12
"""Brackets inside brackets deeper than this are a slip, and would exhaust Python's recursion."""
_SPECIAL = "()[]{}<>|"


def number_words(n: int) -> str:
    """Spell 0..100 as a recogniser hears it ("twenty one"), so ranges and typed digits meet."""
    if not 0 <= n <= RANGE_LIMIT:
        raise ValueError(f"{n} is outside 0..{RANGE_LIMIT}")
    if n == RANGE_LIMIT:
        return "one hundred"
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")


@dataclass(frozen=True)
class Text:
    """Literal words."""

    text: str


@dataclass(frozen=True)
class Sequence:
    """Items said one after another."""

    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Alternative:
    """One of several options; `[x]` is an optional alternative (x, or nothing)."""

    options: tuple[Expression, ...]
    optional: bool = False


@dataclass(frozen=True)
class ListSlot:
    """`{name}`: any phrase of list `name`; the slot `name` gets that phrase's value."""

    name: str


@dataclass(frozen=True)
class RangeSlot:
    """`{name:1..10}`: a whole number said as digits or words; the slot `name` gets the int."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class RuleRef:
    """`<name>`: the words of rule `name`, written once in a `[rules]` section and used often."""

    name: str


Expression = Text | Sequence | Alternative | ListSlot | RangeSlot | RuleRef


@dataclass(frozen=True)
class ListValue:
    """One line of a `[list ...]` section: the phrases that mean a value."""

    phrase: Expression
    """The spoken phrase(s), itself a template without slots."""
    value: str


@dataclass(frozen=True)
class SlotList:
    """A named list of phrases, each standing for a slot value."""

    name: str
    values: tuple[ListValue, ...]


def parse_template(text: str) -> Expression:
    """Parse one template line; a mistake raises TemplateError saying what to change."""
    return _Parser(text).parse_alternatives(closer=None)


def references(expression: Expression) -> Iterator[ListSlot | RuleRef]:
    """Every `{list}` and `<rule>` in a template, so the catalog can check each exists."""
    if isinstance(expression, ListSlot | RuleRef):
        yield expression
    elif isinstance(expression, Sequence):
        for item in expression.items:
            yield from references(item)
    elif isinstance(expression, Alternative):
        for option in expression.options:
            yield from references(option)


def inline_rules(expression: Expression, rules: Mapping[str, Expression]) -> Expression:
    """The template with each `<rule>` replaced by its words (rules are checked to exist first)."""
    if isinstance(expression, RuleRef):
        return rules[expression.name]
    if isinstance(expression, Sequence):
        return Sequence(tuple(inline_rules(item, rules) for item in expression.items))
    if isinstance(expression, Alternative):
        return Alternative(tuple(inline_rules(o, rules) for o in expression.options),
                           expression.optional)
    return expression


def has_slots(expression: Expression) -> bool:
    """List phrases and rules may not contain slots or rules: a slot inside a slot has no single
    value, and a rule inside a rule can loop."""
    if isinstance(expression, ListSlot | RangeSlot | RuleRef):
        return True
    if isinstance(expression, Sequence):
        return any(has_slots(item) for item in expression.items)
    if isinstance(expression, Alternative):
        return any(has_slots(option) for option in expression.options)
    return False


def count_sentences(expression: Expression, lists: Mapping[str, SlotList]) -> int:
    """How many sentences a template makes, computed without making them (the explosion guard)."""
    if isinstance(expression, Text):
        return 1
    if isinstance(expression, Sequence):
        total = 1
        for item in expression.items:
            total *= count_sentences(item, lists)
        return total
    if isinstance(expression, Alternative):
        return sum(count_sentences(o, lists) for o in expression.options) + expression.optional
    if isinstance(expression, RangeSlot):
        # digits and words: "7" and "seven"
        return 2 * (expression.end - expression.start + 1)
    return sum(count_sentences(v.phrase, lists) for v in lists[expression.name].values)


def expand(expression: Expression,
           lists: Mapping[str, SlotList]) -> Iterator[tuple[str, dict[str, SlotValue]]]:
    """Every sentence a template stands for, with its slots; runs of spaces made single."""
    for words, slots in _expand(expression, lists):
        yield " ".join("".join(words).split()), dict(slots)


def _expand(expression: Expression, lists: Mapping[str, SlotList]
            ) -> Iterator[tuple[tuple[str, ...], tuple[tuple[str, SlotValue], ...]]]:
    if isinstance(expression, Text):
        yield (expression.text,), ()
    elif isinstance(expression, Sequence):
        parts = [list(_expand(item, lists)) for item in expression.items]
        for combination in itertools.product(*parts):
            yield (tuple(w for words, _ in combination for w in words),
                   tuple(s for _, slots in combination for s in slots))
    elif isinstance(expression, Alternative):
        for option in expression.options:
            yield from _expand(option, lists)
        if expression.optional:
            yield (), ()
    elif isinstance(expression, RangeSlot):
        for n in range(expression.start, expression.end + 1):
            yield (str(n),), ((expression.name, n),)
            yield (number_words(n),), ((expression.name, n),)
    else:
        for value in lists[expression.name].values:
            for words, _ in _expand(value.phrase, lists):
                yield words, ((expression.name, value.value),)


def _blank(sequence: Sequence) -> bool:
    return all(isinstance(item, Text) and not item.text.strip() for item in sequence.items)


class _Parser:
    """Recursive descent over one line; positions in messages are 1-based columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def parse_alternatives(self, closer: str | None) -> Expression:
        opener_pos = self.pos - 1
        options: list[Expression] = []
        while True:
            sequence = self.parse_sequence()
            char = self.text[self.pos] if self.pos < len(self.text) else None
            if char == "|":
                options.append(self._non_empty(sequence))
                self.pos += 1
                continue
            opener = "(" if closer == ")" else "["
            if char is None and closer is not None:
                raise TemplateError(f"unclosed '{opener}' at column {opener_pos + 1} "
                                    f"— close it with '{closer}' or remove it.")
            if char is not None and char != closer:
                if closer is None:
                    raise self._stray(char)
                raise TemplateError(f"'{char}' at column {self.pos + 1} does not match '{opener}' "
                                    f"at column {opener_pos + 1} — close it with '{closer}'.")
            if options or closer is not None:
                options.append(self._non_empty(sequence))
            elif _blank(sequence):
                raise TemplateError("the template is empty — write the words someone would say.")
            else:
                return sequence
            self.pos += char is not None
            if self.pos < len(self.text) and self.text[self.pos] in "?*+":
                # a regular-expression habit: "(each )?" would silently be "each" plus a stray "?"
                raise TemplateError(f"'{self.text[self.pos]}' after a bracket at column "
                                    f"{self.pos + 1} is not template syntax — put optional words "
                                    "in [square brackets] instead.")
            return Alternative(tuple(options), optional=closer == "]")

    def parse_sequence(self) -> Sequence:
        items: list[Expression] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "|)]":
                break
            if char in "([":
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise TemplateError(f"brackets nested more than {MAX_DEPTH} deep at column "
                                        f"{self.pos + 1} — split the template into simpler "
                                        "lines.")
                self.pos += 1
                items.append(self.parse_alternatives(")" if char == "(" else "]"))
                self.depth -= 1
            elif char == "{":
                items.append(self.parse_slot())
            elif char == "<":
                items.append(self.parse_rule())
            elif char in "}>":
                raise self._stray(char)
            else:
                end = self.pos
                while end < len(self.text) and self.text[end] not in _SPECIAL:
                    end += 1
                # whitespace is kept: "what('s| is)" must give "what's", not "what 's"
                items.append(Text(self.text[self.pos:end]))
                self.pos = end
        return Sequence(tuple(items))

    def parse_rule(self) -> RuleRef:
        start = self.pos
        end = self.text.find(">", start)
        if end == -1:
            raise TemplateError(f"unclosed '<' at column {start + 1} — add '>' after the rule "
                                "name.")
        self.pos = end + 1
        name = self.text[start + 1:end].strip()
        if not _NAME.match(name):
            raise TemplateError(f"'<{name}>' is not a rule name — use lowercase letters, digits "
                                "and '_', like <start>.")
        return RuleRef(name)

    def parse_slot(self) -> Expression:
        start = self.pos
        end = self.text.find("}", start)
        inner_stop = min((i for i in (self.text.find(c, start + 1) for c in "([{<|)]") if i != -1),
                         default=-1)
        if end == -1 or (inner_stop != -1 and inner_stop < end):
            raise TemplateError(f"unclosed '{{' at column {start + 1} — add '}}' after the slot "
                                "name.")
        self.pos = end + 1
        inside = self.text[start + 1:end].strip()
        name, _, spec = (part.strip() for part in inside.partition(":"))
        if not _NAME.match(name):
            raise TemplateError(f"'{{{inside}}}' is not a slot name — use lowercase letters, "
                                "digits and '_', like {term} or {value:1..10}.")
        if not spec:
            return ListSlot(name)
        match = _RANGE.match(spec)
        if not match:
            raise TemplateError(f"'{{{inside}}}' has a bad range — write it as {{{name}:1..10}}.")
        low, high = int(match[1]), int(match[2])
        if low > high or high > RANGE_LIMIT:
            raise TemplateError(f"'{{{inside}}}' has a bad range — the first number must not be "
                                f"larger than the second, and neither above {RANGE_LIMIT}.")
        return RangeSlot(name, low, high)

    def _non_empty(self, sequence: Sequence) -> Sequence:
        if _blank(sequence):
            raise TemplateError(f"empty alternative at column {self.pos + 1} — remove the extra "
                                "'|' or brackets, or put words there.")
        return sequence

    def _stray(self, char: str) -> TemplateError:
        return TemplateError(f"'{char}' at column {self.pos + 1} closes nothing "
                             "— remove it or add the matching opening bracket.")
