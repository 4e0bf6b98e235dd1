"""The analyst's journey through the workspace in a real Chromium, reached only by clicking:
home → sign in with an e-mail code → the admin → Analysis → the consultation's runs →
"Review the themes" → rename a theme, merge two, split one, set one aside as out of scope;
then, once the ministry publishes the report, the public report's method section says what
the analysts changed. In English and Urdu (the admin has no Urdu catalogue, so its pages
are English; sign-in and the report are in the visit's language), at 1280 and 390 px.

Every page: zero axe violations, no horizontal scroll on the phone, no request to another
host (RoleVisit's checks, as in the other roles' journeys).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from analysis import report_text as words
from analysis import workspace
from analysis.models import Theme
from cms.report_pages import ReportPage
from consult import roles
from tests.cms.test_report import report  # noqa: F401 - a published report of a real analysis
from tests.journeys.test_role_journeys import RoleVisit, admin_menu, sign_in, user_in, walk

pytestmark = pytest.mark.browser


def themes_of(run) -> list[Theme]:
    return list(run.themes.order_by("number"))


def analyst_journey(visit: RoleVisit, run, email: str, name: str):
    page = visit.page
    sign_in(visit, email)
    visit.click(page.locator(".site-nav a[href='/admin/']"), "admin")
    admin_menu(visit, "Analysis", "analysis")
    visit.click(page.locator("main a", has_text=run.consultation.title).first, "runs")
    visit.click(page.locator(f"main a[href='/admin/analysis/runs/{run.pk}/themes/']"), "themes")

    # Rename the first theme still in scope.
    first = next(t for t in themes_of(run) if not t.out_of_scope)
    section = page.locator(f"#theme-{first.pk}")
    section.locator("input[name=label]").fill(name)
    visit.click(section.locator("button", has_text="Rename"), "renamed")
    assert Theme.objects.get(pk=first.pk).label == name
    assert page.locator(f"#theme-{first.pk} h2", has_text=name).count() == 1

    # Merge the smallest other theme into it.
    count = run.themes.count()
    source = min((t for t in themes_of(run) if t.pk != first.pk), key=lambda t: (t.size, t.pk))
    section = page.locator(f"#theme-{source.pk}")
    page.locator(f"#into-{source.pk}").select_option(str(first.pk))
    visit.click(section.locator("button", has_text="Merge"), "merged")
    assert not Theme.objects.filter(pk=source.pk).exists()
    assert run.themes.count() == count - 1

    # Split the theme with the most different texts in two.
    big = max(themes_of(run), key=lambda t: (t.distinct_texts, -t.pk))
    section = page.locator(f"#theme-{big.pk}")
    page.locator(f"#parts-{big.pk}").select_option("2")
    visit.click(section.locator("button", has_text="Split"), "split")
    assert run.themes.count() == count
    assert page.locator(".messages", has_text="Saved.").count() == 1

    # Set aside a theme nobody renamed.
    aside = next(t for t in reversed(themes_of(run)) if not t.out_of_scope and t.pk != first.pk)
    section = page.locator(f"#theme-{aside.pk}")
    visit.click(section.locator("button", has_text="Set aside as out of scope"), "set aside")
    assert Theme.objects.get(pk=aside.pk).out_of_scope


def report_journey(visit: RoleVisit, run):
    """The ministry has published: from the home page to the report's method section."""
    page = visit.page
    prefix = "/ur" if visit.lang == "ur" else ""
    page.goto(f"{visit.server.geturl()}{prefix}/")
    visit.check("home")
    visit.click(page.locator("section[aria-labelledby=open-heading] a").first, "consultation")
    visit.click(page.locator(".ways-follow a[href*='/report/']").first, "report")
    with translation.override(visit.lang):
        expected = words.analyst_changes_sentence(workspace.analyst_changes(run))
    assert expected, "the analysts' changes should be counted"
    said = page.locator("#method .analyst-changes").inner_text()
    assert " ".join(said.split()) == " ".join(expected.split()), (said, expected)


def test_analyst_workspace_journey_in_both_languages_on_desktop_and_phone(
    live_server,
    report,  # noqa: F811
    browser,
):
    run = report.run

    def journey(visit, lang, width):
        email = f"analyst-{lang}-{width}@example.org"
        user_in(roles.ANALYST, email)
        # A long name, as analysts write them: the lists that offer it must fit a phone.
        name = f"Complaints about the registry's long waiting times ({lang}, {width}, analyst)"
        analyst_journey(visit, run, email, name)
        # The ministry reviews the draft and publishes it (its own journey: the editor's).
        page = ReportPage.objects.get(pk=report.pk).get_latest_revision_as_object()
        page.save_revision().publish()
        report_journey(visit, run)
        if lang == "en":
            said = visit.page.locator("#method .analyst-changes").inner_text()
            for change in ("merge", "split", "rename", "out of scope"):
                assert change in said, said

    walk(browser, live_server, journey)
