"""Held and removed submissions, original text, hidden names, e-mails and receipt codes are
in no answer of the API and in no bulk file; the report's parts come through too."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from consult.models import Submission

pytestmark = pytest.mark.django_db
SLUG = "ai-rules-2026"


def every_answer(client, data) -> dict[str, bytes]:
    """The body of every GET operation of the API, every page of every list."""
    bodies: dict[str, bytes] = {}

    def read(path: str):
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        body = b"".join(response.streaming_content) if response.streaming else response.content
        bodies[path] = body
        return response

    base = "/api/v1"
    for listing in ("/submissions/?page_size=10", "/annotations/?page_size=10"):
        url = base + listing
        while url:
            page = read(url).json()
            url = page.get("next")
    for sub in Submission.objects.filter(is_public=True, is_removed=False):
        read(f"{base}/submissions/{sub.pk}/")
        if sub.clause_id:
            read(f"{base}/submissions/{sub.pk}/annotation/")
    c = f"{base}/consultations/{SLUG}"
    for path in [
        f"{base}/consultations/",
        f"{c}/",
        f"{c}/versions/",
        f"{c}/versions/1/",
        f"{c}/versions/2/",
        f"{c}/redline/?from_version=1&to_version=2",
        f"{c}/themes/",
        f"{c}/points/?page_size=500",
        f"{c}/report/",
        f"{c}/town-halls/",
        f"{c}/transparency/",
        f"{c}/record/",
        f"{c}/bulk/csv/",
        f"{c}/bulk/jsonl/",
        f"{c}/bulk/parquet/",
        f"{c}/bulk/",  # after the downloads built them
        f"{base}/schema/",
    ]:
        read(path)
    return bodies


def test_held_and_removed_are_in_no_answer_and_no_bulk_file(client, api_data, settings, tmp_path):
    settings.API_BULK_ROOT = tmp_path
    settings.MODERATION_RATE_LIMITS = {"api": {"address": [100000, 60]}}
    bodies = every_answer(client, api_data)
    hidden_ids = {api_data.held.pk, api_data.removed.pk, api_data.removed_quote}
    assert (
        Submission.objects.filter(pk__in=hidden_ids, is_public=True, is_removed=False).count() == 0
    )

    for path, body in bodies.items():
        if path.endswith("/parquet/"):
            continue
        text = body.decode("utf-8")
        for secret in api_data.never_shown():
            assert secret not in text, (path, secret)

    # Ids: not a submission, an annotation, a theme's point or a campaign's representative.
    for pk in hidden_ids:
        assert client.get(f"/api/v1/submissions/{pk}/").status_code == 404
        assert client.get(f"/api/v1/submissions/{pk}/annotation/").status_code == 404
    listed = set()
    for path, body in bodies.items():
        if "/submissions/?" in path:
            listed |= {s["id"] for s in json.loads(body)["results"]}
    published = set(
        Submission.objects.filter(is_public=True, is_removed=False).values_list("pk", flat=True)
    )
    assert listed == published
    report = json.loads(bodies[f"/api/v1/consultations/{SLUG}/report/"])
    points = {p["submission"] for t in report["themes"] for p in t["points"]}
    assert points and points <= published and api_data.removed_quote not in points
    representatives = {c["representative"] for c in report["campaigns"]} - {None}
    assert representatives <= published

    # Bulk files: exactly the published submissions, in all three formats.
    c = f"/api/v1/consultations/{SLUG}/bulk"
    rows = list(csv.DictReader(io.StringIO(bodies[f"{c}/csv/"].decode("utf-8-sig"))))
    assert {int(r["id"]) for r in rows} == published
    lines = [json.loads(line) for line in bodies[f"{c}/jsonl/"].decode().splitlines()]
    assert {r["id"] for r in lines} == published
    table = pq.read_table(io.BytesIO(bodies[f"{c}/parquet/"]))
    assert set(table.column("id").to_pylist()) == published
    for column in table.column_names:
        values = [str(v) for v in table.column(column).to_pylist()]
        for secret in api_data.never_shown():
            assert all(secret not in v for v in values), (column, secret)
    listing = json.loads(bodies[f"{c}/"])
    assert listing["built"] and listing["rows"] == len(published)
    assert [f["format"] for f in listing["files"]] == ["csv", "jsonl", "parquet"]


def test_report_and_themes_and_the_report_page_links_the_bulk_files(client, api_data):
    themes = client.get(f"/api/v1/consultations/{SLUG}/themes/").json()
    assert themes and all(t["submissions_url"].endswith(f"theme={t['id']}") for t in themes)
    answered = [t for t in themes if t["response"] and t["response"]["outcome"] == "partly"]
    assert answered and answered[0]["response"]["changed_clause"]["key"] == "c-18"
    theme = themes[0]
    members = client.get(theme["submissions_url"] + "&page_size=500").json()["results"]
    expected = set(
        Submission.objects.filter(
            theme_memberships__theme_id=theme["id"], is_public=True, is_removed=False
        ).values_list("pk", flat=True)
    )
    assert expected and {s["id"] for s in members} == expected

    page = client.get(api_data.report.url).content.decode()
    for file_format in ("csv", "jsonl", "parquet"):
        assert f"/api/v1/consultations/{SLUG}/bulk/{file_format}/" in page


def test_a_removal_after_the_files_were_built_rebuilds_them(client, api_data, settings, tmp_path):
    from django.contrib.auth.models import User

    from moderation.services import decide

    settings.API_BULK_ROOT = tmp_path
    first = b"".join(client.get(f"/api/v1/consultations/{SLUG}/bulk/jsonl/").streaming_content)
    victim = Submission.objects.filter(is_public=True, is_removed=False).first()
    assert f'"id": {victim.pk},'.encode() in first
    decide(victim, action="remove", reason="spam", moderator=User.objects.get(username="api-mod"))
    again = b"".join(client.get(f"/api/v1/consultations/{SLUG}/bulk/jsonl/").streaming_content)
    assert f'"id": {victim.pk},'.encode() not in again
    assert len(list((tmp_path / str(api_data.page.pk)).iterdir())) == 1  # the old stamp is gone
