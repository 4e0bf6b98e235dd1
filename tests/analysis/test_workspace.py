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
