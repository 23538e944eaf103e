"""End-to-end audio through the private PulseAudio room: what is played into the sink is heard
from its monitor, on time, and stops when told."""

import time

import numpy as np
import pytest

from voice_coach.audio.speaker import DEFAULT_LATENCY_S, Speaker
from voice_coach.audio.wav_file import resample
from voice_coach.bench.virtual_room import onsets, silent_from
from voice_coach.voice.cues import cue
from voice_coach.voice.synthesis import Synthesizer

pytestmark = pytest.mark.room

MAX_LAG_S = 0.05


def best_alignment(played: np.ndarray, heard: np.ndarray, rate: int = 16000) -> tuple[float, float]:
    """(lag in seconds, normalised correlation) of the best match of `played` inside `heard`."""
    scores = np.correlate(heard, played, mode="valid")
    best = int(np.argmax(scores))
    window = heard[best:best + len(played)]
    return best / rate, float(scores[best] / (np.linalg.norm(window) * np.linalg.norm(played)))


def test_partner_speech_heard_from_the_monitor_matches_what_was_played(room):
    spoken = room.partner_voice("coach, breathe with us")
    underflows_before = room.partner.underflows
    with room.listening() as ears:
        time.sleep(MAX_LAG_S * 2)
        playback = room.play_partner(spoken)
        assert playback.wait(timeout=10), "the partner's sentence never finished playing"
        time.sleep(0.2)
    # anywhere in the recording: when it arrives is the next test's business
    lag, correlation = best_alignment(spoken.samples, ears.recording().samples)
    underflows = room.partner.underflows - underflows_before
    assert correlation > 0.95, f"correlation {correlation:.3f}, partner underruns {underflows}"


def test_partner_speech_reaches_the_room_without_an_underrun(room):
    spoken = room.partner_voice("we had a long day, but it was a good one")
    underflows_before = room.partner.underflows
    assert room.play_partner(spoken).wait(timeout=10)
    assert room.partner.underflows == underflows_before


def test_partner_speech_arrives_when_its_playback_says(room):
    spoken = room.partner_voice("stop")
    with room.listening() as ears:
        time.sleep(MAX_LAG_S * 2)
        playback = room.play_partner(spoken)
        assert playback.wait(timeout=10)
        time.sleep(0.2)
    lag, _ = best_alignment(spoken.samples, ears.recording().between(
        playback.start - MAX_LAG_S, playback.end + MAX_LAG_S))
    assert abs(lag - MAX_LAG_S) < 0.03  # the cue bound; ~2 ms idle, up to 12 ms on a loaded machine


def test_speaker_stop_silences_the_room_within_its_buffer_and_a_block(room):
    speech = Synthesizer().render("Let us take six slow breaths together, in through the nose, "
                                  "and out a little longer than in.")
    with Speaker() as speaker, room.listening() as ears:
        playback = speaker.play(speech)
        playback.wait_started(timeout=2)
        time.sleep(0.8)
        called = time.monotonic()
        speaker.stop()
        time.sleep(0.4)
    silent = silent_from(ears.recording(), called - 0.05)
    # what stop() cannot take back: the device's buffer (chosen so a busy machine cannot break
    # the voice up) and the block being written
    assert silent - called < DEFAULT_LATENCY_S + 0.03


def test_stop_predicts_when_the_room_falls_silent(room):
    tone = resample(cue("exhale"), 16000)
    long_tone = type(tone)(np.tile(tone.samples, 4), tone.rate)
    with Speaker() as speaker, room.listening() as ears:
        speaker.play(long_tone).wait_started(timeout=2)
        time.sleep(0.5)
        predicted = speaker.stop()
        time.sleep(0.3)
    assert abs(silent_from(ears.recording(), predicted - 0.05) - predicted) < 0.01


def test_cue_onsets_follow_their_schedule_within_30_ms(room):
    names = ["inhale", "exhale", "hold", "timer_start", "timer_end"]
    with Speaker() as speaker, room.listening() as ears:
        # Each cue after the previous one has faded, so every onset follows silence.
        sounds = [cue(names[i % len(names)]) for i in range(10)]
        gaps = np.cumsum([0.3] + [sound.seconds + 0.2 for sound in sounds[:-1]])
        schedule = list(time.monotonic() + gaps)
        for when, sound in zip(schedule, sounds, strict=True):
            speaker.play(sound, at=when)
        speaker.wait(timeout=30)
    heard = onsets(ears.recording(), min_silence_s=0.1)
    errors = [min(abs(h - when) for h in heard) for when in schedule]
    assert max(errors) < 0.030


def test_coach_hears_its_own_voice_in_the_room(room):
    speech = Synthesizer().render("Breathe in.")
    with Speaker() as speaker, room.listening() as ears:
        playback = speaker.play(speech)
        playback.wait(timeout=5)
    heard = ears.recording().between(playback.start, playback.end)
    assert np.sqrt(np.mean(heard**2)) > 0.01

