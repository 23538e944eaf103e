"""Fuzzing the WAV reader: random bytes, damaged and truncated headers, and every sample format a
recorder may write (8/16/24/32-bit integer, 32/64-bit float, 1-8 channels, 8-96 kHz) give mono
Audio or an AudioFileError naming the file, never another exception."""

import struct
import warnings
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice_coach.audio.types import Audio
from voice_coach.audio.wav_file import read_wav, resample
from voice_coach.errors import AudioFileError

FUZZ = settings(max_examples=300, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

FORMATS = [(1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64)]
"""(format tag, bits per sample): PCM integers and IEEE floats."""
RATES = st.integers(min_value=8000, max_value=96000)


def wav_bytes(frames: np.ndarray, tag: int, bits: int, rate: int, extensible: bool) -> bytes:
    """A WAV file as recorders write it; `frames` is (n, channels) of floats in [-1, 1]."""
    channels = frames.shape[1]
    if tag == 3:
        body = frames.astype("<f4" if bits == 32 else "<f8").tobytes()
    elif bits == 8:
        body = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif bits == 24:
        ints = np.round(frames * (2**23 - 1)).astype("<i4").reshape(-1, 1).view(np.uint8)
        body = ints.reshape(-1, 4)[:, :3].tobytes()
    else:
        body = np.round(frames * (2 ** (bits - 1) - 1)).astype(f"<i{bits // 8}").tobytes()
    block = channels * bits // 8
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHIH", 0xFFFE, channels, rate, rate * block, block, bits,
                          22, bits, 0, tag) + guid_tail
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"data" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@st.composite
def valid_wavs(draw):
    """(file bytes, rate, frame count) of a readable WAV with random content."""
    tag, bits = draw(st.sampled_from(FORMATS))
    channels = draw(st.integers(min_value=1, max_value=8))
    rate = draw(RATES)
    count = draw(st.integers(min_value=0, max_value=400))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    frames = np.random.default_rng(seed).uniform(-1, 1, size=(count, channels))
    return wav_bytes(frames, tag, bits, rate, draw(st.booleans())), rate, count


def read_bytes(folder, data: bytes):
    """read_wav's answer for these bytes: Audio, or the AudioFileError it raised."""
    path = folder / "fuzz.wav"
    path.write_bytes(data)
    try:
        return read_wav(path)
    except AudioFileError as error:
        return error


def is_sound(audio: Audio) -> bool:
    samples = audio.samples
    return (samples.dtype == np.float32 and samples.ndim == 1 and bool(np.all(np.isfinite(samples)))
            and bool(np.all(np.abs(samples) <= 1.0)))


def is_audio_or_named_error(result) -> bool:
    if isinstance(result, AudioFileError):
        return "fuzz.wav" in str(result)
    return isinstance(result, Audio) and is_sound(result)


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes_are_audio_or_an_error_naming_the_file(tmp_path_factory, data):
    assert is_audio_or_named_error(read_bytes(tmp_path_factory.getbasetemp(), data))


@FUZZ
@given(st.binary(max_size=512))
def test_random_chunks_behind_a_riff_header_are_audio_or_an_error(tmp_path_factory, data):
    header = b"RIFF" + struct.pack("<I", len(data) + 4) + b"WAVE"
    assert is_audio_or_named_error(read_bytes(tmp_path_factory.getbasetemp(), header + data))


@FUZZ
@given(valid_wavs())
def test_every_format_channel_count_and_rate_reads_as_mono_audio(tmp_path_factory, wav):
    data, rate, count = wav
    audio = read_bytes(tmp_path_factory.getbasetemp(), data)
    assert isinstance(audio, Audio)
    assert is_sound(audio)
    assert (audio.rate, len(audio.samples)) == (rate, count)


@FUZZ
@given(valid_wavs(), st.lists(st.tuples(st.integers(min_value=0, max_value=79),
                                        st.integers(min_value=0, max_value=255)),
                              min_size=1, max_size=6))
def test_a_header_with_damaged_bytes_is_audio_or_an_error(tmp_path_factory, wav, damage):
    data = bytearray(wav[0])
    for position, value in damage:
        if position < len(data):
            data[position] = value
    assert is_audio_or_named_error(read_bytes(tmp_path_factory.getbasetemp(), bytes(data)))


# Offsets of the header fields a broken writer gets wrong, in a plain 44-byte header.
HEADER_FIELDS = {"riff size": (4, "<I"), "fmt size": (16, "<I"), "tag": (20, "<H"),
                 "channels": (22, "<H"), "rate": (24, "<I"), "byte rate": (28, "<I"),
                 "block align": (32, "<H"), "bits": (34, "<H"), "data size": (40, "<I")}


@FUZZ
@given(valid_wavs(), st.sampled_from(sorted(HEADER_FIELDS)), st.integers(min_value=0))
def test_any_value_in_any_header_field_is_audio_or_an_error(tmp_path_factory, wav, name, value):
    data = bytearray(wav[0])
    offset, form = HEADER_FIELDS[name]
    if data[12:16] == b"fmt " and struct.unpack_from("<I", data, 16)[0] == 16:
        struct.pack_into(form, data, offset, value % 2 ** (8 * struct.calcsize(form)))
    assert is_audio_or_named_error(read_bytes(tmp_path_factory.getbasetemp(), bytes(data)))


@FUZZ
@given(valid_wavs(), st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_a_truncated_file_is_audio_or_an_error(tmp_path_factory, wav, kept):
    data = wav[0]
    assert is_audio_or_named_error(read_bytes(tmp_path_factory.getbasetemp(),
                                              data[: int(len(data) * kept)]))


def float_file(fmt, channels, values) -> bytes:
    frames = np.resize(np.array(values), (len(values), channels))
    header = wav_bytes(np.zeros_like(frames), *fmt, 16000, False)
    with np.errstate(over="ignore"):
        body = frames.astype("<f4" if fmt[1] == 32 else "<f8").tobytes()
    return header[: len(header) - len(body)] + body


extreme_floats = st.lists(st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 0.0, 2.0]),
                          min_size=1, max_size=64)


@FUZZ
@given(st.sampled_from([(3, 32), (3, 64)]), st.integers(min_value=1, max_value=8), extreme_floats)
def test_float_files_with_nan_inf_and_huge_values_read_as_finite_clipped_audio(
        tmp_path_factory, fmt, channels, values):
    audio = read_bytes(tmp_path_factory.getbasetemp(), float_file(fmt, channels, values))
    assert isinstance(audio, Audio)
    assert is_sound(audio)


@settings(max_examples=30, deadline=timedelta(seconds=2))
@given(st.sampled_from([(3, 32), (3, 64)]), st.integers(min_value=1, max_value=8), extreme_floats)
def test_float_files_with_nan_inf_and_huge_values_read_without_numpy_warnings(
        tmp_path_factory, fmt, channels, values):
    # A RuntimeWarning is printed on the user's terminal: a traceback-like line, not a sentence.
    data = float_file(fmt, channels, values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(read_bytes(tmp_path_factory.getbasetemp(), data), Audio)


@settings(max_examples=60, deadline=timedelta(seconds=2))
@given(RATES, st.integers(min_value=0, max_value=4000))
def test_any_rate_resamples_to_the_recognisers_16k(rate, count):
    audio = resample(Audio(np.zeros(count, dtype=np.float32), rate), 16000)
    assert audio.rate == 16000
    assert abs(len(audio.samples) - count * 16000 / rate) <= 1


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(AudioFileError, match="nowhere.wav"):
        read_wav(tmp_path / "nowhere.wav")


def test_a_folder_is_an_error_naming_it(tmp_path):
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(AudioFileError, match="folder.wav"):
        read_wav(tmp_path / "folder.wav")
