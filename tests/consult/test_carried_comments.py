"""A comment carried into a new version shows the words it was written on beside the
words it now sits on (issue 15: "Thirty days is too long" was shown beside "within fourteen
days", as if the commenter had quoted the new text)."""

from __future__ import annotations

import html

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
