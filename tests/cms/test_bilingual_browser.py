"""Real Chromium on a bilingual draft at 390 px: the Urdu page reads the Urdu text right to
left, the English original is one tap away, and words selected in the Urdu text are the
words the comment anchors to (the selection script counts in the text it was made in)."""

from __future__ import annotations

import pytest

from consult.models import Submission
from tests.cms.test_bilingual_drafts import UR_2, make_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SELECT_JS = """([selector, quote]) => {
  const box = document.querySelector(selector);
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


def test_urdu_reader_comments_on_urdu_words_at_390_px(live_server, page, artifacts):
    consultation = make_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/ur" + consultation.url)
    urdu = page.locator('#clause-c-2 > .clause-text[lang="ur"]')
    assert urdu.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    # The English original is one tap away, and reads left to right.
    page.locator("#clause-c-2 details.clause-other-language summary").click()
    english = page.locator('#clause-c-2 details .clause-text[lang="en"]')
    assert english.is_visible()
    assert english.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    # No horizontal scroll on a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.evaluate(SELECT_JS, ['#clause-c-2 > .clause-text[lang="ur"]', "تیس دن"])
    button = page.locator("button.comment-selection")
    button.wait_for()
    button.click()
    form = page.locator("#clause-c-2 form.comment-form")
    quote = form.locator(".anchor-preview q")
    assert quote.inner_text() == "تیس دن" and quote.get_attribute("lang") == "ur"
    form.locator('input[name="stance"][value="oppose"]').check()
    form.locator('textarea[name="text"]').fill("تیس دن بہت زیادہ ہیں۔")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    receipt = page.locator(".receipt-code").inner_text()
    submission = Submission.objects.get(receipt_code=receipt)
    assert submission.anchor_language == "ur" and submission.anchor_exact == "تیس دن"
    start = UR_2.index("تیس دن")
    assert (submission.anchor_start, submission.anchor_end) == (start, start + 6)
    mark = page.locator('#clause-c-2 > .clause-text[lang="ur"] mark.anchored')
    assert mark.inner_text() == "تیس دن"
    page.screenshot(path=str(artifacts / "bilingual-urdu-390.png"), full_page=True)
