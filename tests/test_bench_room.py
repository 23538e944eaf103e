import numpy as np

from voice_coach.audio.types import Audio
from voice_coach.audio.wav_file import resample
from voice_coach.bench.room import (
    CoachEvent,
    breathing_settings,
    cue_onset_error,
    first_sound_after,
    reply_latency,
    sound_end,
    speech_end,
    underruns_between,
)
from voice_coach.bench.virtual_room import Recording
from voice_coach.settings import load_settings
from voice_coach.voice import cues

RATE = 16000
FAST = 1.01
"""A capture clock delivering 1% more samples than nominal (the room's monitor: a few hundred
ppm, exaggerated so counting samples would be off by 100 ms after ten seconds)."""


def fast_recording(seconds: float, sounds: dict[float, np.ndarray]) -> Recording:
    """`sounds` placed at their true times in a recording whose blocks are stamped truly."""
    samples = np.zeros(int(seconds * RATE * FAST), np.float32)
    for when, sound in sounds.items():
        at = int(when * RATE * FAST)
        samples[at:at + len(sound)] += sound
    starts = np.arange(0, len(samples), 480)
    return Recording(samples, RATE, starts.astype(np.float64), starts / (RATE * FAST))


def test_cue_onset_is_timed_by_the_capture_stamps_not_by_counting_samples():
    inhale = resample(cues.cue("inhale"), RATE).samples
    recording = fast_recording(12.0, {10.0: inhale})
    assert abs(cue_onset_error(recording, "inhale", 10.0)) < 0.002


def test_first_sound_is_timed_by_the_capture_stamps():
    recording = fast_recording(12.0, {10.0: np.full(800, 0.3, np.float32)})
    assert abs(first_sound_after(recording, 9.0) - 10.0) < 0.011


def test_a_voice_fades_out_after_its_speech_ends():
    fading = Audio(np.concatenate([np.full(1600, 0.5), 0.5 * np.exp(-np.arange(6400) / 400.0)])
                   .astype(np.float32), RATE)
    assert sound_end(0.0, fading) > speech_end(0.0, fading) + 0.03


def test_reply_latency_is_read_off_the_recording_even_when_the_partner_is_placed_late():
    voice = Audio(np.concatenate([np.full(8000, 0.3), 0.3 * np.exp(-np.arange(3200) / 300.0),
                                  np.zeros(4000)]).astype(np.float32), RATE)
    reply = np.full(3200, 0.3, np.float32)
    # The partner really sounded 30 ms after it reported; the reply came 0.5 s after its speech.
    recording = fast_recording(6.0, {2.03: voice.samples,
                                     2.03 + speech_end(0.0, voice) + 0.5: reply})
    assert abs(reply_latency(recording, 2.0, voice) - 0.5) < 0.015


def test_the_full_figures_breathe_for_ten_minutes_with_settings_the_coach_accepts(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(breathing_settings(quick=False), encoding="utf-8")
    settings, warnings = load_settings(path)
    assert warnings == []
    assert settings.breathing.count * settings.breathing.cycle_s == 600


def test_the_quick_figures_breathe_twelve_times_at_the_default_pace(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(breathing_settings(quick=True), encoding="utf-8")
    settings, warnings = load_settings(path)
    assert warnings == []
    assert settings.breathing.count == 12


def test_underruns_are_counted_in_the_part_of_the_run_they_fell_in():
    log = [CoachEvent(1.0, "ready", "", {}), CoachEvent(5.0, "underrun", "", {"count": 2}),
           CoachEvent(9.0, "say", "hello", {}), CoachEvent(12.0, "underrun", "", {"count": 1})]
    assert underruns_between(log, 0.0, 10.0) == 2
    assert underruns_between(log, 10.0, 20.0) == 1
    assert underruns_between(log, 12.0, 20.0) == 0
