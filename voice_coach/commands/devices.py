"""`voice-coach devices`: the microphones and speakers PortAudio can see, with their numbers for
--input-device / --output-device and the defaults marked."""

from __future__ import annotations

from ..audio.devices import Device, list_devices


def run(args) -> int:
    print(describe(list_devices()))
    return 0


def describe(devices: list[Device]) -> str:
    """The listing as text; a plain sentence when there is nothing to list."""
    lines = []
    for title, kind in (("Microphones", "input"), ("Speakers", "output")):
        able = [d for d in devices if d.channels(kind) > 0]
        if not able:
            option = "--input-device" if kind == "input" else "--output-device"
            lines.append(f"No {title.lower()[:-1]} found: connect one (then it appears here "
                         f"with a number for {option}).")
            continue
        lines.append(f"{title} (use the number or name with "
                     f"{'--input-device' if kind == 'input' else '--output-device'}):")
        for device in able:
            default = device.is_default_input if kind == "input" else device.is_default_output
            mark = "*" if default else " "
            lines.append(f" {mark} {device.index:>3}  {device.name}  "
                         f"({device.channels(kind)} ch, {device.default_rate:.0f} Hz)")
    if any(d.inputs or d.outputs for d in devices):
        lines.append("* = default")
    return "\n".join(lines)
