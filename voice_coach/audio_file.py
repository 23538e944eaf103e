"""Reading any WAV a user has (any rate, channels, integer or float samples) as mono `Audio`.

The RIFF chunks are parsed here rather than with the stdlib `wave` module because Python 3.11's
`wave` rejects IEEE-float and WAVE_FORMAT_EXTENSIBLE files, which recorders and DAWs write often.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soxr

from .audio_types import Audio
from .errors import AudioFileError

_PCM = 1
_IEEE_FLOAT = 3
_EXTENSIBLE = 0xFFFE


class _BadWav(Exception):
    """Internal: why the bytes are not a WAV we can read (becomes the AudioFileError detail)."""


def read_wav(path: str | Path) -> Audio:
    """Read a WAV file as mono float32 at its own rate; a bad file raises AudioFileError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AudioFileError(
            f"{path} could not be opened ({error.strerror or error}): check the path and permissions."
        ) from error
    try:
        return _parse(data)
    except _BadWav as error:
        raise AudioFileError(
            f"{path} is not a readable WAV file ({error}): "
            "record or export it again as a WAV (PCM or float)."
        ) from None


def resample(audio: Audio, rate: int) -> Audio:
    """The same sound at another sample rate (soxr's high quality filter)."""
    if audio.rate == rate or len(audio.samples) == 0:
        return Audio(audio.samples, rate)
    converted = soxr.resample(audio.samples, audio.rate, rate)
    return Audio(np.asarray(converted, dtype=np.float32), rate)


def _parse(data: bytes) -> Audio:
    if len(data) == 0:
        raise _BadWav("the file is empty")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise _BadWav("no RIFF/WAVE header")
    fmt, samples = None, None
    position = 12
    while position + 8 <= len(data):
        chunk_id, size = struct.unpack_from("<4sI", data, position)
        body = data[position + 8 : position + 8 + size]
        if chunk_id == b"fmt ":
            fmt = _parse_format(body)
        elif chunk_id == b"data":
            if fmt is None:
                raise _BadWav("the data chunk comes before the format chunk")
            if len(body) < size:
                raise _BadWav(f"truncated: {len(body)} of {size} audio bytes present")
            samples = _decode(body, *fmt)
            break
        position += 8 + size + (size & 1)  # chunks are padded to an even length
    if fmt is None:
        raise _BadWav("no format chunk")
    if samples is None:
        raise _BadWav("no audio data chunk")
    return Audio(samples, fmt[2])


def _parse_format(body: bytes) -> tuple[int, int, int, int]:
    """(sample format, channels, rate, bits per sample) from a fmt chunk."""
    if len(body) < 16:
        raise _BadWav("the format chunk is too short")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE:
        if len(body) < 26:
            raise _BadWav("the extensible format chunk is too short")
        tag = struct.unpack_from("<H", body, 24)[0]  # first two bytes of the sub-format GUID
    if tag not in (_PCM, _IEEE_FLOAT):
        raise _BadWav(f"compressed sample format {tag:#x} is not supported")
    if channels == 0 or rate == 0:
        raise _BadWav("zero channels or zero sample rate")
    container_bits = block_align * 8 // channels if block_align else bits
    if (tag, container_bits) not in {(_PCM, 8), (_PCM, 16), (_PCM, 24), (_PCM, 32),
                                     (_IEEE_FLOAT, 32), (_IEEE_FLOAT, 64)}:
        raise _BadWav(f"{container_bits}-bit samples of format {tag} are not supported")
    return tag, channels, rate, container_bits


@np.errstate(over="ignore", invalid="ignore")  # inf/NaN samples are cleaned below
def _decode(body: bytes, tag: int, channels: int, rate: int, bits: int) -> np.ndarray:
    width = bits // 8
    frames = len(body) // (width * channels)
    raw = np.frombuffer(body, dtype=np.uint8, count=frames * width * channels)
    if tag == _IEEE_FLOAT:
        values = raw.view("<f4" if width == 4 else "<f8").astype(np.float32)
    elif width == 1:
        values = (raw.astype(np.float32) - 128.0) / 128.0  # 8-bit WAV is unsigned
    elif width == 3:
        # Place the 3 bytes in the top of a 32-bit word so the sign comes for free.
        padded = np.zeros((raw.size // 3, 4), dtype=np.uint8)
        padded[:, 1:] = raw.reshape(-1, 3)
        values = padded.view("<i4").ravel().astype(np.float32) / 2.0**31
    else:
        dtype = "<i2" if width == 2 else "<i4"
        values = raw.view(dtype).astype(np.float32) / float(2 ** (bits - 1))
    values = np.nan_to_num(values.reshape(frames, channels).mean(axis=1), nan=0.0)
    return np.clip(values, -1.0, 1.0).astype(np.float32)
