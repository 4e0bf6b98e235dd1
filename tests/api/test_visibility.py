"""Nothing the API says of a submission is more than a visitor can see on its page.

For every published submission on a clause, each field the API returns is looked for on the
clause's own public page (``?clause=KEY&version=N``), in the comment's ``<article
id="comment-ID">``. A field the API adds later without a check here fails the test, so the
two cannot drift apart."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest

from consult.models import Source, Stakeholder, Stance
from drafts.models import ClauseVersion

pytestmark = pytest.mark.django_db


def _article(page_html: str, pk: int) -> str:
    match = re.search(
        rf'<article class="comment[^"]*" id="comment-{pk}".*?</article>', page_html, re.S
    )
    assert match, f"comment {pk} is not on its page"
    return match.group(0)


def _marked_spans(page_html: str, clause_key: str, pk: int) -> list[tuple[int, int]]:
    """Offsets, in the clause's plain text, of the words marked for comment ``pk``."""
    item = re.search(
        rf'<li class="clause" id="clause-{clause_key}".*?<div class="clause-text"[^>]*>(.*?)</div>',
        page_html,
        re.S,
    )
    assert item
    spans, at = [], 0
    for piece in re.finditer(
        r'<mark class="anchored" data-comments="([^"]*)">(.*?)</mark>|([^<]+)', item.group(1)
    ):
        text = html.unescape(piece.group(2) if piece.group(2) is not None else piece.group(3))
        if piece.group(1) is not None and f"comment-{pk}" in piece.group(1).split():
            spans.append((at, at + len(text)))
        at += len(text)
    return spans


def check_field(name, value, article, page_html, submission) -> None:
    text = html.unescape(article)
    clause = submission["clause"]
    if name == "id":
        assert f'id="comment-{value}"' in article
    elif name == "consultation":
        assert 'data-page-id="' in page_html and value  # the page is the consultation's own
    elif name == "clause":
        assert f'id="clause-{value["key"]}"' in page_html
        assert f'<bdi class="clause-number" dir="ltr">{value["identifier"]}.</bdi>' in page_html
        # the version being read: the page was asked for this version and says so
        assert f"Draft version {value['version']}" in page_html
    elif name == "text":
        assert html.escape(value).replace("\n", "<br>") in article
    elif name == "proposed_wording":
        assert not value or html.escape(value) in article
    elif name == "stance":
        assert f'data-stance="{value}"' in article and str(Stance(value).label) in text
    elif name == "stakeholder":
        assert str(Stakeholder(value).label) in text
    elif name == "organisation":
        assert not value or value in text
    elif name == "author":
        assert f"<strong><bdi>{html.escape(value)}</bdi></strong>" in article
    elif name == "language":
        assert f'class="comment-text" lang="{value}"' in article
    elif name == "source":
        assert f'data-source="{value}">{Source(value).label}<' in article
    elif name == "submitted":
        shown = re.search(r'<time datetime="([^"]+)"', article).group(1)
        assert datetime.fromisoformat(shown) == datetime.fromisoformat(value)
    elif name == "anchor":
        if value is None:
            assert 'class="comment-anchor"' not in article
            return
        quote, position = value["quote"], value["position"]
        assert f"<bdi>{html.escape(quote['exact'])}</bdi>" in article
        clause_text = ClauseVersion.objects.get(
            version__page__slug=submission["consultation"],
            version__number=clause["version"],
            key=clause["key"],
        ).text  # the clause's text, as the page shows it
        start, end = position["start"], position["end"]
        assert any(
            a <= start and end <= b
            for a, b in _marked_spans(page_html, clause["key"], submission["id"])
        )
        assert clause_text[start:end] == quote["exact"]
        assert clause_text[:start].endswith(quote["prefix"])
        assert clause_text[end:].startswith(quote["suffix"])
    else:
        pytest.fail(f"the API returns {name!r}, which no check here finds on the page")


def test_every_field_the_api_returns_is_on_the_submissions_page(client, demo):
    submissions = client.get("/api/v1/submissions/?page_size=500").json()["results"]
    on_clauses = [s for s in submissions if s["clause"]]
    assert len(on_clauses) >= 10
    assert any(s["anchor"] for s in on_clauses) and any(s["organisation"] for s in on_clauses)
    assert {s["source"] for s in on_clauses} >= {"typed", "voice", "town_hall", "paper"}
    pages = {}
    for submission in on_clauses:
        clause = submission["clause"]
        address = f"/ai-rules-2026/?clause={clause['key']}&version={clause['version']}"
        if address not in pages:
            response = client.get(address)
            assert response.status_code == 200
            pages[address] = response.content.decode()
        article = _article(pages[address], submission["id"])
        for name, value in submission.items():
            check_field(name, value, article, pages[address], submission)


def test_a_whole_draft_submission_shows_no_name_or_wording(client, demo):
    """Comments on the whole draft are on no page (only in the report's open data, without
    names): the API gives their text and categories, not a name or proposed wording."""
    submissions = client.get("/api/v1/submissions/?page_size=500").json()["results"]
    whole = [s for s in submissions if s["clause"] is None]
    assert whole
    assert all(s["author"] is None and s["proposed_wording"] == "" for s in whole)
