import threading
import time

import numpy as np

from voice_coach.audio.endpointing import EarlyRecognizer, Endpointer, Utterance
from voice_coach.audio.types import Audio
from voice_coach.bench.partner_voice import mix, noise, speak

RATE = 16000


def in_silence(audio: Audio, before_s: float = 1.0, after_s: float = 1.5) -> Audio:
    return Audio(np.concatenate([np.zeros(int(before_s * RATE), np.float32), audio.samples,
                                 np.zeros(int(after_s * RATE), np.float32)]), RATE)


def speech_bounds(audio: Audio) -> tuple[float, float]:
    loud = np.flatnonzero(np.abs(audio.samples) > 0.01)
    return loud[0] / RATE, loud[-1] / RATE


def feed_all(endpointer: Endpointer, audio: Audio, chunk: int = 480) -> list:
    pcm = np.frombuffer(audio.to_int16_bytes(), dtype=np.int16)
    found = []
    for index in range(0, len(pcm), chunk):
        found += endpointer.feed(pcm[index:index + chunk].tobytes())
    return found


def test_one_request_in_silence_is_one_utterance():
    assert len(feed_all(Endpointer(), in_silence(speak("coach, breathe with us")))) == 1


def test_utterance_starts_where_the_speech_starts():
    audio = in_silence(speak("start a hug timer"))
    [utterance] = feed_all(Endpointer(), audio)
    assert abs(utterance.start_s - speech_bounds(audio)[0]) < 0.1  # a soft "s" takes a moment


def test_utterance_ends_where_the_speech_ends():
    audio = in_silence(speak("start a hug timer"))
    [utterance] = feed_all(Endpointer(), audio)
    assert abs(utterance.end_s - speech_bounds(audio)[1]) < 0.05


def test_utterance_is_delivered_one_hangover_after_the_speech_ends():
    audio = in_silence(speak("what is emotional safety"))
    endpointer, pcm = Endpointer(hangover_s=0.4), np.frombuffer(audio.to_int16_bytes(), np.int16)
    delivered = next(index + 480 for index in range(0, len(pcm), 480)
                     if endpointer.feed(pcm[index:index + 480]))
    assert delivered / RATE - speech_bounds(audio)[1] < 0.5


def test_utterance_keeps_the_speech_with_a_short_preroll():
    audio = in_silence(speak("stop"))
    [utterance] = feed_all(Endpointer(preroll_s=0.25), audio)
    assert len(utterance.samples) / RATE > speech_bounds(audio)[1] - speech_bounds(audio)[0] + 0.25


def test_chunk_size_does_not_change_the_result():
    audio = in_silence(speak("pause"))
    assert [u.end_s for u in feed_all(Endpointer(), audio, 100)] == \
        [u.end_s for u in feed_all(Endpointer(), audio, 4000)]


def test_steady_noise_alone_is_never_speech():
    hiss = Audio(noise("pink", 30 * RATE, RATE) * 0.05, RATE)
    assert feed_all(Endpointer(), hiss) == []


def test_fan_noise_alone_is_never_speech():
    fan = Audio(noise("fan", 30 * RATE, RATE) * 0.05, RATE)
    assert feed_all(Endpointer(), fan) == []


def test_request_over_fan_noise_at_10_db_is_one_utterance():
    noisy = mix(in_silence(speak("coach, start a hug timer")), "fan", 10)
    assert len(feed_all(Endpointer(), noisy)) == 1


def test_two_requests_with_a_pause_are_two_utterances():
    first, second = speak("pause"), speak("resume")
    both = in_silence(Audio(np.concatenate([first.samples, np.zeros(RATE, np.float32),
                                            second.samples]), RATE))
    assert len(feed_all(Endpointer(), both)) == 2


def test_flush_returns_speech_cut_off_by_the_end_of_the_stream():
    audio = in_silence(speak("what is intimacy"))
    endpointer = Endpointer()
    feed_all(endpointer, Audio(audio.samples[: int((speech_bounds(audio)[1] + 0.05) * RATE)], RATE))
    assert len(endpointer.flush()) == 1


def test_endless_talk_is_cut_at_the_maximum_length():
    talk = Audio(np.tile(speak("la la la la la la la la", rate=300).samples[4000:-4000], 20), RATE)
    utterances = feed_all(Endpointer(max_utterance_s=3.0), in_silence(talk))
    assert utterances[0].cut


def test_times_are_on_the_given_stream_clock():
    audio = in_silence(speak("stop"))
    [here] = feed_all(Endpointer(), audio)
    [there] = feed_all(Endpointer(start_time=100.0), audio)
    assert abs(there.start_s - here.start_s - 100.0) < 1e-9


def settled_and_delivered(audio: Audio, chunk: int = 480) -> list[tuple[str, int, np.ndarray]]:
    """(what, sample index it came at, samples) for each settled copy and each utterance."""
    seen = []
    endpointer = Endpointer(on_settled=lambda u: seen.append(("settled", fed, u.samples)))
    pcm = np.frombuffer(audio.to_int16_bytes(), dtype=np.int16)
    for fed in range(chunk, len(pcm) + chunk, chunk):
        seen += [("utterance", fed, u.samples) for u in endpointer.feed(pcm[fed - chunk:fed])]
    return seen


def test_the_last_settled_copy_is_the_utterance_later_delivered():
    *_, (_, _, early), (_, _, final) = settled_and_delivered(
        in_silence(speak("coach, a bit louder")))
    assert np.array_equal(early, final)


def test_an_utterance_settles_most_of_a_hangover_before_it_is_delivered():
    [(_, settled_at, _), (_, delivered_at, _)] = settled_and_delivered(
        in_silence(speak("start a hug timer")))
    assert (delivered_at - settled_at) / RATE >= 0.25


def stop_then_leftover() -> tuple[Audio, float, float]:
    """A partner's "coach, stop" over the coach, then what the echo canceller left of the
    coach's voice (26 dB below, as in the room), then quiet: (audio, when the partner ended,
    when the leftover ended)."""
    stop = speak("coach, stop")
    leftover = speak("and play and pleasure, safety comes first", voice="en-gb")
    end = speech_bounds(stop)[1]
    stop_part = stop.samples[: int(end * RATE)]
    tail = 0.05 * leftover.samples[int(speech_bounds(leftover)[0] * RATE):]
    audio = in_silence(Audio(np.concatenate([stop_part, tail]), RATE))
    return audio, 1.0 + end, 1.0 + end + speech_bounds(Audio(tail, RATE))[1]


def settled_copies(audio: Audio, over_voice: bool) -> list[tuple[float, Utterance]]:
    """(when it was handed out, the copy) for each settled copy of the utterance."""
    seen = []
    endpointer = Endpointer(on_settled=lambda u: seen.append((fed / RATE, u)))
    pcm = np.frombuffer(audio.to_int16_bytes(), dtype=np.int16)
    for fed in range(480, len(pcm) + 480, 480):
        endpointer.feed(pcm[fed - 480:fed], over_voice=over_voice)
    return seen


def test_over_the_coach_a_stop_settles_when_the_partner_falls_quiet_not_the_coach():
    audio, partner_end, _ = stop_then_leftover()
    near_the_end = [(at, copy) for at, copy in settled_copies(audio, over_voice=True)
                    if partner_end - 0.3 < at < partner_end + 0.2]
    assert len(near_the_end) == 1
    assert abs(near_the_end[0][1].end_s - partner_end) < 0.2


def test_with_the_coach_silent_a_quieter_voice_still_holds_the_utterance_open():
    audio, partner_end, _ = stop_then_leftover()
    handed = [at for at, _ in settled_copies(audio, over_voice=False)]
    assert not [at for at in handed if partner_end - 0.3 < at < partner_end + 0.4]


def test_speech_that_resumes_after_a_settled_copy_makes_it_stale():
    first, second = speak("coach"), speak("quieter please")
    first_end, second_start = speech_bounds(first)[1], speech_bounds(second)[0]
    gap = np.zeros(int(0.25 * RATE), np.float32)  # longer than the tail, shorter than the hangover
    seen = settled_and_delivered(in_silence(Audio(np.concatenate([
        first.samples[:int(first_end * RATE)], gap, second.samples[int(second_start * RATE):]]),
        RATE)))
    assert [what for what, _, _ in seen] == ["settled", "settled", "utterance"] \
        and len(seen[0][2]) < len(seen[2][2])


class CountingRecognizer:
    """Stands in for an engine: the transcript is the sample count, and every decode is counted."""

    sample_rate, name = RATE, "counting"

    def __init__(self) -> None:
        self.decoded: list[int] = []

    def transcribe(self, samples):
        self.decoded.append(len(samples))
        return str(len(samples))


def test_an_utterance_recognised_early_is_not_recognised_again():
    engine = CountingRecognizer()
    early = EarlyRecognizer(engine)
    utterance = Utterance(np.ones(1600, np.int16), 0.0, 0.1)
    early.settled(utterance)
    assert (early.transcribe(utterance.samples.copy()), engine.decoded) == ("1600", [1600])


def test_a_stale_early_copy_is_not_taken_for_the_delivered_utterance():
    engine = CountingRecognizer()
    early = EarlyRecognizer(engine)
    early.settled(Utterance(np.ones(1600, np.int16), 0.0, 0.1))
    assert early.transcribe(np.ones(3200, np.int16)) == "3200"


def _when_decoded(early: EarlyRecognizer):
    deadline = time.monotonic() + 5.0
    while (handed := early.finished_early()) is None and time.monotonic() < deadline:
        time.sleep(0.005)
    return handed


def test_a_settled_utterance_is_handed_out_once_decoded_and_only_once():
    early = EarlyRecognizer(CountingRecognizer())
    utterance = Utterance(np.ones(1600, np.int16), 0.0, 0.1)
    early.settled(utterance)
    assert (_when_decoded(early), early.finished_early()) == ((utterance, "1600"), None)


class SlowRecognizer(CountingRecognizer):
    """Decodes only when let go, like an engine busy on a long utterance."""

    def __init__(self) -> None:
        super().__init__()
        self.started, self.go = threading.Event(), threading.Event()

    def transcribe(self, samples):
        self.started.set()
        self.go.wait(timeout=5.0)
        return super().transcribe(samples)


def test_a_copy_already_being_decoded_when_speech_resumes_is_still_handed_out_first():
    engine = SlowRecognizer()
    early = EarlyRecognizer(engine)
    first = Utterance(np.ones(1600, np.int16), 0.0, 0.1)
    longer = Utterance(np.ones(2400, np.int16), 0.0, 0.15)
    early.settled(first)
    engine.started.wait(timeout=5.0)
    early.settled(longer)
    engine.go.set()
    assert [_when_decoded(early), _when_decoded(early)] == [(first, "1600"), (longer, "2400")]


def test_a_copy_not_yet_started_when_speech_resumes_is_never_decoded():
    engine = SlowRecognizer()
    early = EarlyRecognizer(engine)
    early.settled(Utterance(np.ones(800, np.int16), 0.0, 0.05))  # occupies the worker
    early.settled(Utterance(np.ones(1600, np.int16), 0.0, 0.1))
    early.settled(Utterance(np.ones(2400, np.int16), 0.0, 0.15))
    engine.go.set()
    assert early.transcribe(np.ones(2400, np.int16)) == "2400" and engine.decoded == [800, 2400]


def test_nothing_is_handed_out_early_before_an_utterance_settles():
    assert EarlyRecognizer(CountingRecognizer()).finished_early() is None


def test_early_recognition_in_the_live_pipeline_hears_what_plain_recognition_hears():
    audio = in_silence(speak("coach, what are the five pillars"))
    engine = CountingRecognizer()
    early = EarlyRecognizer(engine)
    endpointer = Endpointer(on_settled=early.settled)
    heard = [early.transcribe(u.samples) for u in feed_all(endpointer, audio)]
    # The pause after "coach," settles a copy that the rest of the request makes stale.
    assert heard == [str(len(u.samples)) for u in feed_all(Endpointer(), audio)] \
        and engine.decoded.count(int(heard[0])) == 1


class StagedRecognizer(SlowRecognizer):
    """Gives a quick first reading at once, then its final one only when let go (the two ears:
    PocketSphinx first, Whisper after)."""

    def transcribe(self, samples, on_first=None):
        on_first(f"first {len(samples)}")
        return super().transcribe(samples)


def test_a_staged_recognisers_first_reading_is_handed_out_before_its_final_one():
    engine = StagedRecognizer()
    early = EarlyRecognizer(engine, staged=True)
    utterance = Utterance(np.ones(1600, np.int16), 0.0, 0.1)
    early.settled(utterance)
    first = _when_decoded(early)
    engine.go.set()
    assert [first, _when_decoded(early)] == [(utterance, "first 1600"), (utterance, "1600")]


def test_the_delivered_utterance_gets_the_final_reading_decoded_once():
    engine = StagedRecognizer()
    early = EarlyRecognizer(engine, staged=True)
    utterance = Utterance(np.ones(1600, np.int16), 0.0, 0.1)
    early.settled(utterance)
    engine.go.set()
    assert early.transcribe(utterance.samples.copy()) == "1600"
    assert engine.decoded == [1600]
