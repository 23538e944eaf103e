"""PocketSphinx, the embedded engine: its wheel ships a US English model, so the coach hears
offline on a fresh machine with no download.

Measured choices (espeak-ng voices, voice_coach/bench/partner_voice.py; numbers in the hearing
report):
- Every utterance is scaled to one quiet peak level first. The acoustic model was trained on
  recordings far quieter than full scale: a set of phrases at full scale was heard right 53% of
  the time, the same at a peak of 0.05 93%.
- Dither: synthetic or gated audio has runs of exact zeros, which upset feature normalisation.
  Our own, the same for every utterance: PocketSphinx's dither draws from one generator for the
  decoder's life, so the same audio was heard differently depending on what came before (on the
  dev set up to 7 of 92 everyday sentences changed verdict between two runs; the noise
  removal's memory, next, was found later and may have been most of that).
- No memory between decodes: the acoustic model's feat.params switches on PocketSphinx's noise
  removal (`-remove_noise yes`, which overrides the Decoder's own argument), and its noise
  estimate carried over from one utterance to the next. The same audio was heard differently
  depending on what came before: "coach, five magic minutes" was heard right on a fresh
  decoder and as nothing at all once the decoder had heard it once (the room test that failed
  now and then on a fresh coach). The front end is reset before every decode (0.02 ms), so each
  pass starts from the utterance's own noise. Dev set (PocketSphinx with RNNoise where it
  applies, 324 utterances, carried-over state -> reset): commands 0.812 -> 0.812 clean, 0.609
  -> 0.625 at 10 dB, 0.562 -> 0.594 at 5 dB; out-of-scope rejected 0.950 -> 0.925 clean (2 of
  80), 0.900 -> 0.925 and 0.875 -> 0.900; noise alone rejected 0.750 both.
- A trigram language model of the template sentences, not a JSGF grammar: the grammar of the
  whole catalog decoded at 1-5x real time on this machine (PocketSphinx's grammar search has no
  shared lexicon tree), and when its search could not reach the grammar's end it returned cut
  phrases ("what are the"); the n-gram search runs well under 0.2x real time and its output goes
  to the fuzzy matcher, which rejects what is not a command.
- About 5,300 general words (every 13th short word of the wheel's dictionary) in the model as
  rare unigrams, so everyday speech has somewhere to go: on the dev set, rejection of everyday
  sentences rose from 78% to 84% clean and from 69% to 84% at 10 dB, for 2.5 points of command
  accuracy; 23,000 words cost 12 points of accuracy and doubled decoding time.
- A second pass (rescoring.py): the 20 template sentences that sound
  nearest to the free pass's ten best readings become a grammar, the same audio is decoded
  against it, and the sentence found replaces the free reading when it is whole, sounds close
  to one reading and fits the speech without padding it with silence. Dev set (64 own command
  phrasings and 46 everyday sentences, 5 voices x 2 rates, clean and at 10 dB, 1,100 utterances
  each): commands understood 58% -> 70.5% clean, 33% -> 41% noisy; everyday sentences rejected
  83% -> 82% clean, 72% -> 71% noisy; snapped to a control 0.4% -> 0.4% clean, 3.9% -> 4.8%
  noisy.
- Short utterances (at most 1 s from the free pass's first word to its last) are first decoded
  against a grammar of every one- and two-word template sentence, a prefix tree built once
  (rescoring.word_tree); its sentence is kept when whole, agreeing at least 30 with
  a free reading and leaving at most a tenth of the speech to silence or noise, else the usual
  second pass follows. Dev set: commands understood 69.5% -> 74.2% clean, 33.6% -> 35.9%
  noisy; everyday sentences rejected and snapped unchanged (92.4% / 90.2%, 1.1% / 4.3%);
  recognition median 266 ms, p95 564 ms, RTF 0.112 (the grammar decodes in ~65 ms).
- A free reading the second pass did not confirm is passed on only when the decoder's own
  posterior for it (from the word lattice) is at least e^-7: everyday talk that the free pass
  bends into command words ("i'd give it a eight") comes out with posteriors around e^-10
  (e^-5 to e^-25), commands understood from the free reading alone around e^-4. Dev set
  (half the 1,100 utterances, the same for every experiment): everyday sentences rejected
  80.4% -> 92.4% clean, 66.3% -> 90.2% noisy; snapped to a control 1.1% -> 1.1% / 7.6% ->
  4.3%; commands understood 69.5% -> 69.5% clean, 38.3% -> 33.6% noisy. No extra decoding.
  Rejecting every unconfirmed free reading (replayed from the same decodes): 100% / 92.4%
  rejected, 59.4% / 32.8% understood. The short grammar and this test together, on the whole
  dev set (1,100 utterances, clean and noisy): commands understood 68.4% -> 69.8% clean,
  41.7% -> 38.8% noisy; everyday sentences rejected 82.6% -> 93.9% clean, 72.0% -> 94.6%
  noisy; snapped to a control 0.7% -> 0.7% / 4.1% -> 1.7%; median 259 -> 263 ms, p95 514 ->
  501 ms, RTF 0.109. The benchmark's held-out lines (one run): commands 70.8% -> 73.1% clean,
  41.3% -> 39.4% at 10 dB; out-of-scope rejected 82.5% -> 84.2% clean, 66.7% -> 74.2%.
- No flat-lexicon pass (fwdflat) after the tree search, to pay for the second pass: the free
  pass took 30% less time (median 274 vs 387 ms, p95 995 vs 1221 ms on a loaded machine) and,
  with the second pass, commands were understood 68.4% clean (-2.1) and 41.7% noisy (+0.3),
  everyday sentences rejected 82.6% / 72.0% (+0.4 / +0.9), snapped to a control 0.7% / 4.1%.
  Narrower beams (1e-40) saved as much time but cost 14 points of commands.
- Time per utterance (440 dev utterances, median 2.7 s of audio, other work on the machine):
  free pass median 206 ms (p95 453), second pass adds median 78 ms (p95 170), whole
  recognition median 292 ms (p95 603), real-time factor 0.13.
- Tried and dropped: the free readings as rivals inside the second grammar (they won too often:
  fewer commands right than without the pass); comparing the two passes' acoustic scores per
  frame (no separation between commands and everyday talk); PocketSphinx's remove_noise
  (no change at all at 10 dB). Against the dev-set half with the short grammar and the
  posterior test (commands 74.2% clean / 35.9% noisy, everyday rejected 92.4% / 90.2%, median
  266 ms): language weight 5 (71.9% / 34.4%, 93.5% / 94.6%, but median 333 ms, p95 955 ms,
  RTF 0.16) and 8 (before the short grammar: commands -3.9 points clean, -0.8 noisy, replayed
  from saved decodes); filler probability 1e-3 (71.9% / 35.9%, 94.6% / 91.3%); silence
  probability 0.05 (73.4% / 32.0%, 95.7% / 91.3%); cutting the quiet edges of an utterance
  (10 dB over its quietest frames, 0.2 s kept either side: 71.9% / 37.5%, 94.6% / 94.6%) or
  only softening them 30 dB (71.1% / 38.3%, 93.5% / 93.5%); a peak level of 0.02 (71.9% /
  36.7%, 92.4% / 92.4%) or 0.12 (64.8% / 34.4%, 93.5% / 89.1%); three-word sentences in the
  short grammar (replayed: 1 point fewer commands clean and noisy, median 99 vs 65 ms).
  Single runs differ by about 3 points of commands for tiny changes in the audio, so none of
  these is a clear gain. Batch cepstral mean normalisation is already the model's own setting
  (its feat.params), and each utterance goes to the decoder whole (full_utt)."""

from __future__ import annotations

import functools
import itertools
import logging
import os
import re
import tempfile

import numpy as np

from ..errors import RecognizerError
from ..understanding.catalog import IntentCatalog
from ..understanding.wake_word import DEFAULT, WakeWord
from .grammar import EXTRA_PRONUNCIATIONS, arpa_language_model
from .recognition import Transcript
from .rescoring import (
    MIN_AGREEMENT,
    MIN_SHORT_AGREEMENT,
    SHORT_SPEECH,
    SHORT_WORDS,
    NearestSentences,
    Segment,
    Sounds,
    grammar,
    speech_frames,
    verified,
    word_tree,
)

log = logging.getLogger(__name__)

PEAK_LEVEL = 0.05
"""Utterances are scaled to this peak (full scale = 1) before decoding; see the module note."""
SAMPLE_RATE = 16000
DITHER_SEED = 16000
FREE_SEARCH = "coach"
VERIFY_SEARCH = "verify"
SHORT_SEARCH = "short"
NBEST = 10
"""Free readings the second pass draws its candidates from."""
ALTERNATIVES = 5
"""Readings kept in Transcript.alternatives."""
BACKGROUND_STEP = 13
"""Every this-many-th short dictionary word joins the language model (see the module note)."""
MIN_FREE_POSTERIOR = 9e-4
"""A free reading the second pass did not confirm is kept only when its posterior probability
(from the decoder's word lattice) is at least this, about e^-7; see the module note."""
MIN_WAKE_POSTERIOR = 0.9
"""A dropped free reading that opens with the wake word at least this sure marks the utterance
as addressed to the coach (Transcript.addressed), so the coach asks again rather than ignore
it. Dev set (hearing_dev's commands, everyday and out-of-scope sentences, 3 voices, clean and
at 10 dB pink): of 149 utterances the posterior test dropped, the 4 whose free reading opened
with "coach" (posteriors 0.997-0.999) were all commands said with it; no everyday or
out-of-scope sentence's reading opened with it. The room test's "coach, five magic minutes"
(espeak-ng en-us+f2) placed at 100 offsets in silence came out as "coach i magic we eight" 8
times, and the coach had met those with silence."""


class PocketSphinxRecognizer:
    """The coach's sentences with a catalog; dictation (the wheel's general model) without."""

    sample_rate = SAMPLE_RATE
    notice = ""
    """Set when this engine stands in for one that could not load (voice_coach.hearing.engines)."""

    def __init__(self, catalog: IntentCatalog | None, wake: WakeWord = DEFAULT) -> None:
        self.wake = wake
        try:
            import pocketsphinx

            # with a catalog the wheel's general language model is never searched (not loading
            # it saves 64 MB and 0.25 s of start-up), nor is any word outside the coach's model
            # (the whole dictionary, 135,000 words, took 35 MB and 0.4 s): same transcripts
            general = {} if catalog is None else {"lm": None,
                                                   "dict": _coach_dictionary(catalog, wake)}
            try:
                self._decoder = pocketsphinx.Decoder(loglevel="FATAL", fwdflat=False, **general)
            finally:
                if "dict" in general:
                    os.unlink(general["dict"])
        except (ImportError, RuntimeError, ValueError) as error:
            raise RecognizerError(f"PocketSphinx could not start ({error}): reinstall it with "
                                  "`pip install --force-reinstall pocketsphinx`.") from None
        self.missing_words: frozenset[str] = frozenset()
        self._nearest: NearestSentences | None = None
        self._short: frozenset[str] = frozenset()
        if catalog is not None:
            self._use_catalog(catalog)
        self.name = "pocketsphinx en-us" + (" coach" if catalog is not None else " dictation")

    def _use_catalog(self, catalog: IntentCatalog) -> None:
        decoder = self._decoder
        for word, phones in EXTRA_PRONUNCIATIONS.items():
            if decoder.lookup_word(word) is None:
                decoder.add_word(word, phones, False)
        self.missing_words = frozenset(w for w in catalog.vocabulary() | set(self.wake.words)
                                       if decoder.lookup_word(w) is None)
        if self.missing_words:
            log.warning("PocketSphinx has no pronunciation for %s: phrases using them cannot "
                        "be heard", ", ".join(sorted(self.missing_words)))
        # PocketSphinx reads language models from files only; the file holds no audio and is
        # gone as soon as it is loaded.
        handle, path = tempfile.mkstemp(suffix=".arpa")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(arpa_language_model(catalog, _background_words(), self.wake))
            decoder.add_lm_file(FREE_SEARCH, path)
        finally:
            os.unlink(path)
        decoder.activate_search(FREE_SEARCH)
        sayable = {s.text for s in catalog.spoken_sentences()
                   if not self.missing_words.intersection(s.text.split())}
        self._nearest = NearestSentences(sayable, Sounds(decoder.lookup_word, self.wake))
        self._short = frozenset(s for s in sayable if len(s.split()) <= SHORT_WORDS)
        final, transitions = word_tree(sorted(self._short), self.wake)
        decoder.add_fsg(SHORT_SEARCH, decoder.create_fsg(SHORT_SEARCH, 0, final, transitions))

    def transcribe(self, samples: bytes | np.ndarray) -> Transcript:
        pcm = np.frombuffer(samples, dtype="<i2") if isinstance(samples, bytes | bytearray) \
            else np.asarray(samples, dtype=np.int16)
        peak = int(np.max(np.abs(pcm.astype(np.int32)))) if len(pcm) else 0
        if peak == 0:
            return Transcript("", 0.0, (), self.name)
        scaled = _dithered(pcm.astype(np.float32) * (PEAK_LEVEL * 32767 / peak)).tobytes()
        hypothesis, free_segments = self._decode(scaled, FREE_SEARCH)
        if hypothesis is None:
            return Transcript("", 0.0, (), self.name)
        readings = [hypothesis.hypstr.strip()]
        for entry, _ in zip(self._decoder.nbest(), range(NBEST), strict=False):
            text = (getattr(entry, "hypstr", None) or "").strip()  # may hold empty entries
            if text and text not in readings:
                readings.append(text)
        if self._nearest is not None:
            forced = self._verify(scaled, readings, free_segments)
            if forced is not None:
                others = [r for r in readings if r != forced.hypstr.strip()]
                return Transcript(forced.hypstr.strip(), float(forced.prob),
                                  tuple(others[:ALTERNATIVES]), self.name)
            if hypothesis.prob < MIN_FREE_POSTERIOR:
                # readings the decoder itself doubts are not passed on, not even as alternatives
                # (`parse --wav` tries those too): for the coach, nothing was heard
                return Transcript("", float(hypothesis.prob), (), self.name,
                                  addressed=addressed(free_segments, self.wake))
        return Transcript(readings[0], float(hypothesis.prob), tuple(readings[1:ALTERNATIVES + 1]),
                          self.name, confirmed=self._nearest is None)

    def _verify(self, scaled: bytes, readings: list[str], free_segments: list[Segment]):
        """The second pass (voice_coach.hearing.rescoring): the hypothesis of the grammar of
        the short sentences (short utterances only), else of the nearest template sentences, or
        None when neither holds up."""
        assert self._nearest is not None
        if speech_frames(free_segments) <= SHORT_SPEECH:
            forced = self._forced(scaled, SHORT_SEARCH, self._short, readings, free_segments,
                                  MIN_SHORT_AGREEMENT)
            if forced is not None:
                return forced
        candidates = self._nearest(readings)
        if not candidates:
            return None
        try:
            self._decoder.add_jsgf_string(VERIFY_SEARCH, grammar(candidates, self.wake))
        except ValueError:  # a template word JSGF cannot spell: keep what the free pass heard
            return None
        return self._forced(scaled, VERIFY_SEARCH, candidates, readings, free_segments,
                            MIN_AGREEMENT)

    def _forced(self, scaled: bytes, search: str, candidates, readings: list[str],
                free_segments: list[Segment], min_agreement: float):
        """The hypothesis of grammar `search` over `candidates` when it is verified, else None."""
        assert self._nearest is not None
        forced, forced_segments = self._decode(scaled, search)
        if forced is None or not verified(forced.hypstr.strip(), candidates, forced_segments,
                                          readings, free_segments, self._nearest.sounds,
                                          min_agreement, self.wake):
            return None
        return forced

    def _decode(self, scaled: bytes, search: str):
        """(hypothesis or None, its segments) of one whole-utterance decode with `search`."""
        decoder = self._decoder
        if self._nearest is not None:
            decoder.activate_search(search)
        decoder.reinit_feat()  # a fresh noise estimate: see "No memory between decodes"
        decoder.start_utt()
        decoder.process_raw(scaled, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None or not hypothesis.hypstr.strip():
            return None, []
        return hypothesis, [Segment(s.word, s.start_frame, s.end_frame, float(s.prob))
                            for s in decoder.seg() or ()]


def addressed(segments: list[Segment], wake: WakeWord) -> bool:
    """The decode opens with the wake word, each of its words at least MIN_WAKE_POSTERIOR sure."""
    words = [s for s in segments if s.is_word][:len(wake.words)]
    return bool(words) and [_plain(s.word) for s in words] == list(wake.words) \
        and min(s.prob for s in words) >= MIN_WAKE_POSTERIOR


def _plain(word: str) -> str:
    """A dictionary word without its alternate mark: "coach(2)" is "coach"."""
    return word.split("(", 1)[0]


def _dithered(samples: np.ndarray) -> np.ndarray:
    """Samples rounded to 16 bits with one least significant bit of noise, from a fixed seed."""
    noise = np.random.default_rng(DITHER_SEED).uniform(-1.0, 1.0, len(samples))
    return np.round(samples + noise).astype("<i2")


@functools.cache  # read once for the dictionary and once for the language model
def _background_words() -> tuple[str, ...]:
    """Short plain words of the wheel's dictionary (no alternates like "read(2)"), thinned."""
    import pocketsphinx

    plain = re.compile(r"[a-z']{1,7}\Z")
    with open(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as file:
        # streamed: a list of all 135,000 words left 3.5 MB of scattered heap behind
        words = (line.split(maxsplit=1)[0] for line in file if line.strip())
        return tuple(itertools.islice(filter(plain.match, words), 0, None, BACKGROUND_STEP))


def _coach_dictionary(catalog: IntentCatalog, wake: WakeWord) -> str:
    """A temporary copy of the wheel's dictionary with only the words the coach's language model
    and grammars can hold (the templates' and the background words), alternates included."""
    import pocketsphinx

    wanted = catalog.vocabulary() | set(_background_words()) | set(wake.words)
    handle, path = tempfile.mkstemp(suffix=".dict")
    with open(pocketsphinx.get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as file, \
            os.fdopen(handle, "w", encoding="utf-8") as kept:
        kept.writelines(line for line in file if line.split("(", 1)[0].split(maxsplit=1)[0]
                        in wanted)
    return path
