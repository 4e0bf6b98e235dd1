"""The analyst's workspace (issue 18): rename a theme, merge two, move a submission between
themes, pin a quote, set a theme aside as out of scope; each an audited service call, refused
to anyone but an analyst, and summarised in the report's method section."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError

from analysis import workspace
from analysis.models import Point, Theme, ThemeMember
from consult import roles
from consult.models import AuditLog
from tests.cms.test_report import report  # noqa: F401 - a published report of a real analysis


@pytest.fixture
def analyst(db):
    user = User.objects.create_user("ws-analyst", "ws@example.org", "pw-123456789")
    user.groups.add(Group.objects.get(name=roles.ANALYST))
    return user


@pytest.fixture
def moderator(db):
    user = User.objects.create_user("ws-mod", "wsm@example.org", "pw-123456789")
    user.groups.add(Group.objects.get(name=roles.MODERATOR))
    return user


def two_themes(report):  # noqa: F811
    first, second = report.run.themes.order_by("number")[:2]
    return first, second


def test_rename_is_audited_screened_and_analysts_only(report, analyst, moderator):  # noqa: F811
    theme, _ = two_themes(report)
    old = theme.label
    workspace.rename_theme(theme.pk, "Complaints in every language", analyst)
    theme.refresh_from_db()
    assert theme.label == "Complaints in every language"
    entry = AuditLog.objects.get(action="analysis.theme_renamed")
    assert entry.before_text == old and entry.after_text == theme.label
    assert entry.actor == analyst and entry.target_id == str(theme.pk)
    with pytest.raises(PermissionDenied):
        workspace.rename_theme(theme.pk, "Something else", moderator)
    with pytest.raises(ValidationError):
        workspace.rename_theme(theme.pk, "   ", analyst)
    with pytest.raises(ValidationError, match="CNIC"):
        workspace.rename_theme(theme.pk, "Ali 35202-1234567-1", analyst)
    assert Theme.objects.get(pk=theme.pk).label == "Complaints in every language"


def test_merge_moves_members_points_and_figures(report, analyst):  # noqa: F811
    first, second = two_themes(report)
    members = set(
        ThemeMember.objects.filter(theme__in=[first, second]).values_list(
            "submission_id", flat=True
        )
    )
    points = Point.objects.filter(theme=second).count()
    size = first.size + second.size
    workspace.merge_themes(second.pk, into=first.pk, user=analyst)
    first.refresh_from_db()
    assert not Theme.objects.filter(pk=second.pk).exists()
    assert set(first.members.values_list("submission_id", flat=True)) == members
    assert first.size == size == len(members)
    assert Point.objects.filter(theme=first).count() >= points
    assert sum(first.stakeholders.values()) == first.size
    assert AuditLog.objects.filter(action="analysis.themes_merged").count() == 1
    with pytest.raises(ValidationError):
        workspace.merge_themes(first.pk, into=first.pk, user=analyst)


def test_move_a_submission_and_pin_a_quote(report, analyst):  # noqa: F811
    first, second = two_themes(report)
    moved = first.members.order_by("submission_id").first().submission_id
    workspace.move_submission(moved, source=first.pk, target=second.pk, user=analyst)
    assert second.members.filter(submission_id=moved).exists()
    assert not first.members.filter(submission_id=moved).exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.size + second.size == sum(
        Theme.objects.filter(pk__in=[first.pk, second.pk]).values_list("size", flat=True)
    )
    assert all(q["id"] != moved for q in first.quotes)

    quote = second.quotes[-1]["id"]
    workspace.pin_quote(second.pk, quote, user=analyst)
    second.refresh_from_db()
    assert second.quotes[0]["id"] == quote and second.quotes[0]["pinned"] is True
    with pytest.raises(ValidationError):
        workspace.pin_quote(second.pk, 10**9, user=analyst)


def test_out_of_scope_themes_are_set_aside_in_the_report_and_the_method_says_who_did_what(
    client,
    report,  # noqa: F811
    analyst,
):
    first, second = two_themes(report)
    workspace.rename_theme(first.pk, "Complaints in every language", analyst)
    workspace.set_out_of_scope(second.pk, True, user=analyst)
    report.save_revision().publish()
    html = client.get(report.url).content.decode()
    main, _, aside = html.partition('id="out-of-scope"')
    assert aside and second.label in aside
    assert f'id="theme-{second.number}"' not in main
    assert "Complaints in every language" in main
    assert "1 rename" in html and "1 theme set aside as out of scope" in html
    urdu = client.get(f"/ur{report.url}").content.decode()
    assert 'id="out-of-scope"' in urdu


def test_the_workspace_page_by_clicking_from_the_runs_page(client, report, analyst, moderator):  # noqa: F811
    run = report.run
    first, second = two_themes(report)
    client.force_login(analyst)
    runs = client.get(f"/admin/analysis/{run.consultation_id}/").content.decode()
    url = f"/admin/analysis/runs/{run.pk}/themes/"
    assert f'href="{url}"' in runs
    page = client.get(url)
    assert page.status_code == 200 and first.label in page.content.decode()
    renamed = client.post(url, {"action": "rename", "theme": first.pk, "label": "Plain name"})
    assert renamed.status_code == 302
    assert Theme.objects.get(pk=first.pk).label == "Plain name"
    refused = client.post(url, {"action": "rename", "theme": first.pk, "label": ""}, follow=True)
    assert "Give the theme a name." in refused.content.decode()
    client.post(url, {"action": "merge", "theme": second.pk, "into": first.pk})
    assert not Theme.objects.filter(pk=second.pk).exists()
    bad = client.post(url, {"action": "merge", "theme": "x", "into": "99999999999999999999"})
    assert bad.status_code == 302  # a clear message, never a 500
    client.force_login(moderator)
    assert client.get(url).status_code in (302, 403)


def test_a_theme_name_with_markup_is_shown_as_text(client, report, analyst):  # noqa: F811
    theme, _ = two_themes(report)
    workspace.rename_theme(theme.pk, "<script>alert(1)</script> Appeals", analyst)
    report.save_revision().publish()
    for prefix in ("", "/ur"):
        html = client.get(prefix + report.url).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Appeals" in html


# --- split --------------------------------------------------------------------------------


def members_of(theme) -> set[int]:
    return set(theme.members.values_list("submission_id", flat=True))


def test_split_reclusters_a_theme_with_labels_quotes_and_figures(report, analyst, moderator):  # noqa: F811
    from analysis import report_text as words
    from text.public_fields import personal_data_error

    run = report.run
    theme = max(run.themes.all(), key=lambda t: t.distinct_texts)
    members = members_of(theme)
    old_label = theme.label
    points = Point.objects.filter(theme=theme).count()
    with pytest.raises(PermissionDenied):
        workspace.split_theme(theme.pk, moderator)
    # The same members split the same way every time (fixed seed).
    assert workspace.recluster(theme, 2) == workspace.recluster(theme, 2)
    pinned = theme.quotes[-1]["id"]
    workspace.pin_quote(theme.pk, pinned, user=analyst)
    pieces = workspace.split_theme(theme.pk, analyst, parts=2)
    assert len(pieces) == 2 and pieces[0].pk == theme.pk
    holder = next(p for p in pieces if pinned in members_of(p))
    assert holder.quotes[0]["id"] == pinned and holder.quotes[0]["pinned"] is True
    got = [members_of(piece) for piece in pieces]
    assert got[0] and got[1] and not got[0] & got[1] and got[0] | got[1] == members
    numbers = list(run.themes.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    for piece, ids in zip(pieces, got, strict=True):
        piece.refresh_from_db()
        assert piece.size == len(ids) and sum(piece.stakeholders.values()) == piece.size
        assert 0 < piece.distinct_texts <= piece.size
        assert piece.label and personal_data_error(piece.label) is None
        assert piece.quotes and {q["id"] for q in piece.quotes} <= ids
        assert piece.decisions["split_from"] == theme.pk
    assert Point.objects.filter(theme__in=pieces).count() == points
    entry = AuditLog.objects.get(action="analysis.theme_split")
    assert entry.actor == analyst and entry.target_id == str(theme.pk)
    assert entry.before_text.endswith(old_label)
    assert "1 split" in words.analyst_changes_sentence(workspace.analyst_changes(run))


def test_a_split_part_label_with_personal_data_is_not_used():
    theme = Theme(label="Registry delays")
    phone = "call 0300-1234567 registry"
    assert workspace._part_label([phone, "registry / delays"], theme, 2) == "registry / delays"
    assert workspace._part_label([phone, ""], theme, 2) == "Registry delays (2)"


def test_a_theme_with_too_few_submissions_cannot_be_split(report, analyst):  # noqa: F811
    small, other = sorted(report.run.themes.all(), key=lambda t: t.size)[:2]
    for sid in sorted(members_of(small))[2:]:
        workspace.move_submission(sid, source=small.pk, target=other.pk, user=analyst)
    with pytest.raises(ValidationError, match="too few"):
        workspace.split_theme(small.pk, analyst)
    with pytest.raises(ValidationError):
        workspace.split_theme(other.pk, analyst, parts=1)
    assert not AuditLog.objects.filter(action="analysis.theme_split").exists()


def test_split_from_the_workspace_page(client, report, analyst):  # noqa: F811
    run = report.run
    theme = max(run.themes.all(), key=lambda t: t.distinct_texts)
    count = run.themes.count()
    client.force_login(analyst)
    url = f"/admin/analysis/runs/{run.pk}/themes/"
    assert 'name="action" value="split"' in client.get(url).content.decode()
    done = client.post(url, {"action": "split", "theme": theme.pk, "parts": "2"}, follow=True)
    assert run.themes.count() == count + 1
    assert "Saved." in done.content.decode()
    refused = client.post(url, {"action": "split", "theme": theme.pk, "parts": "x"}, follow=True)
    assert "Choose from the list." in refused.content.decode()


# --- a re-run keeps the analyst's changes --------------------------------------------------


def rerun(report, analyst, capture):  # noqa: F811
    from analysis.models import AnalysisRun
    from analysis.services import execute_run, start_analysis
    from tests.analysis.test_analysis_db import SMALL

    with capture(execute=False):
        again = start_analysis(report.run.consultation, user=analyst, parameters=SMALL)
    execute_run(again.pk)
    return AnalysisRun.objects.get(pk=again.pk)


def state(run) -> set:
    return {
        (
            t.label,
            frozenset(members_of(t)),
            t.out_of_scope,
            next((q["id"] for q in t.quotes if q.get("pinned")), None),
        )
        for t in run.themes.all()
    }


def test_a_rerun_keeps_renames_merges_moves_pins_scope_and_splits(
    report,  # noqa: F811
    analyst,
    django_capture_on_commit_callbacks,
):
    from analysis import report_text as words

    run = report.run
    themes = list(run.themes.order_by("-distinct_texts"))
    assert len(themes) >= 3
    big, second, third = themes[:3]
    workspace.rename_theme(second.pk, "Named by an analyst", analyst)
    workspace.merge_themes(third.pk, into=second.pk, user=analyst)
    moved = sorted(members_of(second) - {q["id"] for q in second.quotes})[0]
    workspace.move_submission(moved, source=second.pk, target=big.pk, user=analyst)
    second.refresh_from_db()
    pinned = second.quotes[-1]["id"]
    workspace.pin_quote(second.pk, pinned, user=analyst)
    workspace.set_out_of_scope(second.pk, True, user=analyst)
    workspace.split_theme(big.pk, analyst, parts=2)
    before = state(run)

    again = rerun(report, analyst, django_capture_on_commit_callbacks)
    assert again.pk != run.pk
    assert state(again) == before  # the same submissions: every change comes back
    carried = again.results["workspace"]
    assert carried["from_run"] == run.pk and carried["not_carried"] == []
    kinds = {item["change"] for item in carried["carried"]}
    assert kinds >= {"renamed", "merged", "moved", "pinned", "out_of_scope", "split"}
    entry = AuditLog.objects.get(action="analysis.changes_carried")
    assert entry.target_id == str(again.pk) and str(run.pk) in entry.explanation
    sentence = words.analyst_changes_sentence(workspace.analyst_changes(again))
    for phrase in ("1 merge", "1 rename", "1 split", "1 submission moved", "1 quote pinned"):
        assert phrase in sentence
    # A third run carries the carried changes again.
    third_run = rerun(report, analyst, django_capture_on_commit_callbacks)
    assert state(third_run) == before


def test_a_rerun_says_what_it_could_not_keep(
    client,
    report,  # noqa: F811
    analyst,
    django_capture_on_commit_callbacks,
):
    from consult.models import Submission

    run = report.run
    big, second = list(run.themes.order_by("-distinct_texts"))[:2]
    moved = sorted(members_of(second) - {q["id"] for q in second.quotes})[0]
    workspace.move_submission(moved, source=second.pk, target=big.pk, user=analyst)
    workspace.rename_theme(second.pk, "Named by an analyst", analyst)
    # The moved submission is withdrawn from publication before the next run.
    Submission.objects.filter(pk=moved).update(is_public=False)
    again = rerun(report, analyst, django_capture_on_commit_callbacks)
    carried = again.results["workspace"]
    lost = [item for item in carried["not_carried"] if item["change"] == "moved"]
    assert lost == [{"change": "moved", "label": big.label, "submission": moved}]
    # One submission fewer can reshuffle a small clustering: the name is kept exactly when
    # a new theme still holds at least half the same submissions, and said either way.
    named = [t for t in again.themes.all() if t.label == "Named by an analyst"]
    kept = {item["change"] for item in carried["carried"]}
    assert ("renamed" in kept) == bool(named)
    assert len(carried["carried"]) + len(carried["not_carried"]) == 2
    client.force_login(analyst)
    page = client.get(f"/admin/analysis/runs/{again.pk}/themes/").content.decode()
    assert "Carried over from analysis" in page and "could not be kept" in page
    assert f"#{moved}" in page
