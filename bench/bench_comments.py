"""The reading page of a consultation with 200 clauses and 20,000 comments.

Builds the data in a fresh SQLite database (or the database in DATABASE_URL), then times
the page (server time through Django's test client, p95 of RUNS requests), counts its
queries, and times the comment POST through the real view and ``consult.services.submit``.
The page's clause list is cached until a comment changes (consult/reading_cache.py): the
page figure is readers between comments; ``fresh_page_p95_ms`` is the first reader after
each new comment, who renders the list afresh; ``queries`` counts that fresh render.

Run: make bench-comments   (CLAUSES=200 COMMENTS=20000 RUNS=30 by default)
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
    os.environ["CONSULT_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-comments-")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# The benchmark measures server time; the per-address abuse limit would refuse its 30 posts.
settings.MODERATION_RATE_LIMITS = {"comment": (1_000_000, 600)}

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_comments.models import Comment  # noqa: E402
from django_comments_xtd.models import XtdComment  # noqa: E402

from cms.demo import load_draft  # noqa: E402
from cms.models import Clause, ConsultationPage, HomePage  # noqa: E402
from consult import reading_cache  # noqa: E402
from consult.models import Stakeholder, Stance, Submission  # noqa: E402

N_CLAUSES = int(os.environ.get("CLAUSES", "200"))
N_COMMENTS = int(os.environ.get("COMMENTS", "20000"))
RUNS = int(os.environ.get("RUNS", "30"))


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def build():
    call_command("migrate", verbosity=0)
    rng = random.Random(3)
    draft = load_draft()
    now = timezone.now()
    page = ConsultationPage(
        title="Benchmark Rules",
        slug=f"bench-{int(time.time())}",
        ministry="Ministry of Benchmarks",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        phase=ConsultationPage.Phase.OPEN,
    )
    source = draft["clauses"]
    page.clauses = [
        Clause(
            identifier=str(i + 1),
            heading=source[i % len(source)]["heading"],
            text=source[i % len(source)]["text"],
            sort_order=i,
        )
        for i in range(N_CLAUSES)
    ]
    HomePage.objects.first().add_child(instance=page)
    page.save_revision().publish()
    version = page.current_version()
    clauses = list(version.clauses.all())
    content_type = ContentType.objects.get_for_model(ConsultationPage)
    site = Site.objects.get_current()
    stances, stakeholders = Stance.values, Stakeholder.values
    # Submission is a multi-table model (Comment -> XtdComment -> Submission), which
    # bulk_create refuses; insert each table's rows in bulk instead.
    bases = Comment.objects.bulk_create(
        [
            Comment(
                content_type=content_type,
                object_pk=str(page.pk),
                site=site,
                comment=f"Comment {n} on clause {clauses[n % len(clauses)].identifier}.",
                submit_date=now - timedelta(seconds=N_COMMENTS - n),
                is_public=True,
            )
            for n in range(N_COMMENTS)
        ],
        batch_size=1000,
    )
    rows = []
    for n, base in enumerate(bases):
        clause = clauses[n % len(clauses)]
        anchored = n % 2 == 0
        start = rng.randrange(0, len(clause.text) - 40)
        row = Submission(
            clause=clause,
            consultation=page,
            clause_key=clause.key,
            stance=rng.choice(stances),
            stakeholder=rng.choice(stakeholders),
            organisation="Org" if n % 7 == 0 else "",
            anchor_exact=clause.text[start : start + 30] if anchored else "",
            anchor_start=start if anchored else None,
            anchor_end=start + 30 if anchored else None,
            anchor_status="exact" if anchored else "",
        )
        row.pk = row.comment_ptr_id = row.xtdcomment_ptr_id = base.pk
        row.thread_id = base.pk
        rows.append(row)
    for model in (XtdComment, Submission):
        fields = model._meta.local_concrete_fields
        for i in range(0, len(rows), 500):
            model._base_manager._insert(rows[i : i + 500], fields=fields)
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum would gather them after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return page, clauses


def main():
    t0 = time.perf_counter()
    page, clauses = build()
    print(f"  built {N_CLAUSES} clauses, {N_COMMENTS} comments in {time.perf_counter() - t0:.1f} s")
    client = Client()
    # What config/asgi.py does when a server process starts.
    from config.startup import prepare_server_process

    prepare_server_process()
    client.get(page.url)  # warm up
    reading_cache.comments_changed(page.pk)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page.url)
    assert response.status_code == 200
    queries = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        client.get(page.url)
    queries_cached = len(ctx.captured_queries)
    print(f"  page size {len(response.content) // 1024} KiB")
    print(f"  queries: {queries} rendering the clause list, {queries_cached} from the cache")
    if os.environ.get("BREAKDOWN"):
        from consult.selectors import clause_views, latest_threads, stance_counts

        version = page.current_version()
        for name, fn in [
            ("clause_views", lambda: clause_views(version)),
            ("stance_counts", lambda: stance_counts(version)),
            ("latest_threads", lambda: latest_threads(version, 3)),
            ("request", lambda: client.get(page.url)),
        ]:
            t = time.perf_counter()
            for _ in range(3):
                fn()
            print(f"  {name}: {1000 * (time.perf_counter() - t) / 3:.0f} ms")
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        reading_cache.comments_changed(page.pk)
        profiler = cProfile.Profile()
        profiler.runcall(client.get, page.url)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    # Readers between comments: the clause list comes from the cache.
    page_ms = []
    for _ in range(RUNS):
        t = time.perf_counter()
        client.get(page.url)
        page_ms.append(1000 * (time.perf_counter() - t))
    # Each comment posted, then the first reader after it, who renders the list afresh.
    post_ms, fresh_ms = [], []
    for n in range(RUNS):
        clause = clauses[n % len(clauses)]
        data = {
            "clause_id": clause.pk,
            "stance": "amend",
            "text": f"Bench post {n}",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
            "client_token": f"bench-{time.time()}-{n}",
            "anchor_exact": clause.text[4:20],
            "anchor_start": 4,
            "anchor_end": 20,
        }
        t = time.perf_counter()
        result = client.post(f"/consultations/{page.pk}/comment/", data)
        post_ms.append(1000 * (time.perf_counter() - t))
        assert result.status_code == 302, result.content[:500]
        t = time.perf_counter()
        after = client.get(page.url)
        fresh_ms.append(1000 * (time.perf_counter() - t))
        assert f"Bench post {n}".encode() in after.content, "a new comment must show at once"
    print(
        f"  page median {statistics.median(page_ms):.0f} ms (cached list), "
        f"{statistics.median(fresh_ms):.0f} ms (first reader after a comment, p95 "
        f"{p95(fresh_ms):.0f} ms); post median {statistics.median(post_ms):.0f} ms "
        f"({connection.vendor})"
    )
    print(
        f"comments page_p95_ms={p95(page_ms):.0f} queries={queries} "
        f"post_p95_ms={p95(post_ms):.0f} fresh_page_p95_ms={p95(fresh_ms):.0f}"
    )


if __name__ == "__main__":
    main()
