from pathlib import Path

import numpy as np
import pytest

from voice_coach.audio.wav_file import read_wav
from voice_coach.voice.cues import AUDIO_FOLDER, CUE_NAMES, cue, generate_cue, write_cue_files


def pitch_track(samples: np.ndarray, rate: int, parts: int = 4) -> list[float]:
    """Dominant frequency in each of `parts` equal slices."""
    track = []
    for piece in np.array_split(samples, parts):
        spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece))))
        track.append(float(np.fft.rfftfreq(len(piece), 1 / rate)[np.argmax(spectrum)]))
    return track


def test_inhale_rises():
    audio = generate_cue("inhale")
    track = pitch_track(audio.samples, audio.rate)
    assert track[-1] > track[0]


def test_exhale_falls():
    audio = generate_cue("exhale")
    track = pitch_track(audio.samples, audio.rate)
    assert track[-1] < track[0]


def test_exhale_is_longer_than_inhale():
    assert generate_cue("exhale").seconds > generate_cue("inhale").seconds


def test_exhale_is_softer_than_inhale():
    assert (
        np.max(np.abs(generate_cue("exhale").samples))
        < np.max(np.abs(generate_cue("inhale").samples))
    )


@pytest.mark.parametrize("name", CUE_NAMES)
def test_every_cue_is_quiet(name):
    assert np.max(np.abs(generate_cue(name).samples)) <= 0.25


@pytest.mark.parametrize("name", CUE_NAMES)
def test_every_cue_starts_and_ends_without_a_click(name):
    samples = generate_cue(name).samples
    assert abs(samples[0]) < 0.01
    assert abs(samples[-1]) < 0.01


def test_cues_sound_different_from_each_other():
    tracks = {name: tuple(round(f, -1) for f in pitch_track(generate_cue(name).samples, 16000))
              for name in CUE_NAMES}
    assert len(set(tracks.values())) == len(CUE_NAMES)


@pytest.mark.parametrize("name", CUE_NAMES)
def test_shipped_wav_is_the_generated_cue(name):
    shipped, generated = read_wav(AUDIO_FOLDER / f"{name}.wav"), generate_cue(name)
    assert shipped.rate == 16000
    assert np.max(np.abs(shipped.samples - generated.samples)) < 1e-3


def test_cue_prefers_the_file_in_the_folder(tmp_path: Path):
    write_cue_files(tmp_path)
    (tmp_path / "hold.wav").write_bytes((AUDIO_FOLDER / "timer_end.wav").read_bytes())
    assert cue("hold", tmp_path).seconds == generate_cue("timer_end").seconds


def test_cue_is_generated_without_a_folder(tmp_path: Path):
    assert cue("inhale", tmp_path / "missing").seconds == generate_cue("inhale").seconds


def test_unknown_cue_is_refused():
    with pytest.raises(ValueError, match="unknown cue"):
        cue("gong")
