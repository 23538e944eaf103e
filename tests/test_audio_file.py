import struct

import numpy as np
import pytest

from voice_coach.audio.types import Audio
from voice_coach.audio.wav_file import read_wav, resample
from voice_coach.bench.partner_voice import speak_to_file
from voice_coach.errors import AudioFileError

RATE = 44100
TONE = 0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE // 10) / RATE)


def _wav_bytes(frames: np.ndarray, tag: int, bits: int, rate: int = RATE,
               extensible: bool = False) -> bytes:
    """A WAV file as a recorder would write it; `frames` is (n, channels) in [-1, 1]."""
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
    chunks += b"LIST" + struct.pack("<I", 3) + b"abc\x00"  # an odd-sized extra chunk, padded
    chunks += b"data" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@pytest.mark.parametrize("tag,bits", [(1, 8), (1, 16), (1, 24), (1, 32), (3, 32), (3, 64)])
def test_every_sample_format_reads_back_as_the_same_tone(tmp_path, tag, bits):
    path = tmp_path / "tone.wav"
    path.write_bytes(_wav_bytes(TONE.reshape(-1, 1), tag, bits))
    assert np.max(np.abs(read_wav(path).samples - TONE)) < 0.01


def test_extensible_float_stereo_is_mixed_to_mono(tmp_path):
    path = tmp_path / "stereo.wav"
    path.write_bytes(_wav_bytes(np.stack([TONE, np.zeros_like(TONE)], axis=1), 3, 32,
                                extensible=True))
    assert np.max(np.abs(read_wav(path).samples - TONE / 2)) < 0.001


def test_rate_is_the_files_own(tmp_path):
    path = tmp_path / "tone.wav"
    path.write_bytes(_wav_bytes(TONE.reshape(-1, 1), 1, 16, rate=8000))
    assert read_wav(path).rate == 8000


def test_espeak_speech_reads_as_mono_float(tmp_path):
    audio = read_wav(speak_to_file("breathe with us", tmp_path / "s.wav"))
    assert audio.samples.dtype == np.float32
    assert audio.rate == 22050
    assert audio.seconds > 0.5


def test_resample_keeps_duration_and_pitch():
    audio = resample(Audio(TONE.astype(np.float32), RATE), 16000)
    peak_hz = np.argmax(np.abs(np.fft.rfft(audio.samples))) * 16000 / len(audio.samples)
    assert audio.rate == 16000
    assert abs(audio.seconds - 0.1) < 0.001
    assert abs(peak_hz - 440) < 15


def test_int16_bytes_round_trip():
    audio = Audio(TONE.astype(np.float32), RATE)
    again = Audio.from_int16(audio.to_int16_bytes(), RATE)
    assert np.max(np.abs(again.samples - audio.samples)) < 1e-4


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"hello, this is a text file and not audio at all", "no RIFF/WAVE header"),
    (None, "truncated"),
    (b"RIFF\x04\x00\x00\x00WAVE", "no format chunk"),
])
def test_bad_files_name_the_file_and_the_reason(tmp_path, content, reason):
    path = tmp_path / "bad.wav"
    path.write_bytes(_wav_bytes(TONE.reshape(-1, 1), 1, 16)[:3000] if content is None else content)
    with pytest.raises(AudioFileError, match=f"bad.wav is not a readable WAV file.*{reason}"):
        read_wav(path)


def test_compressed_wav_is_refused_plainly(tmp_path):
    path = tmp_path / "adpcm.wav"
    path.write_bytes(_wav_bytes(TONE.reshape(-1, 1), 1, 16).replace(b"fmt \x10\x00\x00\x00\x01",
                                                                    b"fmt \x10\x00\x00\x00\x02"))
    with pytest.raises(AudioFileError, match="compressed sample format 0x2"):
        read_wav(path)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(AudioFileError, match="nowhere.wav could not be opened"):
        read_wav(tmp_path / "nowhere.wav")
