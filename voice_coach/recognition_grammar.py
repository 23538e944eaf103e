"""The recogniser's grammar, built from the same intent templates the matcher scores against,
so what the coach can hear and what it understands never drift apart.

The JSGF keeps the templates' own structure (alternatives, optional words, lists, ranges)
instead of listing every expanded sentence: the catalog expands to tens of thousands of
sentences, which PocketSphinx takes most of a minute to compile, while the structure compiles in
well under a second."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable

from .intent_catalog import IntentCatalog, clean_words
from .intent_templates import (Alternative, Expression, ListSlot, RangeSlot, Sequence, Text,
                               number_words)

WAKE_WORD = "coach"

EXTRA_PRONUNCIATIONS = {
    # CMUdict lacks these words of the templates; phones written by hand (ARPAbet, US English).
    "appreciations": "AH P R IY SH IY EY SH AH N Z",
    "breathwork": "B R EH TH W ER K",
    "clingy": "K L IH NG IY",
    "codependence": "K OW D IH P EH N D AH N S",
    "codependency": "K OW D IH P EH N D AH N S IY",
    "codependent": "K OW D IH P EH N D AH N T",
    "flatmates": "F L AE T M EY T S",
    "synchronise": "S IH NG K R AH N AY Z",
    "syncing": "S IH NG K IH NG",
    "unpause": "AH N P AO Z",
}


def jsgf(catalog: IntentCatalog, known: Callable[[str], bool]) -> tuple[str, frozenset[str]]:
    """A JSGF grammar of every intent's templates behind an optional wake word, and the words
    left out because `known` says the recogniser cannot say them (options using them are void)."""
    missing: set[str] = set()
    rules = []
    for index, intent in enumerate(catalog.intent_ids):
        options = [_jsgf(t.expression, catalog, known, missing) for t in catalog.templates[intent]]
        options = [o for o in options if o != "<VOID>"]
        if options:
            rules.append((f"i{index}", " | ".join(options)))
    body = " | ".join(f"<{name}>" for name, _ in rules)
    lines = ["#JSGF V1.0;", "grammar coach;", f"public <command> = [{WAKE_WORD}] ( {body} );"]
    lines += [f"<{name}> = {options};" for name, options in rules]
    return "\n".join(lines) + "\n", frozenset(missing)


def arpa_language_model(catalog: IntentCatalog) -> str:
    """A trigram language model (ARPA text) of the catalog's spoken sentences, a seventh of them
    also after the wake word. Unlike a grammar it lets a transcript leave the templates' paths, so
    paraphrases come out close enough for the fuzzy matcher, and everyday speech comes out as
    something the matcher rejects instead of the nearest command."""
    from pocketsphinx.lm import ArpaBoLM

    sentences = sorted({s.text for s in catalog.spoken_sentences()})
    corpus = sentences + [f"{WAKE_WORD} {s}" for s in sentences[::7]]
    model = ArpaBoLM(text="\n".join(corpus), add_start=True, discount_mass=0.5)
    model.compute()
    text = io.StringIO()
    model.write(text)
    return text.getvalue()


def vosk_phrases(catalog: IntentCatalog) -> str:
    """Vosk's grammar: a JSON array of every spoken sentence, with and without the wake word,
    plus "[unk]" so speech that is not for the coach has somewhere to go."""
    sentences = sorted({s.text for s in catalog.spoken_sentences()})
    phrases = sentences + [f"{WAKE_WORD} {s}" for s in sentences] + ["[unk]"]
    return json.dumps(phrases, ensure_ascii=False)


def words_of(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(w for p in phrases for w in p.split() if w != "[unk]")


def _jsgf(expression: Expression, catalog: IntentCatalog, known: Callable[[str], bool],
          missing: set[str]) -> str:
    """JSGF text for one template tree; "<NULL>" says nothing, "<VOID>" cannot be said."""
    if isinstance(expression, Text):
        words = clean_words(expression.text).split()
        absent = [w for w in words if not known(w)]
        # Digits are the typed forms of numbers ("rate it 7"); their spoken forms are words.
        missing.update(w for w in absent if not w.isdigit())
        return "<VOID>" if absent else " ".join(words) or "<NULL>"
    if isinstance(expression, Sequence):
        parts = [_jsgf(item, catalog, known, missing) for item in expression.items]
        parts = [p for p in parts if p != "<NULL>"]
        return "<VOID>" if "<VOID>" in parts else " ".join(parts) or "<NULL>"
    if isinstance(expression, Alternative):
        options = [_jsgf(o, catalog, known, missing) for o in expression.options]
        return _choice(options, expression.optional)
    if isinstance(expression, RangeSlot):
        return _choice([number_words(n) for n in range(expression.start, expression.end + 1)])
    assert isinstance(expression, ListSlot)
    phrases = [_jsgf(v.phrase, catalog, known, missing)
               for v in catalog.lists[expression.name].values]
    return _choice(phrases)


def _choice(options: list[str], optional: bool = False) -> str:
    said = sorted({o for o in options if o not in ("<VOID>", "<NULL>")})
    optional = optional or "<NULL>" in options
    if not said:
        return "<NULL>" if optional else "<VOID>"
    inner = " | ".join(said)
    return f"[ {inner} ]" if optional else f"( {inner} )"
