import numpy as np

from voice_coach.audio.types import Audio, float_to_int16, int16_to_float


def test_every_int16_value_round_trips_exactly():
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    samples = int16_to_float(pcm)
    assert samples.dtype == np.float32 and samples.min() == -1.0 and samples.max() < 1.0
    assert np.array_equal(float_to_int16(samples), pcm)


def test_bytes_are_little_endian_16_bit_both_ways():
    pcm = np.array([-32768, -1, 0, 1, 12345, 32767], dtype="<i2")
    audio = Audio.from_int16(pcm.tobytes(), 16000)
    assert np.array_equal(audio.samples, int16_to_float(pcm))
    assert audio.to_int16_bytes() == pcm.tobytes()


def test_float_to_int16_truncates_toward_zero_and_clips():
    samples = np.array([0.6 / 32768, 1.6 / 32768, -1.6 / 32768, 1.0, 1.5, -1.0, -3.0, np.inf])
    assert float_to_int16(samples).tolist() == [0, 1, -1, 32767, 32767, -32768, -32768, 32767]


def test_float64_is_kept_when_asked_for():
    assert int16_to_float(np.array([16384], dtype=np.int16), np.float64).dtype == np.float64
