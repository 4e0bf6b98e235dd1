"""What the analysis announces to the layers above it (they connect; it never imports them)."""

from django.dispatch import Signal

# A run's results are saved; sent inside the run's transaction, with ``run``. A receiver
# that raises fails the run (cms drafts the report page here: cms/reports.py).
run_done = Signal()
