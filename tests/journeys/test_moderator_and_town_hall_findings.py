"""Findings from walking the moderator's and the town hall's pages: the decision form starts
unselected, the appeal's rules are stated before it is sent, the town hall says "1 vote",
asks before ending the session, and shows its agenda by clause number and heading."""

from __future__ import annotations

import pytest

from consult import roles
from consult.services import SubmissionInput, submit
from moderation import services
from moderation.models import Decision
from tests.consult.test_comments import make_consultation
from tests.moderation.test_moderation import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(db):
    return make_consultation()


def held(page):
    return submit(
        page, SubmissionInput(text="Needs a look.", stance="other", stakeholder="individual")
    )


def test_the_decision_form_starts_unselected_and_refuses_no_choice(client, consultation):
    moderator = make_user("mod", roles.MODERATOR, is_staff=True)
    submission = held(consultation)
    client.force_login(moderator)
    url = f"/admin/moderation/submission/{submission.pk}/"
    html = client.get(url).content.decode()
    for name in ("action", "reason"):
        select = html.split(f'name="{name}"')[1].split("</select>")[0]
        assert '<option value="" selected>' in select, select[:300]
    response = client.post(url, {"explanation": "", "redacted_text": submission.comment})
    assert response.status_code == 200 and not Decision.objects.exists()


def test_the_appeal_rules_are_stated_before_sending(client, consultation):
    moderator = make_user("mod", roles.MODERATOR)
    submission = held(consultation)
    services.decide(submission, action="remove", reason="off_topic", moderator=moderator)
    html = client.get("/receipt/", {"code": submission.receipt_code}).content.decode()
    rules = html.index("A different moderator, not the one who decided")
    assert rules < html.index('name="text"')  # before the appeal's text box


def test_town_hall_plural_votes_end_confirmation_and_agenda_by_number(client, consultation):
    from cms.demo import make_town_hall
    from consult.live.services import questions, session, votes
    from consult.live.services.checks import actor_for

    hall = make_town_hall(consultation)
    facilitator = actor_for(hall, "f", hall.facilitators.get())
    session.start_session(hall, facilitator)
    question = questions.post_question(hall, actor_for(hall, "p1"), "Why thirty days?")
    questions.approve_question(hall, facilitator, question["question_id"])
    votes.vote(hall, actor_for(hall, "p2"), question["question_id"])

    html = client.get(hall.url).content.decode()
    assert '<span class="q-votes">1</span> <span class="q-votes-word">vote</span>' in html
    assert "1 votes" not in html
    # Ending asks first: the confirmation's text is in the facilitators' console, whose
    # dialog live.js opens (the participants' page has no facilitator control at all).
    assert "End the session for everyone?" not in html
    client.force_login(hall.facilitators.get())
    console = client.get(f"{hall.url}console/").content.decode()
    assert "End the session for everyone?" in console and 'id="confirm-dialog"' in console
    client.logout()
    agenda = html.split('class="agenda"')[1].split("</ul>")[0]
    assert "2.</bdi> <bdi" in agenda and "Complaints" in agenda
    assert ">c-2<" not in agenda
    assert '<option value="c-2">2. Complaints</option>' in html
    urdu = client.get(f"/ur{hall.url}").content.decode()
    assert 'href="/ur/test-rules/#clause-c-2"' in urdu
