"""One base class for every error a user may see; its message says what happened and what to do."""


class VoiceCoachError(Exception):
    """An error with a message fit for the user: what happened, and what to do about it."""


class TemplateError(VoiceCoachError):
    """An intent template or intents file has a mistake (the message names file and line)."""


class AudioFileError(VoiceCoachError):
    """A WAV file could not be read or converted."""


class AudioDeviceError(VoiceCoachError):
    """No usable microphone or speaker, or a device went away."""


class RecognizerError(VoiceCoachError):
    """A speech recogniser or its model could not be loaded or failed."""


class SynthesisError(VoiceCoachError):
    """Text-to-speech failed."""


class ExerciseError(VoiceCoachError):
    """An exercise file has a mistake, or an exercise does not exist."""
