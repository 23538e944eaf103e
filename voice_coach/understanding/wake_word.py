"""The wake word: the one place that knows what addresses the coach. It comes from the settings
(`wake_word = "coach"` by default, any number of words, or false for none); the matcher, the
dialog, the live loop and the recognisers' grammars all ask this value, so a coach named "buddy"
is woken by "buddy" and never by "coach"."""

from __future__ import annotations

from dataclasses import dataclass

GREETINGS = frozenset(["hey", "hi", "ok", "okay", "oh"])
"""Words that may come before the wake word ("hey coach")."""


@dataclass(frozen=True)
class WakeWord:
    words: tuple[str, ...]
    """Lowercase words; empty when the coach needs no wake word."""

    @classmethod
    def from_setting(cls, setting: str | None) -> WakeWord:
        """From the `wake_word` setting (already checked by the settings: None means off)."""
        return cls(tuple((setting or "").lower().split()))

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def split(self, words: list[str]) -> tuple[bool, list[str]]:
        """Whether `words` are addressed to the coach (the wake word first, after a greeting,
        or last: "stop, coach"), and the words without it."""
        wake, n = list(self.words), len(self.words)
        if not wake:
            return False, words
        if len(words) > n and words[0] in GREETINGS and words[1 : 1 + n] == wake:
            words = words[1:]
        if words[:n] == wake:
            return True, words[n:]
        if len(words) >= n and words[-n:] == wake:
            return True, words[:-n]
        return False, words

    def alone(self, text: str) -> bool:
        """`text` is the wake word and nothing else ("coach ...": a pause before the request)."""
        woke, rest = self.split(text.split())
        return woke and not rest

    def starts(self, text: str) -> bool:
        """`text` begins with the wake word (perhaps after a greeting)."""
        words = text.split()
        if words and words[0] in GREETINGS:
            words = words[1:]
        return bool(self.words) and words[: len(self.words)] == list(self.words)


DEFAULT = WakeWord(("coach",))
"""The settings' default, for what is built without settings (the benchmark, `parse`)."""
