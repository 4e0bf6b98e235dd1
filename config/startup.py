"""Work a server process does once when it starts, instead of in its first requests."""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def prepare_server_process() -> None:
    """Load the spam classifier (trained the first time ever, then loaded from its pickle),
    so the first submission does not wait for it; then freeze what start-up allocated.

    ``gc.freeze()`` moves the objects of Django, Wagtail and scikit-learn out of the
    collector's reach: without it a full collection walks them all, and on the reading page
    that was the difference between a p95 of ~200 ms and ~350 ms (bench-comments).
    """
    from text.classifier import get_classifier

    try:
        get_classifier()
    except Exception:  # the first submission tries again and reports it
        logger.exception("could not load the spam classifier at start-up")
    gc.collect()
    gc.freeze()
