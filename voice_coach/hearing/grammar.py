"""What the recognisers may hear, built from the same intent templates the matcher scores against,
so what the coach can hear and what it understands never drift apart: an n-gram language model
for PocketSphinx, a phrase list for Vosk."""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterable

from ..understanding.catalog import IntentCatalog
from ..understanding.wake_word import DEFAULT, WakeWord

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


def arpa_language_model(catalog: IntentCatalog, background_words: Iterable[str] = (),
                        wake: WakeWord = DEFAULT) -> str:
    """A trigram language model (ARPA text) of the catalog's spoken sentences, a seventh of them
    also after the wake word (enough for the wake word's n-grams, at a seventh of the build time).
    Unlike a grammar it lets a transcript leave the templates' paths, so paraphrases come out close
    enough for the fuzzy matcher. `background_words` join as rare unigrams, so everyday speech
    has words of its own to come out as, instead of being forced onto command words."""
    from pocketsphinx.lm import ArpaBoLM

    sentences = sorted({s.text for s in catalog.spoken_sentences()})
    corpus = sentences + ([f"{wake.text} {s}" for s in sentences[::7]] if wake.words else [])
    # ArpaBoLM takes extra words from a file only; the file is gone once read.
    handle, word_file = tempfile.mkstemp(suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("\n".join(background_words))
        model = ArpaBoLM(text="\n".join(corpus), add_start=True, discount_mass=0.5,
                         word_file=word_file, word_file_count=1)
    finally:
        os.unlink(word_file)
    model.compute()
    text = io.StringIO()
    model.write(text)
    return text.getvalue()


def vosk_phrases(catalog: IntentCatalog, wake: WakeWord = DEFAULT) -> str:
    """Vosk's grammar: a JSON array of every spoken sentence, with and without the wake word,
    plus "[unk]" so speech that is not for the coach has somewhere to go."""
    sentences = sorted({s.text for s in catalog.spoken_sentences()})
    woken = [f"{wake.text} {s}" for s in sentences] if wake.words else []
    phrases = sentences + woken + ["[unk]"]
    return json.dumps(phrases, ensure_ascii=False)


def words_of(phrases: Iterable[str]) -> frozenset[str]:
    """The words of a phrase list, without Vosk's "[unk]"."""
    return frozenset(w for p in phrases for w in p.split() if w != "[unk]")
