"""The comment flow over HTTP: the reading page, posting, every bad input, receipts,
new versions (re-anchoring, orphans, redline) and the admin import/review views."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.models import Clause, ConsultationPage, HomePage
from consult.models import Submission
from consult.reading_cache import comments_changed
from consult.services import SubmissionInput, run_reanchoring, submit
from drafts.models import DraftVersion

CLAUSES = [
    ("1", "Short title", "(1) These Rules may be called the Test Rules, 2026."),
    (
        "2",
        "Complaints",
        "(1) A deployer shall decide a complaint within thirty days.\n"
        "(2) A complainant may appeal to the Authority within thirty days of the decision.",
    ),
    ("3", "Labels", "(1) Synthetic media shall carry a clear and conspicuous label."),
]


def make_consultation(phase=ConsultationPage.Phase.OPEN, clauses=CLAUSES, slug="test-rules"):
    home = HomePage.objects.first()
    now = timezone.now()
    page = ConsultationPage(
        title="Test Rules",
        slug=slug,
        ministry="Ministry of Tests",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        phase=phase,
    )
    page.clauses = [
        Clause(identifier=i, heading=h, text=t, sort_order=n) for n, (i, h, t) in enumerate(clauses)
    ]
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def revise(page, texts: dict[str, str], identifiers: dict[str, str] | None = None):
    draft = page.get_latest_revision_as_object()
    for clause in draft.clauses.all():
        if clause.identifier in (identifiers or {}):
            clause.identifier = identifiers[clause.identifier]
        clause.text = texts.get(clause.identifier, clause.text)
    draft.save_revision().publish()
    run_pending_reanchoring(page)
    page.refresh_from_db()
    return page.current_version()


def run_pending_reanchoring(page):
    """What the worker does after the publish commits (the test's transaction never does)."""
    for version in page.versions.filter(anchoring="pending"):
        run_reanchoring(version.pk)


@pytest.fixture
def consultation(db):
    return make_consultation()


def comment_on_words(page, clause_version, words: str, text: str = "x", stance: str = "amend"):
    """A published comment on ``words`` of ``clause_version`` (their first place)."""
    start = clause_version.text.index(words)
    return submit(
        page,
        SubmissionInput(
            text=text,
            stance=stance,
            stakeholder="individual",
            clause_id=clause_version.pk,
            anchor={"exact": words, "start": start, "end": start + len(words)},
        ),
    )


def clause(page, identifier):
    return page.current_version().clauses.get(identifier=identifier)


def form_data(page, identifier="2", **extra):
    data = {
        "clause_id": clause(page, identifier).pk,
        "stance": "oppose",
        "text": "Thirty days is too long.",
        "stakeholder": "individual",
        "language": "en",
        "display_mode": "pseudonymous",
        "client_token": "",
    }
    data.update(extra)
    return data


def post(client, page, data, **headers):
    return client.post(f"/consultations/{page.pk}/comment/", data, **headers)


def test_comment_on_selected_words_is_published_with_receipt_and_highlight(client, consultation):
    text = clause(consultation, "2").text
    start = text.index("within thirty days")
    response = post(
        client,
        consultation,
        form_data(
            consultation,
            anchor_exact="within thirty days",
            anchor_start=start,
            anchor_end=start + 18,
            client_token="tok-1",
        ),
    )
    assert response.status_code == 302
    submission = Submission.objects.get(anchor_exact="within thirty days")
    assert submission.receipt_code not in response["Location"]  # shown from the session
    assert submission.anchor_start == start and submission.anchor_status == "exact"
    page = client.get(response["Location"])
    body = page.content.decode()
    assert submission.receipt_code in body
    assert (
        f'<mark class="anchored" data-comments="comment-{submission.pk}">within thirty days</mark>'
        in body
    )
    assert f'id="comment-{submission.pk}"' in body
    # Stance count for clause 2: one "oppose".
    section = body[body.index('id="clause-c-2"') :]
    assert re.search(r'data-stance="oppose">Oppose: <span class="count">1</span>', section)


def test_whole_clause_comment_and_organisation_disclosure(client, consultation):
    response = post(
        client,
        consultation,
        form_data(
            consultation,
            "3",
            stakeholder="civil_society",
            organisation="Digital Rights Forum",
            stance="support",
            text="Good.",
        ),
    )
    assert response.status_code == 302
    body = client.get(consultation.url).content.decode()
    assert "on behalf of <bdi>Digital Rights Forum</bdi>" in body


def test_json_clients_get_the_receipt(client, consultation):
    response = post(client, consultation, form_data(consultation), HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    assert (
        Submission.objects.get(pk=response.json()["id"]).receipt_code
        == (response.json()["receipt_code"])
    )


def test_a_comment_post_is_a_few_queries_and_one_write_of_the_thread(
    client, consultation, django_assert_max_num_queries
):
    """The write path under a deadline flood (issue 13): the session (read, and written
    with the new participant id), the page, the token, the clause, the three inserts of the
    comment, one narrow thread update and the screening, with the test's savepoints: 17.
    Before, the comments library saved the new row a second time (three UPDATEs and its
    pre_save receiver's queries) and the screening was an update_or_create: 10 more."""
    client.get(consultation.url)  # a participant reads the page first
    with django_assert_max_num_queries(17) as captured:
        response = post(
            client,
            consultation,
            form_data(consultation, client_token="count-1"),
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 201
    assert not [
        q for q in captured.captured_queries if q["sql"].startswith('UPDATE "django_comments"')
    ]
    submission = Submission.objects.get(pk=response.json()["id"])
    # Its own thread and parent, as the library makes a top-level comment.
    assert submission.thread_id == submission.parent_id == submission.pk
    assert (submission.level, submission.order, submission.nested_count) == (0, 1, 0)
    assert submission.is_public and submission.screening.held is False
    reply = post(
        client,
        consultation,
        form_data(consultation, parent_id=submission.pk, text="Agreed.", client_token="count-2"),
        HTTP_ACCEPT="application/json",
    )
    assert reply.status_code == 201
    answer = Submission.objects.get(pk=reply.json()["id"])
    assert (answer.thread_id, answer.parent_id, answer.level) == (submission.pk, submission.pk, 1)


def test_every_form_has_a_server_made_client_token_and_offline_attribute(client, consultation):
    """Without JavaScript each clause links to its own page with the plain form (a fresh
    server-made token each); the full draft carries one shared form for the script."""
    body = client.get(consultation.url).content.decode()
    keys = [c.key for c in consultation.current_version().clauses.all()]
    links = re.findall(r'<a class="comment-button" href="\?clause=([\w-]+)#comment-form"', body)
    assert links == keys and len(keys) == 3
    assert body.count('<template id="comment-form-template">') == 1
    assert len(re.findall(r"<form class=\"comment-form\"[^>]*data-offline-queue", body)) == 1
    tokens = set()
    for key in keys:
        page = client.get(f"{consultation.url}?clause={key}").content.decode()
        assert 'id="comment-form"' in page and "comment-form-template" not in page
        forms = re.findall(r"<form class=\"comment-form\"[^>]*data-offline-queue", page)
        assert len(forms) == 1
        tokens.update(re.findall(r'name="client_token" value="([0-9a-f]{32})"', page))
    assert len(tokens) == 3


def test_closed_consultation_refuses_with_reason(client, db):
    page = make_consultation(phase=ConsultationPage.Phase.CLOSED, slug="closed")
    response = post(client, page, form_data(page))
    assert response.status_code == 403
    assert "not open for comments" in response.content.decode()
    assert not Submission.objects.filter(consultation=page).exists()
    assert "Comment on this clause" not in client.get(page.url).content.decode()


def test_anchor_not_in_clause_is_rejected(client, consultation):
    response = post(
        client,
        consultation,
        form_data(consultation, anchor_exact="within ninety days", anchor_start=40, anchor_end=58),
    )
    assert response.status_code == 400
    assert "highlighted words are not in this clause" in response.content.decode()
    assert not Submission.objects.filter(consultation=consultation).exists()


def test_overlong_text_is_rejected_with_the_limit(client, consultation, settings):
    settings.SUBMISSION_MAX_CHARS = 100
    response = post(client, consultation, form_data(consultation, text="x" * 101))
    assert response.status_code == 400
    body = response.content.decode()
    assert "101 characters long; the limit is 100" in body
    assert "x" * 101 in body  # the comment is not lost: the form comes back filled in


def test_organisation_must_be_named(client, consultation):
    response = post(client, consultation, form_data(consultation, stakeholder="business"))
    assert response.status_code == 400
    assert "Organisations must give their name" in response.content.decode()


def test_html_and_script_are_shown_as_text(client, consultation):
    evil = '<script>alert("x")</script><b>bold</b>'
    post(client, consultation, form_data(consultation, text=evil, proposed_wording=evil))
    body = client.get(consultation.url).content.decode()
    assert "<script>alert" not in body and "<b>bold</b>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_double_submit_with_same_token_creates_one_comment(client, consultation):
    data = form_data(consultation, client_token="same-token")
    first = post(client, consultation, data)
    second = post(client, consultation, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Submission.objects.filter(comment=data["text"]).count() == 1


def test_page_query_count_does_not_grow_with_comments_or_clauses(client, db):
    small = make_consultation(slug="small")
    big = make_consultation(clauses=CLAUSES * 5, slug="big")  # duplicate numbers: keys made unique

    def add_comments(page, n):
        for i, cv in enumerate(page.current_version().clauses.all()):
            for j in range(n):
                s = submit(
                    page,
                    SubmissionInput(
                        text=f"c{i}-{j}",
                        stance="support",
                        stakeholder="individual",
                        clause_id=cv.pk,
                    ),
                )
                if j == 0:
                    submit(
                        page,
                        SubmissionInput(
                            text="reply",
                            stance="other",
                            stakeholder="individual",
                            clause_id=cv.pk,
                            parent_id=s.pk,
                        ),
                    )

    add_comments(small, 1)
    add_comments(big, 6)

    def count(page):
        client.get(page.url)  # warm caches (site root, content types)
        # The clause list is cached until a comment changes: count the render, not the hit.
        comments_changed(page.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page.url).status_code == 200
        rendered = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page.url).status_code == 200
        assert len(ctx.captured_queries) < rendered  # the second reader is served the cache
        return rendered

    assert big.current_version().clauses.count() == 15
    assert count(small) == count(big)


def test_the_cached_page_shows_a_change_to_its_comments_at_once(client, consultation, admin_user):
    """The whole draft's clause list is cached; a new comment, a removal and a new draft
    version each show to the very next reader."""
    from moderation.services import decide

    def page_text():
        html = client.get(consultation.url).content.decode()
        return html[html.index('<ol class="clauses">') : html.index("</ol>")]

    before = page_text()
    assert "First thoughts on this" not in before
    assert page_text() == before  # served from the cache, unchanged
    first = submit(
        consultation,
        SubmissionInput(
            text="First thoughts on this",
            stance="oppose",
            stakeholder="individual",
            clause_id=clause(consultation, "2").pk,
        ),
    )
    assert "First thoughts on this" in page_text()
    decide(first, action="remove", reason="off_topic", moderator=admin_user)
    assert "First thoughts on this" not in page_text()
    revise(consultation, {"2": "(1) A wholly rewritten clause about appeals and their limits."})
    assert "A wholly rewritten clause about appeals" in page_text()


def test_receipt_page_says_published_held_removed_and_why(client, consultation, admin_user):
    from moderation.services import decide

    s = submit(
        consultation,
        SubmissionInput(text="x", stance="other", stakeholder="individual"),
    )
    body = client.get("/receipt/", {"code": s.receipt_code}).content.decode()
    assert 'data-status="published"' in body
    Submission.objects.filter(pk=s.pk).update(is_public=False)
    assert (
        "held for moderation" in client.get("/receipt/", {"code": s.receipt_code}).content.decode()
    )
    decide(s, action="remove", reason="personal_data", moderator=admin_user)
    body = client.get("/receipt/", {"code": s.receipt_code.lower()}).content.decode()
    assert "removed" in body and "Personal data" in body


def test_new_version_reanchors_comments_and_orphans_the_doubtful(client, consultation):
    old = clause(consultation, "2")
    first = old.text.index("within thirty days")

    def anchored(text, quote, token, at=None):
        start = old.text.index(quote) if at is None else at
        return submit(
            consultation,
            SubmissionInput(
                text=text,
                stance="amend",
                stakeholder="individual",
                clause_id=old.pk,
                anchor={"exact": quote, "start": start, "end": start + len(quote)},
                client_token=token,
            ),
        )

    follows = anchored("Too long", "A deployer shall decide a complaint", "a")
    edited = anchored("Shorter", "within thirty days", "b", at=first)
    lost = anchored("Keep the appeal", "may appeal to the Authority", "c")
    whole = submit(
        consultation,
        SubmissionInput(text="whole", stance="other", stakeholder="individual", clause_id=old.pk),
    )
    new_text = (
        "(1) Scope of this rule.\n(2) A deployer shall decide a complaint within twenty-one "
        "days.\n(3) A complainant may complain again within thirty days of the decision."
    )
    version = revise(consultation, {"2": new_text})
    assert version.number == 2
    new_clause = version.clauses.get(key="c-2")
    for s in (follows, edited, lost, whole):
        s.refresh_from_db()
    assert follows.clause_id == new_clause.pk and follows.anchor_status == "moved"
    assert new_text[follows.anchor_start : follows.anchor_end] == follows.anchor_exact
    assert follows.anchor_exact == "A deployer shall decide a complaint"
    # The edited words, not the verbatim copy of "within thirty days" in (3).
    assert edited.anchor_status in {"changed", "orphaned"}
    if edited.anchor_status == "changed":
        assert edited.anchor_exact == "within twenty-one days"
    assert lost.anchor_status == "orphaned" and lost.clause_id == old.pk
    assert whole.clause_id == new_clause.pk
    # Readers see version 1 on request, and the redline between them.
    v1 = client.get(consultation.url, {"version": 1}).content.decode()
    assert "may appeal to the Authority" in v1 and "an earlier version" in v1
    red = client.get(consultation.url, {"from": 1, "to": 2}).content.decode()
    assert "<del>thirty</del>" in red and "<ins>twenty-one</ins>" in red


def test_publishing_moves_comments_in_the_background_and_readers_switch_at_once(
    client, consultation, django_capture_on_commit_callbacks
):
    old = clause(consultation, "2")
    quote = "A deployer shall decide a complaint"
    start = old.text.index(quote)
    comments = [
        submit(
            consultation,
            SubmissionInput(
                text=f"comment {n}", stance="amend", stakeholder="individual", clause_id=old.pk,
                anchor={"exact": quote, "start": start, "end": start + len(quote)},
                client_token=f"t{n}",
            ),
        )
        for n in range(3)
    ]  # fmt: skip
    draft = consultation.get_latest_revision_as_object()
    for c in draft.clauses.all():
        if c.identifier == "2":
            c.text = "(0) A new first sub-rule. " + c.text
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        draft.save_revision().publish()
    # The publish request only enqueued the job (ids in args), it moved nothing.
    new_version = DraftVersion.objects.get(page=consultation, number=2)
    tasks = DBTaskResult.objects.filter(task_path="consult.tasks.reanchor_new_version")
    assert [t.args_kwargs["args"] for t in tasks if t.args_kwargs["args"] == [new_version.pk]]
    assert callbacks
    assert new_version.anchoring == "pending"
    consultation.refresh_from_db()
    # Readers keep version 1 with its anchors until the job has finished.
    assert consultation.current_version().number == 1
    assert {s.clause_id for s in Submission.objects.filter(pk__in=[c.pk for c in comments])} == {
        old.pk
    }
    page = client.get(consultation.url).content.decode()
    assert "A new first sub-rule" not in page and "comment 0" in page
    # A comment posted while the job runs is taken in by its last step.
    late = submit(
        consultation,
        SubmissionInput(
            text="late", stance="amend", stakeholder="individual", clause_id=old.pk,
            anchor={"exact": quote, "start": start, "end": start + len(quote)}, client_token="l",
        ),
    )  # fmt: skip
    counts = run_reanchoring(new_version.pk)
    assert counts == {"moved": 4}
    new_version.refresh_from_db()
    assert (new_version.anchoring, new_version.anchoring_done, new_version.anchoring_total) == (
        "done", 4, 4,
    )  # fmt: skip
    consultation.refresh_from_db()
    assert consultation.current_version() == new_version
    new_clause = new_version.clauses.get(key=old.key)
    for s in [*comments, late]:
        s.refresh_from_db()
        assert s.clause_id == new_clause.pk and s.anchor_status == "moved"
        assert new_clause.text[s.anchor_start : s.anchor_end] == quote
    assert "A new first sub-rule" in client.get(consultation.url).content.decode()
    assert run_reanchoring(new_version.pk) == {}  # run again (a killed worker): nothing to do


def test_a_newer_publish_supersedes_a_version_still_moving_comments(consultation):
    draft = consultation.get_latest_revision_as_object()
    for c in draft.clauses.all():
        c.text += " Edited once."
    draft.save_revision().publish()
    draft = consultation.get_latest_revision_as_object()
    for c in draft.clauses.all():
        c.text += " Edited twice."
    draft.save_revision().publish()
    two, three = DraftVersion.objects.filter(page=consultation, number__in=[2, 3]).order_by(
        "number"
    )
    assert (two.anchoring, three.anchoring) == ("superseded", "pending")
    assert three.anchoring_source.number == 1
    assert run_reanchoring(two.pk) == {}
    run_reanchoring(three.pk)
    consultation.refresh_from_db()
    assert consultation.current_version().number == 3


def test_editor_sees_how_many_comments_have_moved(client, consultation, django_user_model):
    draft = consultation.get_latest_revision_as_object()
    for c in draft.clauses.all():
        c.text += " Edited."
    draft.save_revision().publish()
    DraftVersion.objects.filter(page=consultation, number=2).update(
        anchoring_done=1500, anchoring_total=4000
    )
    editor = django_user_model.objects.create_superuser("ed", "e@example.org", "pw-long-enough-1")
    client.force_login(editor)
    body = client.get(f"/admin/pages/{consultation.pk}/edit/").content.decode()
    assert "Moving comments" in body and "1500 of 4000 comments moved" in body
    run_pending_reanchoring(consultation)
    body = client.get(f"/admin/pages/{consultation.pk}/edit/").content.decode()
    assert "Moving comments" not in body and 'data-anchoring="done"' in body


def test_renumbered_clause_keeps_its_key(consultation):
    draft = consultation.get_latest_revision_as_object()
    texts = [(c.identifier, c.heading, c.text) for c in draft.clauses.all()]
    # Insert a new clause 2; old 2 and 3 become 3 and 4.
    draft.clauses = [
        Clause(identifier="1", heading=texts[0][1], text=texts[0][2], key="c-1"),
        Clause(identifier="2", heading="New", text="(1) A wholly new obligation on providers."),
        Clause(identifier="3", heading=texts[1][1], text=texts[1][2]),
        Clause(identifier="4", heading=texts[2][1], text=texts[2][2]),
    ]
    draft.save_revision().publish()
    run_pending_reanchoring(consultation)
    version = consultation.current_version()
    keys = {c.identifier: c.key for c in version.clauses.all()}
    assert keys["3"] == "c-2" and keys["4"] == "c-3"
    assert keys["2"] not in {"c-1", "c-2", "c-3"}


def test_moderator_reattaches_or_keeps_orphans(client, consultation, django_user_model):
    orphan = comment_on_words(
        consultation, clause(consultation, "2"), "may appeal to the Authority"
    )
    revise(consultation, {"2": "(1) A complainant may go to the Tribunal."})
    orphan.refresh_from_db()
    assert orphan.anchor_status == "orphaned"
    boss = django_user_model.objects.create_superuser("mod", "m@example.org", "pw-long-enough-1")
    client.force_login(boss)
    listing = client.get("/admin/consultations/orphans/").content.decode()
    assert f'id="orphan-{orphan.pk}"' in listing
    new_clause = clause(consultation, "2")
    response = client.post(
        "/admin/consultations/orphans/",
        {
            "submission": orphan.pk,
            "clause": new_clause.pk,
            "words": "go to the Tribunal",
            "action": "reattach",
        },
    )
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert orphan.clause_id == new_clause.pk and orphan.anchor_exact == "go to the Tribunal"
    assert orphan.anchor_status == "exact"
    assert (
        f'id="orphan-{orphan.pk}"'
        not in client.get("/admin/consultations/orphans/").content.decode()
    )
    client.logout()
    assert client.get("/admin/consultations/orphans/").status_code in {302, 403}


def test_admin_import_previews_then_replaces_working_draft(client, consultation, django_user_model):
    boss = django_user_model.objects.create_superuser("ed", "e@example.org", "pw-long-enough-1")
    client.force_login(boss)
    url = f"/admin/consultations/{consultation.pk}/import/"
    assert client.get(url).status_code == 200
    edit = client.get(f"/admin/pages/{consultation.pk}/edit/").content.decode()
    assert url in edit  # the "Import clauses" header button
    pasted = (
        "Rule 1. Short title\n(1) These Rules may be called the Test Rules, 2026.\n"
        "Rule 2. Complaints\n(1) A deployer shall decide a complaint within thirty days.\n"
        "(2) A complainant may appeal to the Authority within thirty days of the decision.\n"
        "Rule 3. Labels\n(1) Synthetic media shall carry a clear and conspicuous label.\n"
        "Rule 4. Review\nThe Authority shall review these Rules."
    )
    preview = client.post(url, {"pasted": pasted})
    body = preview.content.decode()
    assert body.count('class="imported-clause"') == 4
    clauses = preview.context["clauses"]
    done = client.post(url, {"confirm": "1", "clauses": json.dumps(clauses)})
    assert done.status_code == 302
    draft = ConsultationPage.objects.get(pk=consultation.pk).get_latest_revision_as_object()
    keys = [c.key for c in draft.clauses.all()]
    assert keys[:3] == ["c-1", "c-2", "c-3"] and len(keys) == 4
    # Nothing is public until the editor publishes.
    assert consultation.current_version().clauses.count() == 3


def test_comments_over_the_rate_limit_get_429_with_the_limit(client, consultation, settings):
    settings.MODERATION_RATE_LIMITS = {"comment": (2, 600)}
    statuses = [
        post(client, consultation, form_data(consultation, client_token=f"rate-{n}")).status_code
        for n in range(3)
    ]
    assert statuses[2] == 429 and 429 not in statuses[:2]
    assert Submission.objects.filter(consultation=consultation).count() == 2


def test_one_clause_page_shows_its_comments_a_page_at_a_time(client, consultation):
    """A clause with many comments is paged (newest first), each page bounded."""
    from consult.selectors import THREADS_PER_CLAUSE_PAGE

    target = clause(consultation, "2")
    total = THREADS_PER_CLAUSE_PAGE + 7
    for n in range(total):
        submit(
            consultation,
            SubmissionInput(
                text=f"Numbered comment {n:03d}.",
                stance="oppose",
                stakeholder="individual",
                clause_id=target.pk,
            ),
        )
    url = f"{consultation.url}?clause={target.key}"

    def shown(body):
        return set(re.findall(r"Numbered comment (\d{3})\.", body))

    first = client.get(url).content.decode()
    assert len(shown(first)) == THREADS_PER_CLAUSE_PAGE
    assert f"{total - 1:03d}" in shown(first)  # the newest first
    assert "page=2" in first and "Older comments" in first and "Newer comments" not in first
    second = client.get(url + "&page=2").content.decode()
    assert shown(second) == {f"{n:03d}" for n in range(7)}
    assert "Newer comments" in second and "Older comments" not in second
    assert shown(first) | shown(second) == {f"{n:03d}" for n in range(total)}
    for odd in ("0", "-3", "abc", "9" * 50, "99999"):
        response = client.get(url + f"&page={odd}")
        assert response.status_code == 200, odd


def test_orphan_review_refuses_bad_ids_and_pages_its_list(client, consultation, django_user_model):
    from cms import views

    old = clause(consultation, "2")
    quote = "may appeal to the Authority"
    start = old.text.index(quote)
    for n in range(views.ORPHANS_PER_PAGE + 3):
        submit(
            consultation,
            SubmissionInput(
                text=f"orphan {n}",
                stance="amend",
                stakeholder="individual",
                clause_id=old.pk,
                anchor={"exact": quote, "start": start, "end": start + len(quote)},
            ),
        )
    revise(consultation, {"2": "(1) A complainant may go to the Tribunal."})
    boss = django_user_model.objects.create_superuser("mod", "m@example.org", "pw-long-enough-1")
    client.force_login(boss)
    url = "/admin/consultations/orphans/"
    first = client.get(url).content.decode()
    assert first.count('id="orphan-') == views.ORPHANS_PER_PAGE
    second = client.get(url + "?page=2").content.decode()
    assert second.count('id="orphan-') == 3
    for bad in ({"submission": "abc"}, {"submission": str(10**30)}, {}):
        assert client.post(url, bad).status_code == 302, bad
    orphan = Submission.objects.filter(anchor_status="orphaned").first()
    for bad_clause in ("abc", str(10**30), "0"):
        response = client.post(
            url, {"submission": orphan.pk, "clause": bad_clause, "words": "go", "action": "x"}
        )
        assert response.status_code == 302, bad_clause


def test_the_whole_draft_shows_the_first_replies_of_a_thread(client, consultation):
    from consult.selectors import REPLIES_PER_THREAD_ON_DRAFT

    target = clause(consultation, "2")
    parent = submit(
        consultation,
        SubmissionInput(
            text="Parent.", stance="oppose", stakeholder="individual", clause_id=target.pk
        ),
    )
    for n in range(REPLIES_PER_THREAD_ON_DRAFT + 5):
        submit(
            consultation,
            SubmissionInput(
                text=f"Reply number {n:02d}.",
                stance="support",
                stakeholder="individual",
                clause_id=target.pk,
                parent_id=parent.pk,
            ),
        )
    comments_changed(consultation.pk)
    body = client.get(consultation.url).content.decode()
    assert len(re.findall(r"Reply number \d\d\.", body)) == REPLIES_PER_THREAD_ON_DRAFT
    assert f"?clause={target.key}" in body  # the way to the rest
    whole = client.get(f"{consultation.url}?clause={target.key}").content.decode()
    assert len(re.findall(r"Reply number \d\d\.", whole)) == REPLIES_PER_THREAD_ON_DRAFT + 5
