"""Which engine listens: `load_recognizer`, the one small factory that picks and builds it.

- "vosk": an English Vosk model (the client's engine), used whenever one is found;
- "pair": PocketSphinx with the coach's grammar and Whisper base together
  (voice_coach.hearing.paired_engine): on the held-out set it understood 0.854 of clean commands
  and 0.601 at 10 dB, against PocketSphinx's 0.688 and 0.382. A "stop" said over the coach is
  acted on from the grammar ear's reading, without waiting for Whisper (EarlyRecognizer's first
  reading). Not yet the default: in a fresh-clone run of the room tests with it, Whisper heard
  "coach, say that again" as its own prompt ("coach hug rose thorn bud sentence stems"), sure
  enough to be taken, and the coach started Rose/Thorn/Bud;
- "pocketsphinx": the default, built in (RNNoise in front where the noise is steady), and the
  fallback when Whisper cannot load;
- "whisper": Whisper alone (for comparison in the benchmark and the hearing dev set);
- "auto": vosk when a model is found, else pocketsphinx.

When Whisper cannot load (a model package missing or damaged), the coach hears with PocketSphinx
alone and says so: the recogniser's `notice` holds the sentence."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RecognizerError
from ..understanding.wake_word import DEFAULT, WakeWord

if TYPE_CHECKING:
    from ..understanding.catalog import IntentCatalog
    from .recognition import Recognizer


class Engine(StrEnum):
    AUTO = "auto"
    VOSK = "vosk"
    PAIR = "pair"
    POCKETSPHINX = "pocketsphinx"
    WHISPER = "whisper"


def engine_named(name: str | None) -> Engine:
    """The Engine for a name from --engine or the settings; RecognizerError for any other."""
    try:
        return Engine((name or "auto").strip().lower())
    except ValueError:
        raise RecognizerError(f"There is no speech engine called {name!r}: choose one of "
                              f"{', '.join(e.value for e in Engine)}.") from None


def load_recognizer(catalog: IntentCatalog | None, model_path: str | Path | None = None,
                    open_vocabulary: bool = False,
                    engine: Engine | str | None = None,
                    wake: WakeWord = DEFAULT) -> Recognizer:
    """The recogniser `engine` names (see the module note; "auto" when None: Vosk with an
    English model when one is found at `model_path`, $VOICE_COACH_MODEL, models/ or Vosk's
    cache). With `open_vocabulary` (dictation) or no catalog, nothing limits what can be heard. A
    recogniser that stands in for one that could not load says why in its `notice`. `wake`:
    the wake word the grammars put before each sentence."""
    from .model_store import find_model

    engine = engine_named(engine) if not isinstance(engine, Engine) else engine
    limit = None if open_vocabulary else catalog
    vosk_model = find_model(model_path) if engine in (Engine.AUTO, Engine.VOSK) else None
    if vosk_model is not None:
        from .vosk_engine import VoskRecognizer

        return VoskRecognizer(vosk_model, limit, wake=wake)
    if engine is Engine.VOSK:
        raise RecognizerError("No English Vosk model was found: run `voice-coach models "
                              "download`, or choose --engine pair or pocketsphinx.")
    if engine is Engine.AUTO:
        engine = Engine.POCKETSPHINX
    if engine is Engine.POCKETSPHINX:
        return _pocketsphinx(limit, wake)
    if engine is Engine.WHISPER or limit is None:
        try:
            free_ear = _whisper()
        except RecognizerError as error:
            return _alone(limit, wake, error)
        free_ear.warm_up()
        return free_ear
    from ..understanding.intent import IntentMatcher
    from .paired_engine import PairedRecognizer

    grammar_ear = _pocketsphinx(limit, wake)
    try:
        return PairedRecognizer(grammar_ear, _whisper, IntentMatcher(limit, wake=wake))
    except RecognizerError as error:
        return _alone(limit, wake, error, grammar_ear)


def _alone(catalog, wake: WakeWord, error: RecognizerError, grammar_ear=None):
    """PocketSphinx standing in for an engine with Whisper that could not load, saying why."""
    fallback = grammar_ear or _pocketsphinx(catalog, wake)
    fallback.notice = f"{error} Hearing with PocketSphinx alone meanwhile."
    return fallback


def _pocketsphinx(catalog, wake: WakeWord):
    """PocketSphinx, hearing RNNoise's output in steady noise when RNNoise is installed (with
    the coach's sentences only: dictation stays as it was)."""
    from ..audio import denoise
    from .pocketsphinx_engine import PocketSphinxRecognizer

    recognizer = PocketSphinxRecognizer(catalog, wake)
    if catalog is None or not denoise.available():
        return recognizer
    return denoise.SteadyNoiseDenoiser(recognizer)


def _whisper():
    from .whisper_engine import WhisperRecognizer
    from .whisper_model import prepared_model

    return WhisperRecognizer(prepared_model())
