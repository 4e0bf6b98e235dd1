"""Background tasks for voice notes (thin: the work is in services)."""

from django_tasks import task

from consult.voice import services


@task(queue_name="transcription")
def transcribe_voice_note(note_id: int) -> str:
    return services.run_transcription(note_id)


@task(queue_name="default")
def voice_maintenance() -> dict:
    """Recover notes of dead workers and delete expired audio; run it periodically."""
    return {
        "requeued": services.recover_stuck_notes(),
        "audio_deleted": services.purge_expired_audio(),
    }
