"""Wayfinding: the home page lists consultations by phase, a consultation's page links to
every way of taking part and of following the outcome, in both languages, and every link
from an Urdu page stays in Urdu."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.demo import DEMO_SLUG
from cms.models import ConsultationPage, HomePage, TownHallPage
from cms.report_pages import ReportPage
from tests.consult.test_comments import make_consultation

pytestmark = pytest.mark.django_db


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


@pytest.fixture
def consultation(db):
    page = make_consultation()
    page.title_ur = "آزمائشی قواعد"
    page.contact = "Call 051-111-000-123 and a facilitator writes your comment down."
    page.contact_ur = "051-111-000-123 پر فون کریں"
    page.save_revision().publish()
    start = timezone.localtime() + timedelta(days=3)
    page.add_child(
        instance=TownHallPage(
            title="Town hall on complaints",
            title_ur="شکایات پر ٹاؤن ہال",
            slug="town-hall",
            starts_at=start.replace(hour=15, minute=30),
            ends_at=start.replace(hour=17, minute=0),
            language="ur",
        )
    )
    page.refresh_from_db()
    return page


def test_home_page_lists_open_upcoming_and_closed_consultations_with_reports(client, consultation):
    closed = make_consultation(phase=ConsultationPage.Phase.CLOSED, slug="closed-rules")
    closed.title = "Closed Rules"
    closed.save_revision().publish()
    closed.add_child(instance=ReportPage(title="Report on the Closed Rules", slug="report"))
    upcoming = make_consultation(phase=ConsultationPage.Phase.UPCOMING, slug="later-rules")

    html = client.get("/").content.decode()
    assert "Open for comments" in html and "Closed consultations and their reports" in html
    open_part, closed_part = html.split("Closed consultations and their reports")
    assert consultation.url in open_part
    assert (
        timezone.localtime(consultation.closes_at).strftime("%Y-%m-%d") in open_part
    )  # the closing date
    assert closed.url in closed_part and f"{closed.url}report/" in closed_part
    assert "Read the report" in closed_part
    assert upcoming.url in html and "Coming soon" in html

    urdu = client.get("/ur/").content.decode()
    assert 'lang="ur" dir="rtl">آزمائشی قواعد</a>' in urdu
    assert "/ur/test-rules/" in hrefs(urdu)
    assert "/ur/closed-rules/report/" in hrefs(urdu)
    assert "/ur/" in hrefs(urdu)  # the site's name and navigation lead to the Urdu home
    # No consultation title is left without its language (Closed Rules has no Urdu title).
    assert 'lang="en" dir="ltr">Closed Rules</a>' in urdu


def test_consultation_page_links_every_way_to_take_part_and_to_follow(client, consultation):
    html = client.get(consultation.url).content.decode()
    links = hrefs(html)
    slug, pk = consultation.slug, consultation.pk
    for expected in [
        "#draft",  # comment in writing
        f"/voice/{slug}/record/",  # speak
        f"/{slug}/pack.pdf",  # paper
        f"{consultation.url}town-hall/",  # the town hall
        "/receipt/",
        f"/consultations/{pk}/transparency/",
        "/privacy/",
        "/my-data/",
    ]:
        assert expected in links, expected
    assert "a facilitator writes your comment down" in html  # the contact field
    assert "Town hall on complaints" in html
    start = timezone.localtime(TownHallPage.objects.child_of(consultation).get().starts_at)
    assert start.strftime("15:30") in html and str(start.day) in html
    assert "The report will be published here after the consultation closes." in html

    consultation.add_child(instance=ReportPage(title="Report", slug="report"))
    html = client.get(consultation.url).content.decode()
    assert f"{consultation.url}report/" in hrefs(html)


def test_every_link_from_an_urdu_page_stays_in_urdu(client, consultation):
    html = client.get(f"/ur{consultation.url}").content.decode()
    ours = [h for h in hrefs(html) if h.startswith("/") and not h.startswith("/static/")]
    english = [h for h in ours if not h.startswith("/ur/") and h != "/favicon.ico"]
    # Only the language switch (and its <link rel="alternate">) lead to English.
    assert set(english) == {"/test-rules/"}, english
    assert 'class="contact" lang="ur" dir="rtl">051-111-000-123 پر فون کریں' in html
    # The town hall's Urdu title, marked as Urdu (an English title would be marked English).
    assert 'lang="ur" dir="rtl">شکایات پر ٹاؤن ہال</span>' in html
    # The month is named in Urdu.
    month = timezone.localtime(consultation.closes_at).month
    assert ["جنوری", "فروری", "مارچ", "اپریل", "مئی", "جون", "جولائی", "اگست", "ستمبر",
            "اکتوبر", "نومبر", "دسمبر"][month - 1] in html  # fmt: skip


def test_the_language_switch_keeps_the_page(client, consultation):
    hall = TownHallPage.objects.child_of(consultation).get()
    for path, other in [
        (consultation.url, f"/ur{consultation.url}"),
        (f"/ur{hall.url}", hall.url),
        ("/privacy/", "/ur/privacy/"),
    ]:
        html = client.get(path).content.decode()
        switch = html.split('class="language-switch"')[1].split("</nav>")[0]
        assert f'href="{other}"' in switch, (path, switch)


def test_home_page_model_context_has_no_closed_consultation_in_the_open_list(consultation):
    from cms.wayfinding import home_listing

    closed = make_consultation(phase=ConsultationPage.Phase.OPEN, slug="past-rules")
    closed.closes_at = timezone.now() - timedelta(days=1)
    closed.closes_at_reason = "The ministry closed it early."  # a moved date needs a reason
    closed.save_revision().publish()
    listing = home_listing(HomePage.objects.get())
    # The shared demo consultation (tests/conftest.py) is open too.
    assert [p.slug for p in listing.open if p.slug != DEMO_SLUG] == [consultation.slug]
    assert [p.slug for p in listing.closed] == ["past-rules"]


def test_commenting_from_an_urdu_page_comes_back_to_the_urdu_page(client):
    from tests.consult.test_comments import form_data

    page = make_consultation()
    response = client.post(
        f"/ur/consultations/{page.pk}/comment/",
        form_data(page, text="تیس دن بہت زیادہ ہیں۔", language="ur"),
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/ur/test-rules/#comment-"), response["Location"]
    # A refused comment's page leads back to the Urdu draft too.
    refused = client.post(f"/ur/consultations/{page.pk}/comment/", form_data(page, text=""))
    assert refused.status_code == 400
    assert 'href="/ur/test-rules/"' in refused.content.decode()


def test_every_comment_carries_its_own_language_and_direction(client):
    from tests.consult.test_comments import form_data

    page = make_consultation()
    client.post(
        f"/ur/consultations/{page.pk}/comment/",
        form_data(page, text="تیس دن بہت زیادہ ہیں۔", proposed_wording="چودہ دن", language="ur"),
    )
    client.post(
        f"/consultations/{page.pk}/comment/", form_data(page, text="Too long.", language="en")
    )
    for prefix in ("", "/ur"):
        html = client.get(f"{prefix}/test-rules/").content.decode()
        assert '<div class="comment-text" lang="ur" dir="rtl">تیس دن بہت زیادہ ہیں۔</div>' in html
        assert '<bdi lang="ur" dir="rtl">چودہ دن</bdi>' in html
        assert '<div class="comment-text" lang="en" dir="ltr">Too long.</div>' in html


def test_text_direction_of_language_codes():
    from frontend.text_direction import lang_attrs

    assert lang_attrs("ur") == ' lang="ur" dir="rtl"'
    assert lang_attrs("ps") == ' lang="ps" dir="rtl"'
    assert lang_attrs("en") == ' lang="en" dir="ltr"'
    assert lang_attrs("xx") == ' lang="xx" dir="auto"'
    assert lang_attrs('"><script>') == ' dir="auto"'
