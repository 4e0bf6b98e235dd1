"""Paging through 100,000 published submissions with the public API, 100 at a time.

Builds a consultation with SUBMISSIONS published submissions (and a few held and removed
ones, which must not come back) in the database in DATABASE_URL (PostgreSQL for the
headline; SQLite in a temporary folder without it), once: a later run finds them and pages
again (REBUILD=1 builds afresh). Then follows ``next`` from the first page to the last
through Django's test client (the whole stack: middleware, rate limiter, ETag, rendering)
and times each page. ``per_s`` is pages per second, one client after another.

Run: make bench-api   (SUBMISSIONS=100000 PAGE_SIZE=100 by default)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CONSULT_INSECURE_DEFAULTS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["CONSULT_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-api-")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# One client reads everything: the per-address limit would stop it after 300 pages.
settings.MODERATION_RATE_LIMITS = {"api": {"address": [10**9, 60]}}

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_comments.models import Comment  # noqa: E402
from django_comments_xtd.models import XtdComment  # noqa: E402

from cms.demo import load_draft  # noqa: E402
from cms.models import Clause, ConsultationPage, HomePage  # noqa: E402
from consult.models import Source, Stakeholder, Stance, Submission  # noqa: E402

N = int(os.environ.get("SUBMISSIONS", "100000"))
PAGE_SIZE = int(os.environ.get("PAGE_SIZE", "100"))
SLUG = "bench-api"
HIDDEN = 200  # held and removed submissions mixed in


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def existing():
    page = ConsultationPage.objects.filter(slug=SLUG).first()
    if page is None:
        return None
    published = Submission.objects.filter(consultation=page, is_public=True, is_removed=False)
    return page if published.count() == N else None


def build():
    rng = random.Random(5)
    draft = load_draft()
    now = timezone.now()
    for old in ConsultationPage.objects.filter(slug=SLUG):
        Submission.objects.filter(consultation=old).delete()
        old.delete()
    page = ConsultationPage(
        title="API benchmark rules",
        slug=SLUG,
        ministry="Ministry of Benchmarks",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
        phase=ConsultationPage.Phase.OPEN,
    )
    page.clauses = [
        Clause(identifier=str(i + 1), heading=c["heading"], text=c["text"], sort_order=i)
        for i, c in enumerate(draft["clauses"])
    ]
    HomePage.objects.first().add_child(instance=page)
    page.save_revision().publish()
    clauses = list(page.current_version().clauses.all())
    content_type = ContentType.objects.get_for_model(ConsultationPage)
    site = Site.objects.get_current()
    total = N + HIDDEN
    period = total // (HIDDEN // 2)  # one held and one removed in every period
    for start in range(0, total, 10_000):
        batch = range(start, min(total, start + 10_000))
        bases = Comment.objects.bulk_create(
            [
                Comment(
                    content_type=content_type,
                    object_pk=str(page.pk),
                    site=site,
                    comment=f"Comment {n}: the registry should publish its decisions in Urdu.",
                    submit_date=now - timedelta(seconds=total - n),
                    is_public=n % period != 1,  # half of HIDDEN held
                    is_removed=n % period == 2,  # and half removed
                    user_name=f"Hidden Name {n}",
                    user_email=f"person{n}@example.org",
                )
                for n in batch
            ],
            batch_size=2000,
        )
        rows = []
        for n, base in zip(batch, bases, strict=True):
            clause = clauses[n % len(clauses)]
            anchored = n % 2 == 0
            at = rng.randrange(0, max(1, len(clause.text) - 40))
            row = Submission(
                clause=clause,
                consultation=page,
                clause_key=clause.key,
                stance=rng.choice(Stance.values),
                stakeholder=rng.choice(Stakeholder.values),
                organisation="Org" if n % 7 == 0 else "",
                language="ur" if n % 3 == 0 else "en",
                source=rng.choice(Source.values),
                anchor_exact=clause.text[at : at + 30] if anchored else "",
                anchor_prefix=clause.text[max(0, at - 32) : at] if anchored else "",
                anchor_suffix=clause.text[at + 30 : at + 62] if anchored else "",
                anchor_start=at if anchored else None,
                anchor_end=at + 30 if anchored else None,
                anchor_status="exact" if anchored else "",
            )
            row.pk = row.comment_ptr_id = row.xtdcomment_ptr_id = base.pk
            row.thread_id = base.pk
            rows.append(row)
        for model in (XtdComment, Submission):
            fields = model._meta.local_concrete_fields
            for i in range(0, len(rows), 1000):
                model._base_manager._insert(rows[i : i + 1000], fields=fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return page


def main():
    call_command("migrate", verbosity=0)
    page = None if os.environ.get("REBUILD") else existing()
    if page is None:
        started = time.perf_counter()
        page = build()
        print(f"built {N} published submissions in {time.perf_counter() - started:.0f} s")
    client = Client()
    url = f"/api/v1/submissions/?consultation={SLUG}&page_size={PAGE_SIZE}"
    times, seen, pages = [], 0, 0
    started = time.perf_counter()
    while url:
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.content[:300]
        data = response.json()
        seen += len(data["results"])
        pages += 1
        url = data["next"]
    elapsed = time.perf_counter() - started
    assert seen == N, f"read {seen} submissions, expected {N}"
    print(
        f"database={connection.vendor} pages={pages} submissions={seen} "
        f"median_ms={statistics.median(times):.1f} max_ms={max(times):.1f} total_s={elapsed:.1f}"
    )
    print(f"api p95_ms={p95(times):.1f} per_s={pages / elapsed:.1f}")


if __name__ == "__main__":
    main()
