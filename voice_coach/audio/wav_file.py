"""Reading any WAV a user has (any rate, channels, integer or float samples) as mono `Audio`.

The RIFF chunks are parsed here rather than with the stdlib `wave` module because Python 3.11's
`wave` rejects IEEE-float and WAVE_FORMAT_EXTENSIBLE files, which recorders and DAWs write often.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soxr

from ..errors import AudioFileError
from .types import Audio

_PCM = 1
_IEEE_FLOAT = 3
_EXTENSIBLE = 0xFFFE


class _BadWav(Exception):
    """Internal: why the bytes are not a WAV we can read (becomes the AudioFileError detail)."""


def read_wav(path: str | Path) -> Audio:
    """Read a WAV file as mono float32 at its own rate; a bad file raises AudioFileError."""
    wav = open_wav(path)
    return Audio(np.concatenate([np.zeros(0, np.float32), *wav.blocks()]), wav.rate)


class WavStream:
    """A WAV file's format and where its samples are, read a block at a time, so an hour-long
    recording never has to be in memory whole."""

    def __init__(self, path: Path, fmt: tuple[int, int, int, int], offset: int, size: int) -> None:
        self.path, self._fmt, self._offset, self._size = path, fmt, offset, size
        self.rate = fmt[2]
        self._frame_bytes = fmt[1] * fmt[3] // 8
        self.seconds = size // self._frame_bytes / self.rate

    def blocks(self, seconds: float = 10.0):
        """Mono float32 blocks of about `seconds` each."""
        step = max(1, int(seconds * self.rate)) * self._frame_bytes
        with self.path.open("rb") as file:
            file.seek(self._offset)
            left = self._size - self._size % self._frame_bytes
            while left > 0:
                body = file.read(min(step, left))
                if not body:
                    return
                left -= len(body)
                yield _decode(body, *self._fmt)


def open_wav(path: str | Path) -> WavStream:
    """Check a WAV file's header; a bad file raises AudioFileError naming it."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            return _scan(path, file)
    except OSError as error:
        raise AudioFileError(
            f"{path} could not be opened ({error.strerror or error}): "
            "check the path and permissions."
        ) from error
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


def _scan(path: Path, file) -> WavStream:
    """Walk the RIFF chunks up to the audio data, checking everything but the samples."""
    total = path.stat().st_size
    header = file.read(12)
    if total == 0:
        raise _BadWav("the file is empty")
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise _BadWav("no RIFF/WAVE header")
    fmt = None
    position = 12
    while position + 8 <= total:
        file.seek(position)
        chunk_id, size = struct.unpack("<4sI", file.read(8))
        if chunk_id == b"fmt ":
            fmt = _parse_format(file.read(size))
        elif chunk_id == b"data":
            if fmt is None:
                raise _BadWav("the data chunk comes before the format chunk")
            present = total - position - 8
            if present < size:
                raise _BadWav(f"truncated: {present} of {size} audio bytes present")
            return WavStream(path, fmt, position + 8, size)
        position += 8 + size + (size & 1)  # chunks are padded to an even length
    if fmt is None:
        raise _BadWav("no format chunk")
    raise _BadWav("no audio data chunk")


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
