"""What staff write for the public is screened and escaped like what participants write.

The attacker's probe on the fields editors, ministries and facilitators fill in: a CNIC (or
another participant's phone number) in a closing-date reason, a meeting's attendees or the
ministry's answer to a theme is refused with a clear form error, never published; markup is
shown as text. The consultation's contact may carry the office's phone and e-mail (that is
its purpose), never an identity number.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from cms.process_record import StakeholderMeeting
from tests.cms.test_report import report  # noqa: F401 - the published report of a real analysis

CNIC = "35202-1234567-1"
SCRIPT = "<script>alert(1)</script>"


def refused_fields(instance) -> dict:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field",
    ["title_ur", "ministry", "ministry_ur", "summary", "summary_ur", "contact", "contact_ur"],
)
def test_consultation_fields_refuse_an_identity_number(demo, field):
    page = demo.get_latest_revision_as_object()
    setattr(page, field, f"Ask Ali Khan, CNIC {CNIC}")
    errors = refused_fields(page)
    assert list(errors) == [field]
    assert "CNIC" in errors[field][0] and "public" in errors[field][0]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["closes_at_reason", "closes_at_reason_ur"])
def test_a_closing_date_reason_refuses_personal_data(demo, field):
    page = demo.get_latest_revision_as_object()
    page.closes_at = page.closes_at + timedelta(days=14)
    page.closes_at_reason = "Asked for by a citizen."
    setattr(page, field, f"Asked for by a citizen, call 0300-1234567 or {CNIC}.")
    errors = refused_fields(page)
    assert list(errors) == [field]
    assert "phone number" in errors[field][0] and "CNIC" in errors[field][0]


@pytest.mark.django_db
def test_the_contact_may_give_the_office_phone_and_e_mail(demo):
    page = demo.get_latest_revision_as_object()
    page.contact = "Helpline 051-9201234 (9-5), consultation@moitt.gov.pk"
    page.contact_ur = "ہیلپ لائن ۰۵۱-۹۲۰۱۲۳۴"
    page.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["who", "topic"])
def test_a_stakeholder_meeting_refuses_personal_data(demo, field):
    meeting = StakeholderMeeting(
        consultation=demo, held_at=demo.opens_at, who="Digital Rights Foundation", topic="Clause 4"
    )
    meeting.full_clean()
    setattr(meeting, field, f"Ali Khan ({CNIC}), ali.khan@example.com")
    errors = refused_fields(meeting)
    assert list(errors) == [field] and "e-mail address" in errors[field][0]


def test_the_ministry_answer_to_a_theme_refuses_personal_data(report):  # noqa: F811
    from analysis.models import ThemeResponse

    response = ThemeResponse(page=report, theme=report.run.themes.first(), reason="Accepted.")
    response.full_clean(exclude=["page"])
    response.reason = f"As Mr Khan ({CNIC}) wrote, we agree."
    assert list(refused_fields(response)) == ["reason"]


def test_a_report_and_a_town_hall_refuse_personal_data_in_what_they_show(report):  # noqa: F811
    from cms.town_hall_pages import TownHallPage

    page = report.get_latest_revision_as_object()
    page.intro = f"Thanks to Ali Khan, CNIC {CNIC}."
    assert "intro" in refused_fields(page)
    hall = TownHallPage.objects.child_of(report.get_parent()).first()
    if hall is None:
        pytest.skip("the demo has no town hall")
    hall = hall.get_latest_revision_as_object()
    hall.title = f"Town hall with ali@example.com {CNIC}"
    assert "title" in refused_fields(hall)


@pytest.mark.django_db
def test_the_meeting_snippet_form_shows_the_error_and_saves_nothing(admin_client, demo):
    from django.urls import reverse

    url = reverse("wagtailsnippets_cms_stakeholdermeeting:add")
    response = admin_client.post(
        url,
        {
            "consultation": demo.pk,
            "held_at": demo.opens_at.strftime("%Y-%m-%d %H:%M"),
            "who": f"Ali Khan {CNIC}",
            "topic": "Clause 4",
        },
    )
    assert response.status_code == 200
    assert "CNIC" in response.content.decode()
    assert not StakeholderMeeting.objects.exists()


@pytest.mark.django_db
def test_markup_in_staff_fields_is_shown_as_text(client, demo):
    StakeholderMeeting.objects.create(
        consultation=demo, held_at=demo.opens_at, who=SCRIPT, topic="<img src=x onerror=alert(1)>"
    )
    page = demo.get_latest_revision_as_object()
    page.closes_at = page.closes_at + timedelta(days=14)
    page.closes_at_reason = SCRIPT
    page.contact = SCRIPT
    page.save_revision().publish()
    for url in (demo.url, f"/ur{demo.url}"):
        html = client.get(url).content.decode()
        assert SCRIPT not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_the_refusal_is_in_the_editors_language(demo):
    from django.utils import translation

    page = demo.get_latest_revision_as_object()
    page.summary = f"CNIC {CNIC}"
    with translation.override("ur"):
        message = refused_fields(page)["summary"][0]
    assert "شناختی کارڈ نمبر" in message and "public" not in message
