"""One side of ``bench_load.py --micro``: comment posts through Django's test client.

Run with the working directory and PYTHONPATH at the tree under test (the current one, or a
git worktree of the code before), so the same measurement runs on both. Prints one JSON line:
posts, CPU seconds of this process, wall seconds and queries per post. The database server's
and Redis's own CPU are not in the figure (they are other processes).
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Server cost, not the abuse limits: one test-client session posts them all.
settings.MODERATION_RATE_LIMITS = {"comment": (1_000_000, 600), "repeated_text": (1_000_000, 60)}

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cms.demo import load_demo  # noqa: E402


def main() -> None:
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    label = sys.argv[2] if len(sys.argv) > 2 else "x"
    page, _created = load_demo()
    clauses = list(page.current_version().clauses.all())
    client = Client()
    client.get(page.url)
    stamp = f"{label}-{time.time_ns()}"

    def post(n: int) -> None:
        clause = clauses[n % len(clauses)]
        response = client.post(
            f"/consultations/{page.pk}/comment/",
            {
                "clause_id": clause.pk,
                "stance": ("support", "oppose", "amend")[n % 3],
                "text": f"Comment {n} ({stamp}) on clause {clause.identifier}: the fee is too high "
                "for small traders and the deadline should move by a month.",
                "stakeholder": "individual",
                "language": "en",
                "display_mode": "pseudonymous",
                "client_token": f"{stamp}-{n}",
                "anchor_exact": clause.text[4:20],
                "anchor_start": 4,
                "anchor_end": 20,
            },
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 201, response.content[:300]
        assert response.json()["receipt_code"]

    for n in range(10):  # warm up: the classifier, the caches, the connection
        post(n)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        post(10)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(11, 11 + posts):
        post(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({"posts": posts, "cpu_s": cpu, "wall_s": wall, "queries": len(executed)}))


if __name__ == "__main__":
    main()
