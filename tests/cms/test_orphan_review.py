"""The orphan review shows the clause (issue 15, "Moderators' tools"): the words a comment
was written on, marked in their old clause, and the current clause's text, where the
moderator selects the new words instead of typing them; a selection says which occurrence
it is, so words that appear twice land where the moderator pointed."""

from __future__ import annotations

import pytest

from consult.models import Submission
from tests.consult.test_comments import (  # noqa: F401 - consultation is a fixture
    clause,
    comment_on_words,
    consultation,
    revise,
)

URL = "/admin/consultations/orphans/"
QUOTE = "may appeal to the Authority"
NEW_TEXT = (
    "(1) A complainant may go to the Tribunal. (2) A deployer may go to the Tribunal "
    "only after the complainant."
)


def orphaned(page) -> Submission:
    orphan = comment_on_words(page, clause(page, "2"), QUOTE, "Thirty days is too short.")
    revise(page, {"2": NEW_TEXT})
    orphan.refresh_from_db()
    assert orphan.anchor_status == "orphaned"
    return orphan


@pytest.fixture
def moderator_client(client, django_user_model):
    boss = django_user_model.objects.create_superuser("om", "om@example.org", "pw-long-enough-1")
    client.force_login(boss)
    return client


def test_the_review_shows_the_old_words_in_their_clause_and_the_current_text(
    moderator_client,
    consultation,  # noqa: F811
):
    orphan = orphaned(consultation)
    html = moderator_client.get(URL).content.decode()
    section = html.split(f'id="orphan-{orphan.pk}"', 1)[1].split("</section>", 1)[0]
    assert f"<mark>{QUOTE}</mark>" in section  # in the clause it was written on
    assert 'class="orphan-clause-text"' in section and "go to the Tribunal only after" in section
    assert 'name="start"' in section and 'name="language"' in section


def test_a_selected_second_occurrence_is_where_the_comment_lands(
    moderator_client,
    consultation,  # noqa: F811
):
    orphan = orphaned(consultation)
    new = clause(consultation, "2")
    second = NEW_TEXT.index("go to the Tribunal", NEW_TEXT.index("go to the Tribunal") + 1)
    response = moderator_client.post(
        URL,
        {
            "submission": orphan.pk,
            "clause": new.pk,
            "words": "go to the Tribunal",
            "start": str(second),
            "language": "en",
            "action": "reattach",
        },
    )
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert orphan.anchor_start == second and orphan.anchor_exact == "go to the Tribunal"


def test_a_start_that_does_not_hold_the_words_is_refused_with_a_message(
    moderator_client,
    consultation,  # noqa: F811
):
    orphan = orphaned(consultation)
    new = clause(consultation, "2")
    response = moderator_client.post(
        URL,
        {
            "submission": orphan.pk,
            "clause": new.pk,
            "words": "go to the Tribunal",
            "start": "3",
            "language": "en",
            "action": "reattach",
        },
        follow=True,
    )
    assert "Select the words again" in response.content.decode()
    orphan.refresh_from_db()
    assert orphan.anchor_status == "orphaned"


@pytest.mark.browser
@pytest.mark.django_db
def test_selecting_words_with_the_mouse_fills_the_form(live_server, browser, django_user_model):
    from django.test import Client

    from tests.a11y import assert_no_axe_violations
    from tests.consult.test_comments import make_consultation

    page = make_consultation()
    orphan = orphaned(page)
    boss = django_user_model.objects.create_superuser("om2", "o2@example.org", "pw-long-enough-1")
    django_client = Client()
    django_client.force_login(boss)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": django_client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    tab = context.new_page()
    try:
        tab.goto(live_server.url + URL)
        box = tab.locator(f"#orphan-{orphan.pk} .orphan-clause-text[data-language=en]")
        second = NEW_TEXT.index("go to the Tribunal", NEW_TEXT.index("go to the Tribunal") + 1)
        # The moderator drags over the second "go to the Tribunal".
        box.evaluate(
            """(el, [start, end]) => {
                 const text = el.firstChild; const range = document.createRange();
                 range.setStart(text, start); range.setEnd(text, end);
                 const selection = window.getSelection();
                 selection.removeAllRanges(); selection.addRange(range);
                 el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
               }""",
            [second, second + len("go to the Tribunal")],
        )
        form = tab.locator(f"#orphan-{orphan.pk} form")
        assert form.locator("input[name=words]").input_value() == "go to the Tribunal"
        assert form.locator("input[name=start]").input_value() == str(second)
        assert_no_axe_violations(tab)
        form.locator("button[value=reattach]").click()
        tab.wait_for_load_state("load")
        orphan.refresh_from_db()
        assert orphan.anchor_start == second and orphan.anchor_status == "exact"
    finally:
        context.close()
