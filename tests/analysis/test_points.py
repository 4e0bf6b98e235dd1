"""Points, not just submissions: a long letter is split into its points and each is matched
to the clause it is about (by the clause it names, by its words, or by its anchor)."""

from __future__ import annotations

import pytest

from analysis.points import ClauseMatcher
from tests.text.test_points import LETTER, URDU
from text.points import split_points


@pytest.mark.django_db
def test_a_long_letter_split_into_points_with_the_right_clauses(demo):
    matcher = ClauseMatcher(list(demo.current_version().clauses.all()))
    points = {p.number: p for p in split_points(LETTER)}
    assert matcher.match(points["1"], "c-18") == ("c-7", "reference")
    assert matcher.match(points["2"], "c-18") == ("c-21", "reference")
    assert matcher.match(points["3"], "c-18") == ("c-14", "words")  # labelling synthetic media
    assert matcher.match(points["4"], "c-18") == ("c-4", "words")  # the Authority's members
    opening, signature = (p for p in split_points(LETTER) if not p.number)
    assert matcher.match(signature, "c-18") == ("c-18", "anchor")  # nothing else to go by
    assert matcher.match(signature, "") == ("", "none")


@pytest.mark.django_db
def test_urdu_points_by_reference_and_by_words(demo):
    matcher = ClauseMatcher(list(demo.current_version().clauses.all()))
    _intro, languages, faces = split_points(URDU)
    assert matcher.match(languages, "") == ("c-18", "reference")
    # The draft's clauses are in English: an Urdu point without a clause number keeps the
    # clause its submission was made on.
    assert matcher.match(faces, "c-17") == ("c-17", "anchor")


def test_an_urdu_point_matches_a_clause_by_its_urdu_words():
    """Bilingual drafts: a clause's Urdu heading and text count as its words."""
    from types import SimpleNamespace

    from text.points import Point

    def clause(key, heading, text, heading_ur="", text_ur=""):
        return SimpleNamespace(
            key=key, identifier=key[2:], heading=heading, text=text,
            heading_ur=heading_ur, text_ur=text_ur,
        )  # fmt: skip

    clauses = [
        clause(
            "c-1",
            "Labels",
            "Synthetic media shall carry a label.",
            "لیبل",
            "مصنوعی میڈیا پر واضح لیبل لگایا جائے گا۔",
        ),  # fmt: skip
        clause(
            "c-2",
            "Complaints",
            "A deployer shall decide a complaint within thirty days.",
            "شکایات",
            "تعینات کنندہ شکایت کا فیصلہ تیس دن کے اندر کرے گا۔",
        ),  # fmt: skip
        clause("c-3", "Registry", "The Authority shall keep a registry."),
    ] + [clause(f"c-{n}", f"Rule {n}", f"Other obligations number {n}.") for n in range(4, 12)]
    text = "شکایت کا فیصلہ تیس دن میں نہیں بلکہ سات دن میں ہونا چاہیے۔"
    point = Point(text=text, start=0, end=len(text))
    assert ClauseMatcher(clauses).match(point, "c-3") == ("c-2", "words")
