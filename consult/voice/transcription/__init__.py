"""Offline speech-to-text behind one interface.

``get_transcriber().transcribe(path_or_samples, language=None)`` returns a
:class:`TranscriptResult` whichever engine is configured (``settings.TRANSCRIPTION_ENGINE``:
``faster`` = faster-whisper, the default; ``openai`` = openai-whisper, the reference).
"""

from consult.voice.transcription.base import (
    ENGINES,
    Segment,
    TranscriptionError,
    TranscriptResult,
    Word,
    decode,
    get_transcriber,
    normalise_text,
)

__all__ = [
    "ENGINES",
    "Segment",
    "TranscriptResult",
    "TranscriptionError",
    "Word",
    "decode",
    "get_transcriber",
    "normalise_text",
]
