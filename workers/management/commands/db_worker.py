"""django_tasks_db's ``db_worker`` with leases (this command replaces the library's).

The library's loop claims and runs tasks unchanged; this worker takes a lease on the task
it claims and keeps a heartbeat thread that renews the lease and, on every beat, requeues
tasks whose lease ran out (their worker died), so nothing stays RUNNING for ever and no
cron job is needed.
"""

from __future__ import annotations

import logging
import os
import threading
from argparse import ArgumentParser, ArgumentTypeError

from django.conf import settings
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from workers import leases

logger = logging.getLogger("django_tasks_db")


class LeasedWorker(db_worker.Worker):
    def __init__(self, *, lease_seconds: float, **options):
        super().__init__(**options)
        self.lease_seconds = lease_seconds
        # Renew three times per lease: one late beat does not lose the task.
        self.beat_seconds = max(0.2, lease_seconds / 3)
        self._current = None
        self._stopped = threading.Event()

    def run(self) -> None:
        heartbeat = threading.Thread(target=self._heartbeat, name="lease-heartbeat", daemon=True)
        heartbeat.start()
        try:
            super().run()
        finally:
            self._stopped.set()
            heartbeat.join(timeout=30)

    def _beat(self) -> None:
        current = self._current
        if current is not None and not leases.renew(current, self.worker_id, self.lease_seconds):
            logger.warning("Lost the lease of task %s (it will run again elsewhere)", current)
        leases.requeue_expired(self.backend_name, seconds=self.lease_seconds)

    def _heartbeat(self) -> None:
        """Runs in its own thread, with its own database connection."""
        try:
            while True:
                try:
                    self._beat()
                except Exception:
                    logger.exception("Lease heartbeat failed; trying again")
                    connections.close_all()  # this thread's connections only
                if self._stopped.wait(self.beat_seconds):
                    return
        finally:
            connections.close_all()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        attempt = leases.start(db_task_result.id, self.worker_id, self.lease_seconds)
        logger.info("Task %s: attempt %s", db_task_result.id, attempt)
        self._current = db_task_result.id
        try:
            super().run_task(db_task_result)
        finally:
            self._current = None
            leases.release(db_task_result.id, self.worker_id)


def valid_lease(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds < 86400:
        raise ArgumentTypeError("Must be between 0 and 86400 seconds")
    return seconds


class Command(db_worker.Command):
    help = "Run a database background worker that holds leases on its tasks"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--lease",
            type=valid_lease,
            default=None,
            dest="lease_seconds",
            help="Seconds a task's lease lasts without renewal (default: TASK_LEASE_SECONDS)",
        )

    def handle(self, *, lease_seconds: float | None = None, **options) -> None:
        # The library's handle() builds its own Worker; this one builds the leased worker
        # with the same options (its argument checks, repeated here, are unchanged).
        self.configure_logging(options["verbosity"])
        reload, batch = options["reload"], options["batch"]
        if reload and batch:
            logger.warning(
                "--reload and --batch cannot be specified together. Disabling autoreload."
            )
            reload = False
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            lease_seconds=lease_seconds or float(settings.TASK_LEASE_SECONDS),
            queue_names=queue_names,
            interval=options["interval"],
            batch=batch,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
