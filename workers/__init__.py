"""Task workers that cannot lose a task: django_tasks_db's worker with leases.

A worker holds a lease on the task it runs and renews it from a heartbeat thread; every
worker requeues, on each beat, the tasks whose lease ran out (their worker died). The
``db_worker`` command of this app replaces django_tasks_db's (this app comes first in
INSTALLED_APPS), so every worker the project starts is a leased one.
"""
