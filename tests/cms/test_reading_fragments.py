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


# --- each clause under its own generation (cms.reading.latest_clause_items) ---------------------


@pytest.mark.django_db
def test_a_new_comment_makes_the_next_reader_read_and_render_its_clause_only(client, consultation):
    """Under a deadline flood every comment had made the next reader count and rank the
    comments of the whole draft; now only the clause a comment is on is read again."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from consult import roles, selectors
    from consult.models import Submission
    from moderation.services import decide
    from tests.consult.test_comments import CLAUSES

    assert len(CLAUSES) >= 3
    cache.clear()
    read_again = []
    original = selectors.clause_views

    def counted(*args, **kwargs):
        read_again.append(kwargs.get("only_keys"))
        return original(*args, **kwargs)

    keys = {c.identifier: c.key for c in consultation.current_version().clauses.all()}
    with mock.patch.object(selectors, "clause_views", counted):
        client.get(consultation.url)
        assert read_again == [list(keys.values())]  # every clause, in order
        read_again.clear()
        client.get(consultation.url)
        assert read_again == []  # the page's list from the cache

        post(client, consultation, form_data(consultation, "2", text="Stance <b>counts</b>"))
        page = client.get(consultation.url).content.decode()
        assert read_again == [[keys["2"]]]
        assert "Stance &lt;b&gt;counts&lt;/b&gt;" in page

        # A moderator removes it: that clause again, and the comment is gone from the page.
        moderator = get_user_model().objects.create_user("flood-mod", "flood-mod@example.org")
        moderator.groups.add(Group.objects.get(name=roles.MODERATOR))
        read_again.clear()
        submission = Submission.objects.get(comment="Stance <b>counts</b>")
        decide(submission, action="remove", reason="off_topic", moderator=moderator)
        page = client.get(consultation.url).content.decode()
        assert read_again == [[keys["2"]]]
        assert "Stance &lt;b&gt;counts&lt;/b&gt;" not in page

        # In Urdu the same clause is read for its own (translated) fragment.
        read_again.clear()
        client.get(f"/ur{consultation.url}")
        assert read_again == [list(keys.values())]  # first Urdu reader: every clause once
