"""The public API's endpoints: what they answer, pagination, filters, conditional requests,
CORS, rate limits and API keys."""

from __future__ import annotations

import pytest
from django.test import override_settings

from api.models import ApiKey
from consult.models import Submission

pytestmark = pytest.mark.django_db
API = "/api/v1"


def get(client, path, **headers):
    return client.get(path if path.startswith("http") else API + path, headers=headers)


def test_consultations_versions_and_redline(client, demo):
    listing = get(client, "/consultations/").json()
    assert [c["slug"] for c in listing["results"]] == ["ai-rules-2026"]
    consultation = get(client, "/consultations/ai-rules-2026/").json()
    assert consultation["state"] == "open" and consultation["is_open"] is True
    assert consultation["languages"] == ["en", "ur"]
    assert consultation["title_ur"]

    versions = get(client, "/consultations/ai-rules-2026/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    version = get(client, "/consultations/ai-rules-2026/versions/2/").json()
    assert len(version["clauses"]) == 27
    assert all({"key", "heading", "heading_ur", "text"} <= set(c) for c in version["clauses"])
    assert get(client, "/consultations/ai-rules-2026/versions/9/").status_code == 404

    redline = get(client, "/consultations/ai-rules-2026/redline/?from_version=1&to_version=2")
    changed = [row for row in redline.json() if row["status"] == "changed"]
    assert changed and all(
        any(p["kind"] in ("ins", "del") for p in row["pieces"]) for row in changed
    )
    missing = get(client, "/consultations/ai-rules-2026/redline/?from_version=1")
    assert missing.status_code == 400 and "to_version" in missing.json()


def test_unknown_things_are_json_404s(client, demo):
    for path in [
        "/consultations/nope/",
        "/submissions/999999/",
        "/nothing-here/",
        "/submissions/x/",
    ]:
        response = get(client, path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path


def test_submissions_are_public_fields_only(client, api_data):
    data = get(client, "/submissions/?consultation=ai-rules-2026").json()
    first = data["results"][0]
    assert set(first) == {
        "id",
        "consultation",
        "clause",
        "text",
        "proposed_wording",
        "stance",
        "stakeholder",
        "organisation",
        "author",
        "language",
        "source",
        "submitted",
        "anchor",
    }
    named = get(client, f"/submissions/{api_data.named_hidden.pk}/").json()
    assert named["author"].startswith("Participant ")
    anchored = [s for s in data["results"] if s["anchor"]]
    assert anchored[0]["anchor"]["quote"]["type"] == "TextQuoteSelector"
    assert anchored[0]["anchor"]["position"]["type"] == "TextPositionSelector"


def test_cursor_pagination_walks_every_published_submission_once(client, demo):
    expected = set(
        Submission.objects.filter(consultation=demo, is_public=True, is_removed=False).values_list(
            "pk", flat=True
        )
    )
    seen, url, pages = [], f"{API}/submissions/?page_size=3", 0
    while url:
        data = client.get(url).json()
        assert len(data["results"]) <= 3
        seen += [s["id"] for s in data["results"]]
        url, pages = data["next"], pages + 1
    assert pages > 3
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert set(seen) == expected
    bad = get(client, "/submissions/?cursor=not-a-cursor")
    assert bad.status_code == 404
    import base64

    forged = base64.b64encode(b"p=abc").decode()
    assert get(client, f"/submissions/?cursor={forged}").status_code == 404


@pytest.mark.parametrize(
    "query, check",
    [
        ("clause=c-14", lambda s: s["clause"]["key"] == "c-14"),
        ("stance=oppose", lambda s: s["stance"] == "oppose"),
        ("stakeholder=civil_society", lambda s: s["stakeholder"] == "civil_society"),
        ("language=ur", lambda s: s["language"] == "ur"),
        ("source=voice", lambda s: s["source"] == "voice"),
        ("version=2", lambda s: s["clause"]["version"] == 2),
        ("submitted_after=2000-01-01T00:00:00Z", lambda s: s["submitted"] >= "2000"),
    ],
)
def test_filters(client, demo, query, check):
    data = get(client, f"/submissions/?page_size=500&{query}").json()
    assert data["results"], query
    assert all(check(s) for s in data["results"])
    everything = get(client, "/submissions/?page_size=500").json()["results"]
    assert len(data["results"]) < len(everything) or query.startswith("submitted")


def test_filter_by_date_range_and_theme(client, api_data):
    none = get(client, "/submissions/?submitted_before=2000-01-01T00:00:00Z").json()
    assert none["results"] == []
    themes = get(client, "/consultations/ai-rules-2026/themes/").json()
    theme = themes[0]
    members = get(client, f"/submissions/?theme={theme['id']}&page_size=500").json()["results"]
    expected = set(
        Submission.objects.filter(
            theme_memberships__theme_id=theme["id"], is_public=True, is_removed=False
        ).values_list("pk", flat=True)
    )
    assert {s["id"] for s in members} == expected and expected
    assert get(client, "/submissions/?stance=nonsense").status_code == 400
    # Empty is not one of the listed values either (schemathesis sent ?source=&stakeholder=).
    for name in ("stance", "stakeholder", "source"):
        assert get(client, f"/submissions/?{name}=").status_code == 400, name
    # Nor is it a number or a date (schemathesis 4.32 sent ?version=).
    for name in ("version", "theme", "submitted_after", "submitted_before"):
        answer = get(client, f"/submissions/?{name}=")
        assert answer.status_code == 400 and name in answer.json(), name
    for name in ("theme", "submission"):
        assert get(client, f"/consultations/ai-rules-2026/points/?{name}=").status_code == 400
    assert get(client, "/submissions/?theme=99999999999999999999").status_code == 400


def test_report_themes_town_halls_transparency_record(client, api_data):
    report = get(client, "/consultations/ai-rules-2026/report/").json()
    assert report["themes"] and report["clauses"] and report["method"]
    assert any(t["response"] and t["response"]["outcome"] == "partly" for t in report["themes"])
    halls = get(client, "/consultations/ai-rules-2026/town-halls/").json()
    hall = halls[0]
    assert {q["status"] for q in hall["questions"]} <= {"approved", "answered"}
    assert any(q["answer"] for q in hall["questions"])
    assert hall["polls"][0]["options"][0]["label"] == "Yes"
    figures = get(client, "/consultations/ai-rules-2026/transparency/").json()
    assert figures["removed"] == 2 and figures["held"] >= 1
    record = get(client, "/consultations/ai-rules-2026/record/").json()
    kinds = [event["type"] for event in record]
    assert kinds.count("version_published") == 2
    assert {"town_hall", "analysis", "report_published"} <= set(kinds)
    assert [e["at"] for e in record] == sorted(e["at"] for e in record)


def test_no_report_is_a_404(client, demo):
    response = get(client, "/consultations/ai-rules-2026/report/")
    assert response.status_code == 404 and "report" in response.json()["detail"]


def test_etag_if_none_match_and_last_modified(client, demo):
    path = "/submissions/?consultation=ai-rules-2026"
    first = get(client, path)
    assert first["ETag"] and first["Last-Modified"]
    again = get(client, path, if_none_match=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # A change (a new comment) changes the body, so the tag.
    from tests.api.conftest import _submit

    _submit(demo, "A new comment after the first read.")
    changed = get(client, path, if_none_match=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_cors_on_api_get_only(client, demo):
    response = get(client, "/consultations/", origin="https://example.net")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    page = client.get("/ai-rules-2026/", headers={"origin": "https://example.net"})
    assert "Access-Control-Allow-Origin" not in page
    preflight = client.options(
        f"{API}/consultations/",
        headers={"origin": "https://example.net", "access-control-request-method": "GET"},
    )
    assert preflight.status_code == 200
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert client.post(f"{API}/consultations/").status_code in (403, 405)


@override_settings(MODERATION_RATE_LIMITS={"api": {"address": [3, 60], "api_key": [5, 60]}})
def test_rate_limit_429_with_retry_after_and_an_api_key_for_more(client, demo):
    for _ in range(3):
        assert get(client, "/consultations/").status_code == 200
    refused = get(client, "/consultations/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    body = refused.json()
    assert body["retry_after"] == int(refused["Retry-After"]) and "API key" in body["error"]

    key_object, key = ApiKey.issue("a newsroom")
    assert key not in (key_object.digest, key_object.prefix)
    for _ in range(5):
        assert get(client, "/consultations/", x_api_key=key).status_code == 200
    assert get(client, "/consultations/", authorization=f"Api-Key {key}").status_code == 429
    bad = get(client, "/consultations/", x_api_key=key_object.prefix + ".wrong")
    assert bad.status_code == 401
    key_object.is_active = False
    key_object.save()
    assert get(client, "/consultations/", x_api_key=key).status_code == 401


def test_rate_limit_message_in_urdu(client, demo):
    with override_settings(MODERATION_RATE_LIMITS={"api": {"address": [1, 60]}}):
        get(client, "/consultations/")
        refused = get(client, "/consultations/", accept_language="ur")
    assert refused.status_code == 429
    assert "API key" not in refused.json()["error"]


def test_api_key_admin_shows_the_key_once(client, db):
    admin = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    user = admin.objects.create_superuser("root-api", "root@example.org", "pw-123456789")
    client.force_login(user)
    response = client.post(
        "/django-admin/api/apikey/add/", {"name": "A researcher", "is_active": "on"}, follow=True
    )
    assert response.status_code == 200
    made = ApiKey.objects.get(name="A researcher")
    shown = [str(m) for m in response.context["messages"]]
    words = [word.rstrip(".") for m in shown for word in m.split()]
    key = next(word for word in words if word.startswith(made.prefix + "."))
    assert ApiKey.find(key) == made
    assert key not in str(ApiKey.objects.values_list())


def test_docs_page_is_served_locally_under_the_csp(client, db):
    response = client.get(f"{API}/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "https://" not in html.split("<body>")[1]
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    script = client.get(f"{API}/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    schema = client.get(f"{API}/schema/?format=json").json()
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
