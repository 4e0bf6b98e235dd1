"""Anchored comments as W3C Web Annotations, and back through the anchoring code."""

from __future__ import annotations

import pytest

from consult.models import Submission
from drafts.anchoring import reanchor
from drafts.models import ClauseVersion

pytestmark = pytest.mark.django_db
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def _selector(annotation: dict) -> dict:
    """The W3C selectors as the anchoring code reads them."""
    by_type = {s["type"]: s for s in annotation["target"]["selector"]}
    quote, position = by_type["TextQuoteSelector"], by_type["TextPositionSelector"]
    return {
        "exact": quote["exact"],
        "prefix": quote["prefix"],
        "suffix": quote["suffix"],
        "start": position["start"],
        "end": position["end"],
    }


def test_an_exported_annotation_lands_on_the_same_words(client, demo):
    anchored = Submission.objects.filter(consultation=demo).exclude(anchor_exact="")
    assert anchored.count() >= 2
    for submission in anchored:
        response = client.get(f"/api/v1/submissions/{submission.pk}/annotation/")
        assert response.status_code == 200
        assert response["Content-Type"] == MEDIA_TYPE
        annotation = response.json()
        assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert annotation["type"] == "Annotation" and annotation["motivation"] == "commenting"
        assert annotation["body"][0]["value"] == submission.comment
        clause = ClauseVersion.objects.get(pk=submission.clause_id)
        assert (
            f"?clause={clause.key}&version={clause.version.number}"
            in annotation["target"]["source"]
        )

        # A format asked for by name is one the answer has; given empty it is none (404, as
        # for ?format=nonsense), not silently the default (schemathesis sent ?format=).
        url = f"/api/v1/submissions/{submission.pk}/annotation/"
        assert client.get(url + "?format=json")["Content-Type"] == "application/json"
        assert client.get(url + "?format=nonsense").status_code == 404
        assert client.get(url + "?format=").status_code == 404

        found = reanchor(_selector(annotation), clause.text)
        assert found["status"] == "exact", found
        assert clause.text[found["start"] : found["end"]] == submission.anchor_exact
        assert (found["start"], found["end"]) == (submission.anchor_start, submission.anchor_end)

        # On a revised text (words added before the quote), the same words are found again.
        revised = "A new opening sentence. " + clause.text
        moved = reanchor(_selector(annotation), revised)
        assert moved["status"] == "moved"
        assert revised[moved["start"] : moved["end"]] == submission.anchor_exact


def test_annotation_page_and_json_fallback(client, demo):
    page = client.get(
        "/api/v1/annotations/?consultation=ai-rules-2026&page_size=2", headers={"accept": "*/*"}
    )
    assert page["Content-Type"] == MEDIA_TYPE
    data = page.json()
    assert data["type"] == "AnnotationPage" and len(data["items"]) == 2 and data["next"]
    as_json = client.get("/api/v1/annotations/", headers={"accept": "application/json"})
    assert as_json["Content-Type"] == "application/json"
    whole_draft = Submission.objects.filter(consultation=demo, clause=None).first()
    assert client.get(f"/api/v1/submissions/{whole_draft.pk}/annotation/").status_code == 404
