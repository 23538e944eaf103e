"""Removes the coach's own voice from what the microphone hears.

In a bedroom the microphone hears the speaker too; the coach must never act on its own speech, yet a
partner's "stop" said over it must get through. We know exactly what we played and when, so:

1. each sound is placed on the microphone's own sample timeline (samples counted, the count tied
   to the stream's clock by a smoothed offset), then its placement is refined by cross-correlating
   its first fraction of a second with what the microphone heard (timestamps of sounds jitter by a
   few milliseconds, too much for any echo model);
2. a multi-tap adaptive filter (partitioned-block frequency-domain NLMS, overlap-save) learns the
   echo path (device resamplers, a room's reflections) and subtracts the predicted echo; it only
   adapts while the microphone is mostly echo, so a partner talking over the coach does not
   teach it to cancel them (double-talk detection);
3. chunks that are still nothing but the coach are silenced (residual echo suppression); where the
   model cannot be trusted (a sound not placed yet, a breath cue, which is a tone and cannot be
   placed, a sound moved by an output underrun) the played sounds are removed by level instead:
   silenced if nothing louder is there, else suppressed frequency by frequency.

It also keeps, for the last 13 seconds, how loud the expected echo and the residual were and the
cleaned sound, so the loop can tell an utterance said over the coach from the coach's own
leftover voice."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

BLOCK = 160
"""Filter block (10 ms at 16 kHz): the mic's 30 ms chunks are three blocks, so no added delay."""
PARTITIONS = 6
"""Filter length in blocks (60 ms at 16 kHz): resamplers plus a bedroom's strong early
reflections. In the virtual room (a loopback) 3, 6 and 12 partitions removed alike (31-41 dB)."""
PRE_DELAY = BLOCK
"""Taps before the expected echo arrival: a sound placed a little late is still modelled."""
STEP = 0.3
"""NLMS step (0..1, normalised by the reference power in each frequency bin); 0.7 diverged on
speech in the room."""
STAGES = ((0.05, 0.006, False), (0.15, 0.006, False), (0.3, 0.2, True))
"""How a sound is placed: (seconds of it from its onset, how far to search around the expected
place, whether only when not placed yet). Sounds' timestamps jitter by up to 4 ms; once, on a
busy machine, one was 85 ms off."""
ECHO_ONLY = 0.95
"""A chunk this well explained by the estimated echo (1 - residual/mic energy) holds no one
else's voice and is silenced (residual echo suppression): once the echo path is learnt, chunks
of the coach alone are explained to 0.999 and more in the virtual room."""
ADAPT_WHEN_EXPLAINED = 0.7
"""Double-talk detection: adapt only on blocks the echo model explains this well (echo-dominant)."""
TRUSTED_WHEN_EXPLAINED = 0.9
"""Until the model explains a block this well it adapts on everything (it knows no echo yet)."""
RELEARN_AFTER_BLOCKS = 80
"""Blocks of playback with no adaptation (0.8 s) after which the model is taken to be wrong (the
volume changed, the device moved) rather than the partners talking, and adapts freely again."""
POOR_CHUNKS = 1
"""Chunks in a row the model explains badly before sounds are looked for again."""
REPLACE_S = ((0.1, 0.1), (0.15, 0.3))
"""Sounds looked for again: (seconds of their latest stretch heard, how far either way), the
near search first (found sooner). Output underruns on a busy machine move the rest of a sound
(seen: 8 ms, 81 ms; with two other processes at full load, hundreds of underruns in 18 s of
speech, parts skipped or delayed by up to 0.3 s)."""
HISTORY_S = 13.0
"""Seconds of echo figures, played sounds and cleaned sound kept to judge an utterance (at most
12 s long) afterwards: nothing older is kept."""
RESEMBLES = 0.5
"""A stretch of cleaned sound correlating this well (normalised) with something the coach played,
at any lag within half a second, is the coach's own voice, however broken up by underruns."""
ONLY_ECHO_LEVEL = 1.5
"""Where the model is unsure (a sound not placed yet, a cue, a sound that moved), a chunk no
louder than this times the echo it could hold is taken for echo alone and silenced (the higher,
the more of a partner's softer sounds over a cue are silenced with it)."""
ONLY_ECHO_POOR = 1.1
"""The same where the model is merely doing badly (a partner talking over the coach): at 1.2, a
partner's "stop please" over the coach kept 1.5-2 dB less over the echo left than at 1.1."""
RESEMBLANCE_S = 3.0
"""At most this much of an utterance is compared (12 s took 110 ms of the loop's time)."""
SUPPRESS = 4.0
"""Over-subtraction (6 dB) when echo is suppressed by level, frequency by frequency."""
AUDIBLE = 1e-6
"""Mean echo power (-60 dBFS) above which the coach counts as heard in a chunk."""


@dataclass(frozen=True)
class Overlap:
    """How a stretch of the cleaned stream relates to the coach's own playback."""

    echo_share: float
    """0..1: the fraction of the stretch during which the coach's voice was audible at the
    microphone (above -60 dBFS)."""
    residual_to_echo_db: float
    """What was left after cancelling, relative to the echo removed, over that part (-inf when
    there was none): a partner talking over the coach is near 0 dB or above, leftover echo is far
    below."""


class _Sound:
    def __init__(self, start_s: float, samples: np.ndarray) -> None:
        self.start_s = start_s
        self.position: int | None = None  # on the microphone's timeline, once it has one
        self.samples = samples
        loud = np.flatnonzero(
            np.abs(samples) > 0.05 * (float(np.max(np.abs(samples), initial=0.0))))
        self.onset = int(loud[0]) if len(loud) else 0
        """Voices start after some silence: sounds are placed by what follows their onset."""
        self.fraction = 0.0
        """How far (0..1 of a sample) the echo lies after `position`."""
        self.placed = False
        self.stage = 0
        self.guessed = False
        """Left where its timestamp puts it: the model cannot be trusted with it."""
        self.tonal = _tonal(samples[self.onset:self.onset + 8000])
        """A few pure tones (the breath cues) cannot be placed: they match themselves every
        period. They are suppressed by level instead (see EchoCanceller.cancel)."""
        self.follows: tuple[_Sound, float] | None = None
        """(the sound it was played right after, that sound's exact length in seconds)."""

    def between(self, lo: int, hi: int) -> np.ndarray:
        """Samples [lo, hi) of the sound as it reaches the microphone (delayed by `fraction`)."""
        margin = _HALF if self.fraction >= 1e-3 else 0
        padded = np.zeros(hi - lo + 2 * margin, dtype=np.float32)
        a, b = max(0, lo - margin), min(len(self.samples), hi + margin)
        if a < b:
            padded[a - (lo - margin):b - (lo - margin)] = self.samples[a:b]
        if not margin:
            return padded
        return np.convolve(padded, _fractional_delay(self.fraction), "valid")


class EchoCanceller:
    def __init__(self, rate: int = 16000, partitions: int = PARTITIONS) -> None:
        self.rate = rate
        self._sounds: deque[_Sound] = deque()
        self._count = 0  # samples heard so far: the microphone's own timeline
        self._offset: float | None = None  # clock time * rate - sample count
        self._correction = 0  # last measured shift (whole samples) of a sound from its timestamp
        self._heard: deque[np.ndarray] = deque()
        self._heard_start = 0
        self._filter = _BlockNLMS(partitions)
        self._cleaned: deque[tuple[int, np.ndarray]] = deque()  # (start, chunk) for HISTORY_S
        self._history: deque[tuple[int, int, float, float]] = deque()
        """(start, length, echo energy, residual energy) of recent chunks the coach was heard in."""
        self._poor = 0  # chunks in a row the model explained badly
        self._echo_gain = 1.0  # as last measured; until then, assume all of it is heard
        self._moved = False  # a sound was placed anew during this chunk
        self._moved_until = 0  # until then the filter's memory holds a sound where it was

    def played(self, samples: np.ndarray, start_s: float,
               follows: tuple[float, float] | None = None) -> None:
        """Note that `samples` (mono float32 at our rate) began playing at clock time start_s.
        `follows`: (start_s of a sound noted before, its exact length in seconds) when the
        speaker played this one on the sample after that one's last, as the sentences of a
        reply are: it then lies where that one ends, to the sample, and is not searched for.
        (Searched for, a sentence whose onset a partner talked over was not found, and went
        uncancelled for 0.4 s: the partner's "stop" was heard as "start".)"""
        sound = _Sound(start_s, np.asarray(samples, dtype=np.float32))
        if follows is not None:
            before = next((s for s in self._sounds if s.start_s == follows[0]), None)
            sound.follows = None if before is None else (before, follows[1])
        self._sounds.append(sound)

    def stop_playing(self, at_s: float) -> None:
        """Playback was cut short at at_s: what was not played must not be subtracted."""
        for sound in self._sounds:
            keep = max(0, round((at_s - sound.start_s) * self.rate))
            sound.samples = sound.samples[:keep]

    def reference(self, start: int, length: int) -> np.ndarray:
        """The played signal over microphone sample positions [start, start + length)."""
        out = np.zeros(length, dtype=np.float32)
        for sound in self._sounds:
            if sound.position is None:
                continue
            lo = max(start, sound.position)
            hi = min(start + length, sound.position + len(sound.samples) + _HALF)
            if lo < hi:
                out[lo - start:hi - start] += sound.between(lo - sound.position,
                                                            hi - sound.position)
        return out

    def cancel(self, mic: np.ndarray, start_s: float) -> np.ndarray:
        """Return the microphone chunk (captured from clock time start_s) without the coach's
        voice. The cleaned stream is sample for sample the microphone's: times measured on it
        (samples fed to the endpointer / rate) are the ones `overlap` takes."""
        mic = np.asarray(mic, dtype=np.float32)
        self._follow_clock(start_s)
        start = self._count
        self._count += len(mic)
        self._remember(mic)
        for sound in self._sounds:
            if sound.position is None and not self._continue(sound):
                sound.position = round(sound.start_s * self.rate - self._offset) + self._correction
        self._moved = False
        self._place_sounds()
        self._forget_played()
        ref = self.reference(start + PRE_DELAY, len(mic))
        if not np.any(ref) and not self._filter.ringing:
            self._cleaned.append((start, mic))
            return mic
        learn, unsure = self._settle(start + len(mic) + PRE_DELAY)
        if self._moved:  # the filter still holds the sound where it was, for its whole length
            self._moved_until = start + len(mic) + self._filter.length + BLOCK
        if start < self._moved_until:
            learn, unsure = False, True
        echo, cleaned = self._filter.run(ref, mic, learn=learn)
        heard = float(np.dot(mic, mic)) or 1e-12
        echo_energy, residual = float(np.dot(echo, echo)), float(np.dot(cleaned, cleaned))
        # The model adds echo here (a sound moved): it left more than was heard, and foresaw
        # echo of half what was heard or more. (Not merely the former: a partner's voice and the
        # echo can partly cancel each other in the air within a chunk.)
        wrong = residual > heard and echo_energy > 0.5 * heard
        doubtful = unsure or wrong or residual > 0.5 * heard
        expected = self._expected_echo(start, len(mic)) if doubtful else 0.0
        if doubtful and heard <= (ONLY_ECHO_LEVEL if unsure or wrong
                                  else ONLY_ECHO_POOR) * expected:
            # The model may miss a sound that is not placed (yet), or cannot be (a cue), or has
            # moved; but nothing louder than that sound is there: it is all echo.
            cleaned = np.zeros_like(mic)
        elif wrong or (unsure and residual > 0.5 * heard):
            # Someone else is there too: take out, frequency by frequency, as much as the played
            # sounds could put there (levels need no placing to the sample), and keep the rest.
            cleaned = self._suppress(mic, start)
        if doubtful:
            echo_energy, residual = max(expected, echo_energy), float(np.dot(cleaned, cleaned))
        explained = max(0.0, 1.0 - residual / heard)
        self._poor = self._poor + 1 if explained < 0.5 and not unsure else 0
        if self._poor >= POOR_CHUNKS:
            self._poor = 0
            self._replace_sounds()
        self._history.append((start, len(mic), echo_energy, residual))
        if explained >= ECHO_ONLY:
            cleaned = np.zeros_like(cleaned)  # nothing but the coach: what is left is residue
        self._cleaned.append((start, cleaned))
        return cleaned

    def resemblance(self, start_s: float, end_s: float) -> float:
        """0..1: the share of what is left in the stretch [start_s, end_s) of the cleaned stream
        (its last RESEMBLANCE_S) that is a copy of something the coach played, found a sixth of a
        second at a time at any lag within half a second. The coach's own voice broken up by
        output underruns (which no echo model follows) is near 1; a partner, even over the
        coach, near 0."""
        hi = round(end_s * self.rate)
        lo = max(round(start_s * self.rate), hi - round(RESEMBLANCE_S * self.rate))
        piece, search = self.rate // 6, self.rate // 2
        cleaned = self._cleaned_between(lo, hi)
        total = matched = 0.0
        for begin in range(0, len(cleaned) - piece // 2, piece):
            part = cleaned[begin:begin + piece]
            energy = float(np.dot(part, part))
            if energy < AUDIBLE * len(part):
                continue
            ref = self.reference(lo + begin - search, len(part) + 2 * search).astype(np.float64)
            size = 1 << (len(ref) + len(part)).bit_length()
            corr = np.fft.irfft(np.fft.rfft(ref, size) * np.conj(np.fft.rfft(part, size)), size)
            sliding = np.concatenate([[0.0], np.cumsum(ref ** 2)])
            window = sliding[len(part):len(part) + 2 * search + 1] - sliding[:2 * search + 1]
            score = corr[:2 * search + 1] / np.sqrt(energy * window + 1e-12)
            total += energy
            if float(np.max(score)) >= RESEMBLES:
                matched += energy
        return matched / total if total else 0.0

    def _cleaned_between(self, lo: int, hi: int) -> np.ndarray:
        out = np.zeros(max(0, hi - lo), dtype=np.float32)
        for start, chunk in self._cleaned:
            a, b = max(lo, start), min(hi, start + len(chunk))
            if a < b:
                out[a - lo:b - lo] = chunk[a - start:b - start]
        return out

    def _suppress(self, mic: np.ndarray, start: int) -> np.ndarray:
        """`mic` without the frequencies where the played sounds (at the echo's level, wherever
        within a few ms they lie) are as loud as what was heard, with a margin."""
        size = 1 << len(mic).bit_length()
        heard = np.fft.rfft(mic, size)
        echo = self._echo_gain * np.abs(np.fft.rfft(self.reference(start, len(mic)), size))
        echo = np.maximum(echo, np.maximum(np.roll(echo, 1), np.roll(echo, -1)))  # (a glide)
        gain = np.clip(1.0 - SUPPRESS * echo ** 2 / (np.abs(heard) ** 2 + 1e-12), 0.0, 1.0)
        return np.fft.irfft(gain * heard, size)[: len(mic)].astype(np.float32)

    def _expected_echo(self, start: int, length: int) -> float:
        """The most echo energy a chunk may hold, wherever within the timestamps' jitter the
        sounds really are."""
        jitter = round(STAGES[0][1] * self.rate)
        energy = max(float(np.dot(ref, ref)) for ref in (
            self.reference(start + shift, length)
            for shift in range(-jitter, jitter + 1, jitter // 2)))
        return self._echo_gain ** 2 * energy

    def overlap(self, start_s: float, end_s: float) -> Overlap:
        """How the stretch [start_s, end_s) of the cleaned stream (seconds from its first sample)
        overlapped the coach's voice."""
        lo, hi = round(start_s * self.rate), round(end_s * self.rate)
        echoing = 0
        echo_energy = residual = 0.0
        for start, length, echo, left in self._history:
            inside = min(hi, start + length) - max(lo, start)
            if inside > 0 and echo > AUDIBLE * length:
                echoing += inside
                echo_energy += echo
                residual += left
        share = echoing / max(1, hi - lo)
        ratio = (10 * np.log10(residual / echo_energy) if echo_energy > 0 and residual > 0
                 else -np.inf)
        return Overlap(min(1.0, share), float(ratio))

    # ---- internals ---------------------------------------------------------------------------

    def _follow_clock(self, start_s: float) -> None:
        """Tie the sample count to the clock. Chunk timestamps jitter by a millisecond or so and
        the device's rate is a few hundred ppm off, so the offset is smoothed; a gap (lost audio)
        over 50 ms resynchronises it."""
        raw = start_s * self.rate - self._count
        if self._offset is None:
            self._offset = raw
        elif abs(raw - self._offset) > self.rate / 20:
            # Audio was lost: what comes next is later than the count says; so are the sounds.
            jump = round(raw - self._offset)
            for sound in self._sounds:
                if sound.position is not None:
                    sound.position -= jump
            self._offset = raw
            self._heard.clear()
            self._heard_start = self._count
        else:
            self._offset += 0.05 * (raw - self._offset)

    def _remember(self, mic: np.ndarray) -> None:
        """Keep the last second of what the microphone heard, to place sounds in it."""
        self._heard.append(mic)
        while self._count - self._heard_start - len(self._heard[0]) > self.rate:
            self._heard_start += len(self._heard.popleft())

    def _settle(self, until: int) -> tuple[bool, bool]:
        """Whether the filter may learn from the sounds now reaching the microphone. Not while
        one is still where its timestamp guesses (it is about to move), nor from a sound that
        could not be placed (learning a tone a few ms off made the model diverge). Also whether
        the echo model may be off there."""
        current = [sound for sound in self._sounds
                   if sound.position is not None and sound.position < until
                   and sound.position + len(sound.samples) + self._filter.length
                   > until - PRE_DELAY]
        if not all(sound.placed for sound in current):
            return False, True
        if any(sound.guessed for sound in current):
            return False, True
        return True, False

    def _continue(self, sound: _Sound) -> bool:
        """Place a sound played right after another where that one ends; False if it is not
        such a sound. It moves with that one from then on (see `_carry`)."""
        if sound.follows is None or sound.follows[0].position is None:
            return False
        before, seconds = sound.follows
        exact = before.position + before.fraction + seconds * self.rate
        sound.position = int(np.floor(exact))
        sound.fraction = exact - sound.position
        sound.placed, sound.guessed, sound.stage = before.placed, before.guessed, len(STAGES)
        return True

    def _carry(self, sound: _Sound) -> None:
        """The sounds played right after `sound` (and after them) go where it went."""
        for after in self._sounds:
            if after.follows is not None and after.follows[0] is sound:
                self._continue(after)
                self._carry(after)

    def _place_sounds(self) -> None:
        """Find where each sound's echo really is, to a fraction of a sample, and move it there;
        expect the next sounds to be shifted the same way. Placed from 50 ms after its onset,
        searched near the expected place, then refined on more of it; searched wide if that
        failed. (Timestamps of sounds jitter by up to 4 ms, and each sound lands at its own
        fraction of a sample: an echo model learnt on one sound misses the next, which alone
        capped the cancelling at 11-20 dB on speech.)"""
        for sound in self._sounds:
            if sound.position is None or sound.stage >= len(STAGES):
                continue
            if sound.tonal:
                sound.placed = sound.guessed = True
                sound.stage = len(STAGES)
                continue
            length_s, search_s, wide = STAGES[sound.stage]
            length = min(round(length_s * self.rate), len(sound.samples) - sound.onset)
            if length <= 0:  # cut before its first sound (stopped, or the device lost)
                sound.stage = len(STAGES)
                continue
            search = round(search_s * self.rate)
            start = sound.position + sound.onset
            if start + length + search > self._count:
                continue
            sound.stage += 1
            if wide and sound.placed:
                continue
            found = self._find_shift(sound.between(sound.onset, sound.onset + length), start,
                                     search)
            if found is not None:
                self._place(sound, *found)
            elif sound.stage == len(STAGES) and not sound.placed:
                sound.placed = sound.guessed = True  # no clear echo (a partner over it): a guess
                self._carry(sound)

    def _replace_sounds(self) -> None:
        """The model has explained the microphone badly for a while: a partner is talking, or a
        sound moved (an output underrun delays the rest of it: seen 8 and 81 ms). Look for
        each playing sound's latest stretch, searched wide, and move it if it moved."""
        for sound in self._sounds:
            if not sound.placed or sound.guessed:
                continue
            for length_s, search_s in REPLACE_S:
                length, search = round(length_s * self.rate), round(search_s * self.rate)
                end = self._count - search - sound.position
                begin = max(sound.onset, end - length)
                if end - begin < length // 2 or end > len(sound.samples):
                    continue  # (not far enough into the sound yet, or it has ended)
                found = self._find_shift(sound.between(begin, end), sound.position + begin,
                                         search, match=0.8)
                # (A partner over the coach can make a weaker copy look like the echo: the
                # level must be the echo's too.)
                if (found is not None
                        and abs(20 * np.log10(max(found[1], 1e-6) / self._echo_gain)) < 4):
                    if abs(found[0]) >= 1:
                        self._place(sound, *found)
                    break

    def _place(self, sound: _Sound, shift: float, gain: float) -> None:
        whole = int(np.floor(shift + sound.fraction))
        sound.position += whole
        sound.fraction = shift + sound.fraction - whole
        sound.placed = self._moved = True
        self._correction += whole
        self._echo_gain = gain
        self._filter.expect_gain(gain)
        self._carry(sound)

    def _find_shift(self, start: np.ndarray, position: int, search: int,
                    match: float | None = None) -> tuple[float, float] | None:
        """(samples the echo of `start` lies after `position`, its gain), or None if unclear.
        The lag comes from whitened cross-correlation (GCC-PHAT): plain correlation of voiced
        speech peaks at every pitch period too, and picked those here; the fraction of a sample
        and the gain come from the plain correlation around it."""
        lo = position - search - self._heard_start
        energy = float(np.dot(start, start))
        if energy < 1e-6 * len(start) or not self._heard:
            return None
        heard = np.concatenate(self._heard)[max(0, lo):lo + len(start) + 2 * search]
        # before the stream: none
        heard = np.concatenate([np.zeros(max(0, -lo), np.float32), heard])
        size = 1 << (len(heard) + len(start)).bit_length()
        cross = np.fft.rfft(heard, size) * np.conj(np.fft.rfft(start, size))
        whitened = np.fft.irfft(cross / (np.abs(cross) + 1e-9), size)[: 2 * search + 1]
        peak = int(np.argmax(whitened))
        corr = np.fft.irfft(cross, size)[: 2 * search + 1]
        local = heard[peak:peak + len(start)]
        if float(np.dot(local, local)) < 1e-3 * energy:
            return None  # the microphone heard (next to) nothing there
        # Near the expected place the match must be close; searched wide, the peak must stand out.
        wide = search > 0.05 * self.rate
        match = match if match is not None else 0.5 if wide else 0.8
        if (wide and whitened[peak] < 6 * (float(np.std(whitened)) + 1e-12)) or \
                corr[peak] < match * np.sqrt(energy * float(np.dot(local, local))):
            return None
        shift = float(peak)
        if 0 < peak < len(corr) - 1:  # the true peak lies between samples: fit a parabola
            left, middle, right = corr[peak - 1], corr[peak], corr[peak + 1]
            curve = left - 2 * middle + right
            if curve < 0:
                shift += 0.5 * (left - right) / curve
        return shift - search, float(corr[peak]) / energy

    def _forget_played(self) -> None:
        horizon = self._count - HISTORY_S * self.rate
        while self._sounds and self._sounds[0].position + len(self._sounds[0].samples) < horizon \
                and self._sounds[0].placed:
            gone = self._sounds.popleft()
            for sound in self._sounds:
                if sound.follows is not None and sound.follows[0] is gone:
                    sound.follows = None  # placed long since: the chain need not keep it
        while self._cleaned and self._cleaned[0][0] < horizon:
            self._cleaned.popleft()
        while self._history and self._history[0][0] < self._count - HISTORY_S * self.rate:
            self._history.popleft()


_HALF = 16
"""Half the length of the fractional-delay filter (samples)."""


def _fractional_delay(fraction: float) -> np.ndarray:
    """A windowed-sinc filter delaying by `fraction` of a sample (applied per chunk: shifting a
    whole 18-second sentence up front took 35 ms of the loop's time)."""
    taps = np.arange(-_HALF, _HALF + 1) - fraction
    return (np.sinc(taps) * np.kaiser(2 * _HALF + 1, 8.0)).astype(np.float32)


def _tonal(samples: np.ndarray) -> bool:
    """True when a few frequencies hold nearly all the energy (a cue, not a voice)."""
    power = np.abs(np.fft.rfft(samples)) ** 2
    if len(power) < 16 or not np.any(power):
        return False
    top = np.sort(power)[::-1][: max(1, len(power) // 50)]
    return float(np.sum(top)) > 0.9 * float(np.sum(power))


class _BlockNLMS:
    """Partitioned-block frequency-domain NLMS with the gradient constraint (overlap-save):
    an adaptive FIR of `partitions` * BLOCK taps, run one block at a time. The far-end
    (reference) input leads the microphone by PRE_DELAY samples."""

    def __init__(self, partitions: int) -> None:
        self.length = partitions * BLOCK
        bins = BLOCK + 1
        self._spectra = np.zeros((partitions, bins), dtype=np.complex128)  # newest first
        self.weights = np.zeros((partitions, bins), dtype=np.complex128)
        self._power: np.ndarray | None = None  # reference power per bin, once there is some
        self._last_ref = np.zeros(BLOCK)
        self._idle_blocks = 0
        self._since_adapted = 0
        self._trusted = False

    @property
    def ringing(self) -> bool:
        """True while played sound is still inside the filter's span (its echo may still come)."""
        return self._idle_blocks < len(self._spectra) + 1

    def expect_gain(self, gain: float) -> None:
        """A sound's echo was just measured at `gain`. With nothing learnt yet, start from a
        single tap there (a model learnt from zero takes seconds of speech); when the level
        moved (louder, quieter) by more than 1.5 dB, rescale what was learnt."""
        current = self.gain
        if current < 1e-3:
            self.weights[PRE_DELAY // BLOCK] = gain * np.exp(
                -2j * np.pi * np.fft.rfftfreq(2 * BLOCK) * (PRE_DELAY % BLOCK))
        elif abs(20 * np.log10(max(gain, 1e-6) / current)) > 1.5:
            self.weights *= gain / current

    @property
    def gain(self) -> float:
        taps = np.fft.irfft(self.weights, 2 * BLOCK)[:, :BLOCK]
        return float(np.max(np.abs(taps)))

    def run(self, ref: np.ndarray, mic: np.ndarray,
            learn: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(estimated echo, mic minus it) for a chunk; a partial last block (and any block, with
        `learn` False) is filtered by the current model without adapting."""
        echo = np.zeros(len(mic), dtype=np.float32)
        for lo in range(0, len(mic), BLOCK):
            ref_block = np.zeros(BLOCK)
            ref_block[: len(ref[lo:lo + BLOCK])] = ref[lo:lo + BLOCK]
            mic_block = np.zeros(BLOCK)
            mic_block[: len(mic[lo:lo + BLOCK])] = mic[lo:lo + BLOCK]
            adapt = learn if lo + BLOCK <= len(mic) else False
            echo[lo:lo + BLOCK] = self._block(ref_block, mic_block, adapt)[: len(mic) - lo]
        return echo, mic - echo

    def _block(self, ref: np.ndarray, mic: np.ndarray, adapt: bool) -> np.ndarray:
        self._idle_blocks = self._idle_blocks + 1 if not np.any(ref) else 0
        newest = np.fft.rfft(np.concatenate([self._last_ref, ref]))
        self._last_ref = ref
        self._spectra = np.roll(self._spectra, 1, axis=0)
        self._spectra[0] = newest
        echo = np.fft.irfft(np.sum(self.weights * self._spectra, axis=0))[BLOCK:]
        error = mic - echo
        heard = float(np.dot(mic, mic))
        if adapt and np.any(ref) and heard > 1e-8 * BLOCK:  # (nothing to learn from silence)
            # Speech comes and goes: the power is averaged over the filter's whole span and
            # floored by its mean, or quiet bins get huge steps and the filter diverges.
            power = np.mean(np.abs(self._spectra) ** 2, axis=0)
            self._power = power if self._power is None else 0.9 * self._power + 0.1 * power
            explained = 1.0 - float(np.dot(error, error)) / heard
            self._since_adapted = (0 if explained >= ADAPT_WHEN_EXPLAINED
                                   else self._since_adapted + 1)
            if self._since_adapted > RELEARN_AFTER_BLOCKS:
                self._trusted = False
            if not self._trusted or explained >= ADAPT_WHEN_EXPLAINED:
                self._adapt(error)
            self._trusted = self._trusted or explained >= TRUSTED_WHEN_EXPLAINED
        return echo

    def _adapt(self, error: np.ndarray) -> None:
        error_spectrum = np.fft.rfft(np.concatenate([np.zeros(BLOCK), error]))
        total = self._power * len(self._spectra) + np.mean(self._power) + 1e-10
        gradient = np.conj(self._spectra) * error_spectrum / total
        # Keep the filter causal and BLOCK taps per partition (the overlap-save constraint).
        taps = np.fft.irfft(gradient, 2 * BLOCK, axis=1)
        taps[:, BLOCK:] = 0.0
        self.weights += STEP * np.fft.rfft(taps, axis=1)
