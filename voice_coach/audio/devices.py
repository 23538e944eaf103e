"""Finding the microphone and the speaker: listing PortAudio's devices and choosing one by name or
index, with a plain sentence (not a PortAudio traceback) when there is none."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from dataclasses import dataclass
from typing import Literal

from ..errors import AudioDeviceError

Kind = Literal["input", "output"]

_HINT = "run `voice-coach devices` to see what is available"


@dataclass(frozen=True)
class Device:
    index: int
    """PortAudio's index, what sounddevice takes."""
    name: str
    inputs: int
    """Input channels (0: not a microphone)."""
    outputs: int
    """Output channels (0: not a speaker)."""
    default_rate: float
    """The rate the device runs at natively; other rates may be resampled by the driver."""
    is_default_input: bool = False
    is_default_output: bool = False

    def channels(self, kind: Kind) -> int:
        return self.inputs if kind == "input" else self.outputs


def sounddevice_module():
    """sounddevice, imported late so that a machine without PortAudio gets a sentence, not a crash
    at import time of every module that mentions audio."""
    _quiet_alsa()
    try:
        import sounddevice
    except OSError as error:
        raise AudioDeviceError(
            "The PortAudio library is missing, so no microphone or speaker can be used: "
            "install it (Debian/Ubuntu: `sudo apt-get install libportaudio2`)."
        ) from error
    return sounddevice


def rescan_devices() -> None:
    """Make PortAudio look for devices again (it lists them once, when first loaded), e.g. after
    the sound server restarted. Every open stream must be closed first."""
    sd = sounddevice_module()
    sd._terminate()
    sd._initialize()


# libasound prints lines such as "ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred" on
# stderr by itself; on a user's terminal that is noise (the coach reports device trouble in its own
# words). Kept at module level: the C library holds on to the callback.
_ALSA_HANDLER_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                      ctypes.c_int, ctypes.c_char_p)
_alsa_handler = None


def _quiet_alsa() -> None:
    global _alsa_handler
    if _alsa_handler is not None or not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("asound")
    if name is None:
        return
    try:
        asound = ctypes.cdll.LoadLibrary(name)
    except OSError:
        return
    _alsa_handler = _ALSA_HANDLER_TYPE(lambda *_: None)
    asound.snd_lib_error_set_handler(_alsa_handler)


def list_devices() -> list[Device]:
    """Every device PortAudio sees, with the default input and output marked."""
    sd = sounddevice_module()
    try:
        raw = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as error:
        raise AudioDeviceError(
            f"The audio system could not be queried ({error}); {_HINT}."
        ) from error
    return [
        Device(
            index=int(info["index"]),
            name=str(info["name"]),
            inputs=int(info["max_input_channels"]),
            outputs=int(info["max_output_channels"]),
            default_rate=float(info["default_samplerate"]),
            is_default_input=int(info["index"]) == default_in,
            is_default_output=int(info["index"]) == default_out,
        )
        for info in raw
    ]


def choose_device(devices: list[Device], wanted: str | int | None, kind: Kind) -> Device:
    """The device the user asked for (index, exact name or a unique part of it), else the system
    default, else the first one that can do `kind`; AudioDeviceError when nothing fits."""
    able = [d for d in devices if d.channels(kind) > 0]
    noun, option = (
        ("microphone", "--input-device") if kind == "input" else ("speaker", "--output-device")
    )
    if not able:
        raise AudioDeviceError(
            f"No {noun} found: connect one, or {_HINT} and pick one with {option}."
        )
    if wanted is None or str(wanted).strip() == "":
        defaults = [
            d for d in able if (d.is_default_input if kind == "input" else d.is_default_output)
        ]
        return (defaults or able)[0]
    text = str(wanted).strip()
    if text.isdigit():
        found = [d for d in able if d.index == int(text)]
    else:
        found = [d for d in able if d.name.lower() == text.lower()] or [
            d for d in able if text.lower() in d.name.lower()
        ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise AudioDeviceError(
            f"There is no {noun} called {text!r}: {_HINT} and pass its number to {option}."
        )
    names = ", ".join(f"{d.index} {d.name!r}" for d in found)
    raise AudioDeviceError(
        f"{text!r} matches several {noun}s ({names}): pass the number to {option}."
    )


def find_device(wanted: str | int | None, kind: Kind) -> Device:
    """choose_device over the devices present now."""
    return choose_device(list_devices(), wanted, kind)


def close_stream(stream, timeout: float = 1.0) -> None:
    """Close a PortAudio stream without risking a hang: when the sound server vanishes, the ALSA
    backend's stream thread can get stuck polling, and Pa_CloseStream then waits for it forever.
    Closing on a helper thread bounds the wait; a stuck stream is left behind, not the coach."""
    closer = threading.Thread(target=stream.close, name="close-audio-stream", daemon=True)
    closer.start()
    closer.join(timeout)
