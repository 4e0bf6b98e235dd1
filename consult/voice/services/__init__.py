"""Write paths for voice notes, one module per part of a note's life: ``audio`` (accept an
upload), ``transcription`` (the worker's batches, retries), ``review`` (the participant
confirms the text) and ``maintenance`` (stuck notes, audio retention).

Every state change of a voice note happens here; views, tasks and commands only call these.
"""

from consult.voice.services.audio import (
    ProbedAudio,
    StorageUnavailable,
    VoiceInput,
    accept_voice_note,
    probe_audio,
)
from consult.voice.services.maintenance import purge_expired_audio, recover_stuck_notes
from consult.voice.services.review import can_review, confirm_voice_note
from consult.voice.services.transcription import (
    abandon_transcription,
    enqueue_transcription,
    retry_transcription,
    run_transcription,
)

__all__ = [
    "ProbedAudio",
    "StorageUnavailable",
    "VoiceInput",
    "abandon_transcription",
    "accept_voice_note",
    "can_review",
    "confirm_voice_note",
    "enqueue_transcription",
    "probe_audio",
    "purge_expired_audio",
    "recover_stuck_notes",
    "retry_transcription",
    "run_transcription",
]
