"""Background tasks for voice notes (thin: the work is in services)."""

from django_tasks import task

from consult.voice import services

# The exception workers.leases records when a task's worker died too many times.
LEASE_EXPIRED = "workers.leases.LeaseExpired"


@task(queue_name="transcription")
def transcribe_voice_note(note_id: int) -> str:
    return services.run_transcription(note_id)


def record_abandoned_note(sender, task_result, **kwargs) -> None:
    """task_finished receiver: a note whose workers all died fails, with a retry offered."""
    if task_result.task.module_path != transcribe_voice_note.module_path or not task_result.errors:
        return
    if task_result.errors[-1].exception_class_path == LEASE_EXPIRED:
        services.abandon_transcription(task_result.args[0], len(task_result.worker_ids))
