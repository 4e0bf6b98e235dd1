"""A comment carried into a new version shows the words it was written on beside the
words it now sits on (issue 15: "Thirty days is too long" was shown beside "within fourteen
days", as if the commenter had quoted the new text)."""

from __future__ import annotations

import html
import re

from tests.consult.test_comments import (  # noqa: F401 - consultation is a fixture
    clause,
    comment_on_words,
    consultation,
    revise,
)

OLD_WORDS = "within thirty days"


def test_a_changed_quote_shows_what_it_was_written_on(client, consultation):  # noqa: F811
    old = clause(consultation, "2")
    comment = comment_on_words(consultation, old, OLD_WORDS, "Thirty days is too long.")
    assert comment.written_on_exact == OLD_WORDS and comment.written_on_version == 1
    revise(
        consultation,
        {"2": old.text.replace(OLD_WORDS, "within fourteen days")},
    )
    comment.refresh_from_db()
    assert comment.anchor_status == "changed", comment.anchor_status
    assert comment.written_on_exact == OLD_WORDS  # never rewritten by re-anchoring
    page = html.unescape(client.get(consultation.url, {"clause": "c-2"}).content.decode())
    article = page.split(f'id="comment-{comment.pk}"', 1)[1].split("</article>", 1)[0]
    assert OLD_WORDS in article and comment.anchor_exact in article
    assert "Written on version 1 about" in article


def test_an_orphaned_comment_stays_visible_under_earlier_wording(client, consultation):  # noqa: F811
    """Issue 15: orphaned comments disappeared from the current page with no trace."""
    old = clause(consultation, "2")
    quote = "may appeal to the Authority"
    orphan = comment_on_words(consultation, old, quote, "The appeal route must stay open.")
    revise(consultation, {"2": "(1) A complainant may go to the Tribunal."})
    orphan.refresh_from_db()
    assert orphan.anchor_status == "orphaned"
    for prefix in ("", "/ur"):
        page = html.unescape(client.get(f"{prefix}/{consultation.slug}/").content.decode())
        item = page.split('id="clause-c-2"', 1)[1].split('<li class="clause"', 1)[0]
        assert 'class="comments earlier-wording"' in item, prefix
        earlier = item.split('class="comments earlier-wording"', 1)[1]
        assert "The appeal route must stay open." in earlier and quote in earlier
        assert re.search(rf'href="[^"]*/{orphan.pk}/"', earlier), "no link to the comment"
    english = html.unescape(client.get(f"/{consultation.slug}/").content.decode())
    assert "Comments on earlier wording" in english
    # A removed orphan is not shown.
    from consult.models import Submission

    Submission.objects.filter(pk=orphan.pk).update(is_removed=True)
    from consult.reading_cache import comments_changed

    comments_changed(consultation.pk)
    again = client.get(f"/{consultation.slug}/").content.decode()
    assert "The appeal route must stay open." not in again


def test_every_version_shows_the_comments_written_on_it(client, consultation):  # noqa: F811
    """Issue 15: `?version=1` showed no comments at all once they had moved on."""
    old = clause(consultation, "2")
    first = comment_on_words(consultation, old, OLD_WORDS, "Written on the first draft.")
    revise(consultation, {"2": old.text.replace(OLD_WORDS, "within fourteen days")})
    new = clause(consultation, "2")
    second = comment_on_words(
        consultation, new, "within fourteen days", "Written on the second draft."
    )
    v1 = html.unescape(client.get(consultation.url, {"version": 1}).content.decode())
    assert "Written on the first draft." in v1 and "Written on the second draft." not in v1
    assert OLD_WORDS in v1.split(f'id="comment-{first.pk}"', 1)[1].split("</article>", 1)[0]
    v2 = html.unescape(client.get(consultation.url).content.decode())
    assert "Written on the first draft." in v2 and "Written on the second draft." in v2
    assert second.written_on_version == 2
