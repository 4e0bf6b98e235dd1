"""The reading page's clause fragments (cms/reading.py): rendered from plain values, cached
under a digest of them, so a changed comment shows at once and unchanged clauses are not
rendered again."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import translation

from cms import reading
from consult.permalinks import submission_url_prefix
from consult.selectors import clause_views
from tests.consult.test_comments import clause, form_data, make_consultation, post


@pytest.fixture
def consultation(db):
    return make_consultation()


def _items(page):
    version = page.current_version()
    return reading.clause_items(
        clause_views(version),
        page=page,
        version=version,
        is_open=True,
        is_latest=True,
        prefix=submission_url_prefix(page.slug),
    )


@pytest.mark.django_db
def test_only_the_clause_whose_values_changed_is_rendered_again(client, consultation):
    cache.clear()
    assert post(client, consultation, form_data(consultation, "2", text="First")).status_code == 302
    with translation.override("en"):
        before = _items(consultation)
        render = mock.patch.object(
            reading.get_template(reading.CLAUSE_TEMPLATE).__class__,
            "render",
            autospec=True,
            side_effect=lambda self, *a, **k: "<li>rendered</li>",
        )
        with render as rendered:
            assert _items(consultation) == before  # every fragment from the cache
            assert rendered.call_count == 0
        post(client, consultation, form_data(consultation, "2", text="Second <b>"))
        with render as rendered:
            after = _items(consultation)
            assert rendered.call_count == 1  # clause 2 only
            (_template, context), _kwargs = rendered.call_args
            assert [c["comment"] for c in context["c"]["comments"]] == ["Second <b>", "First"]
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1
    cache.clear()  # the stand-in rendering above was cached under clause 2's key
    with translation.override("en"):
        fresh = _items(consultation)[changed[0]]
    assert "Second &lt;b&gt;" in fresh and "First" in fresh
    assert f'data-clause-id="{clause(consultation, "2").pk}"' in fresh


@pytest.mark.django_db
def test_the_fragment_follows_the_language_and_a_moderators_removal(client, consultation):
    cache.clear()
    post(client, consultation, form_data(consultation, "2", text="Soon removed"))
    with translation.override("en"):
        assert any("Soon removed" in item for item in _items(consultation))
    with translation.override("ur"):
        urdu = "".join(_items(consultation))
    assert "Soon removed" in urdu and "Comments on this clause" not in urdu
    from consult.models import Submission

    Submission.objects.filter(comment="Soon removed").update(is_removed=True)
    with translation.override("en"):
        assert not any("Soon removed" in item for item in _items(consultation))
