import numpy as np

from voice_coach.echo_cancel import EchoCanceller

RATE = 16000


def _voice(seconds: float, seed: int) -> np.ndarray:
    """Speech-like noise: random signal shaped by a slow envelope."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return (rng.standard_normal(len(t)) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) * 0.2).astype(
        np.float32
    )


def _feed(canceller: EchoCanceller, mic: np.ndarray, chunk: int = 1600) -> np.ndarray:
    return np.concatenate(
        [canceller.cancel(mic[i:i + chunk], 10.0 + i / RATE) for i in range(0, len(mic), chunk)]
    )


def _db(signal: np.ndarray) -> float:
    return 10 * np.log10(float(np.mean(signal**2)) + 1e-12)


def test_the_coach_voice_is_removed_whatever_the_device_delay():
    coach = _voice(2.0, seed=1)
    for delay_s in (0.02, 0.13, 0.4):
        canceller = EchoCanceller(RATE)
        canceller.played(coach, 10.0)
        shift = int(delay_s * RATE)
        mic = np.concatenate([np.zeros(shift, np.float32), 0.7 * coach])[: len(coach)]
        cleaned = _feed(canceller, mic)
        assert _db(cleaned[RATE // 2:]) < _db(mic[RATE // 2:]) - 30


def test_a_partner_speaking_over_the_coach_gets_through():
    # As loud as the coach at the microphone. (Much quieter, a 30 ms stretch of the partner can
    # sit 15 dB under the coach, where the residual suppression takes it for echo residue.)
    coach, partner = _voice(2.0, seed=1), _voice(2.0, seed=2)
    canceller = EchoCanceller(RATE)
    canceller.played(coach, 10.0)
    shift = int(0.05 * RATE)
    echo = np.concatenate([np.zeros(shift, np.float32), coach])[: len(coach)]
    cleaned = _feed(canceller, echo + partner)
    residual = cleaned - partner
    assert _db(residual[RATE // 2:]) < _db(partner[RATE // 2:]) - 15


def test_nothing_played_means_nothing_is_subtracted():
    mic = _voice(0.5, seed=3)
    assert np.array_equal(EchoCanceller(RATE).cancel(mic, 1.0), mic)


def test_speech_cut_short_is_not_subtracted_after_the_cut():
    coach = _voice(2.0, seed=1)
    canceller = EchoCanceller(RATE)
    canceller.played(coach, 10.0)
    canceller.stop_playing(10.5)
    assert not np.any(canceller.reference(int(10.6 * RATE), 1600))


def test_jittery_chunk_timestamps_do_not_move_the_echo():
    coach = _voice(2.0, seed=1)
    canceller = EchoCanceller(RATE)
    canceller.played(coach, 10.0)
    mic = np.concatenate([np.zeros(160, np.float32), coach])[: len(coach)]
    jitter = np.random.default_rng(4).uniform(-0.004, 0.004, size=len(mic) // 480 + 1)
    cleaned = np.concatenate([
        canceller.cancel(mic[i:i + 480], 10.0 + i / RATE + jitter[i // 480])
        for i in range(0, len(mic), 480)
    ])
    assert _db(cleaned[RATE // 2:]) < _db(mic[RATE // 2:]) - 30
