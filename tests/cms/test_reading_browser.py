"""Real Chromium on the public reading page: select words and comment, the keyboard-only
path, and the Urdu page laid out right to left."""

from __future__ import annotations

import pytest

from consult.models import Submission
from tests.consult.test_comments import make_consultation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SELECT_JS = """([key, quote]) => {
  const box = document.querySelector(`#clause-${key} .clause-text`);
  const node = box.firstChild;
  const at = node.textContent.indexOf(quote);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + quote.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  box.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
}"""


def test_select_words_comment_and_see_highlight(live_server, page, artifacts):
    consultation = make_consultation()
    page.goto(live_server.url + consultation.url)
    page.evaluate(SELECT_JS, ["c-2", "within thirty days"])
    button = page.get_by_role("button", name="Comment on the selected words")
    button.wait_for()
    button.click()
    form = page.locator("#clause-c-2 form.comment-form")
    assert form.locator(".anchor-preview q").inner_text() == "within thirty days"
    form.get_by_label("Oppose").check()
    form.get_by_label("Your comment", exact=True).fill(
        "Thirty days is too long for a refused loan."
    )
    with page.expect_navigation():
        form.get_by_role("button", name="Send comment").click()
    receipt = page.locator(".receipt-code").inner_text()
    submission = Submission.objects.get(receipt_code=receipt)
    assert submission.anchor_exact == "within thirty days"
    mark = page.locator("#clause-c-2 mark.anchored")
    assert mark.inner_text() == "within thirty days"
    assert mark.get_attribute("data-comments") == f"comment-{submission.pk}"
    assert page.locator(f"#comment-{submission.pk}").is_visible()
    page.screenshot(path=str(artifacts / "comment-highlight.png"))


def test_keyboard_only_comment_on_a_whole_clause(live_server, page):
    consultation = make_consultation()
    page.goto(live_server.url + consultation.url)
    # Tab to the clause's "Comment on this clause" button.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement.matches('#clause-c-3 button.comment-button')"
        ):
            break
    else:
        pytest.fail("the comment button is not reachable with Tab")
    page.keyboard.press("Enter")
    typed = False
    for _ in range(30):
        page.keyboard.press("Tab")
        name, kind = page.evaluate(
            "() => [document.activeElement.name, document.activeElement.type]"
        )
        if name == "stance":
            page.keyboard.press("Space")  # the first choice: Support
        elif name == "text" and not typed:
            page.keyboard.type("Labels must be in Urdu too.")
            typed = True
        elif kind == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    else:
        pytest.fail("never reached the submit button")
    assert page.locator(".receipt-code").is_visible()
    submission = Submission.objects.get(comment="Labels must be in Urdu too.")
    assert submission.stance == "support" and submission.clause.key == "c-3"
    assert submission.anchor_exact == ""


def test_urdu_page_is_right_to_left(live_server, page, artifacts):
    consultation = make_consultation()
    page.goto(live_server.url + "/ur" + consultation.url)
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ur"
    direction = page.evaluate("() => getComputedStyle(document.querySelector('main')).direction")
    assert direction == "rtl"
    # English clause text stays left to right inside the RTL page.
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.clause-text')).direction")
        == "ltr"
    )
    page.screenshot(path=str(artifacts / "consultation-urdu.png"))
