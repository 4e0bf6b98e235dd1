"""The cleanup after a transactional test (tests/conftest.py): it must leave the database
exactly as the session's setup committed it, whatever the test wrote, changed or deleted,
so that every test starts where the ``db`` tests do."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TransactionTestCase

from cms.models import ConsultationPage
from consult.models import Submission
from tests.conftest import SESSION_ROWS, _back_to_session_rows, _copy_rows


def _canonical(rows: dict) -> dict:
    """Rows per table, in an order that does not depend on where they sit on disk."""
    return {
        table: sorted(value.splitlines() if isinstance(value, bytes) else map(repr, value))
        for table, value in rows.items()
    }


@pytest.mark.django_db(transaction=True)
def test_the_cleanup_puts_back_what_the_session_committed(demo):
    session = _canonical(SESSION_ROWS[connection.alias])
    assert "cms_consultationpage" in session and "django_comments" in session
    content_types = list(ContentType.objects.order_by("pk").values_list("pk", "model"))

    # What a test might do: add rows, change the demo, delete some of it.
    get_user_model().objects.create_user("written-by-the-test")
    ConsultationPage.objects.filter(pk=demo.pk).update(title="Changed by the test")
    removed = Submission.objects.filter(consultation=demo).order_by("pk").first()
    Submission.objects.filter(pk=removed.pk).delete()
    assert _canonical(_copy_rows(connection)) != session  # so the comparison below can fail

    _back_to_session_rows(TransactionTestCase())  # what pytest-django's teardown passes it

    assert _canonical(_copy_rows(connection)) == session
    assert not get_user_model().objects.filter(username="written-by-the-test").exists()
    assert ConsultationPage.objects.get(pk=demo.pk).title == demo.title
    assert Submission.objects.filter(pk=removed.pk).exists()
    # The content types (and the permissions on them) are kept, under the same ids.
    assert list(ContentType.objects.order_by("pk").values_list("pk", "model")) == content_types
