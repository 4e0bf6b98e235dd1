"""A long submission split into its points: paragraphs, numbered items and sentences, in
English and Urdu, each with the clause it names."""

from __future__ import annotations

from text.points import clause_reference, split_points

LETTER = """Dear Secretary,

The Digital Rights Network welcomes the draft Rules and makes the following recommendations.

1. Clause 7(2) should define "high risk" by reference to fundamental rights, not only by sector.
2. Rule 21 must give a complainant a written reason for every decision within fifteen days.
3) Labels on deepfakes and other synthetic media should be visible before every election.
4. The Chairperson and members of the Authority should include
at least two women and a person nominated by civil society.

Yours sincerely,
Digital Rights Network"""

URDU = (
    "ہم اس مسودے کا خیرمقدم کرتے ہیں۔\n\n"
    "۱۔ شق ۱۸ کے تحت ہر نوٹس اردو کے ساتھ سندھی، پشتو اور بلوچی میں بھی ہونا چاہیے۔\n"
    "۲۔ چہرہ پہچاننے والی ٹیکنالوجی پر عوامی مقامات میں مکمل پابندی ہونی چاہیے۔\n"
)


def test_a_letter_splits_into_its_numbered_recommendations():
    points = split_points(LETTER)
    numbered = [p for p in points if p.number]
    assert [p.number for p in numbered] == ["1", "2", "3", "4"]
    assert numbered[0].text.startswith("Clause 7(2) should define")
    assert numbered[0].clause_ref == "7(2)"
    assert numbered[1].clause_ref == "21"
    assert numbered[2].clause_ref == "" and "synthetic media" in numbered[2].text
    for p in points:
        assert LETTER[p.start : p.end] == p.text
    assert len(points) == 6  # the opening paragraph, four items, the signature


def test_urdu_items_and_an_urdu_clause_reference():
    points = split_points(URDU)
    assert [p.number for p in points] == ["", "1", "2"]
    assert points[1].clause_ref == "18"
    assert points[2].clause_ref == ""


def test_a_short_comment_is_one_point():
    text = "Thirty days is too long for someone who has been refused a loan."
    assert [p.text for p in split_points(text)] == [text]
    assert split_points("   ") == []


def test_a_long_paragraph_splits_into_sentences():
    sentence = "The registry must be public and searchable by anyone, free of charge. "
    text = (
        (sentence * 6)
        + "رجسٹری ہر شہری کے لیے مفت اور اردو میں دستیاب ہونی چاہیے۔ "
        + "Every entry names the provider clearly."
    )
    points = split_points(text)
    assert len(points) == 8
    assert points[6].text == "رجسٹری ہر شہری کے لیے مفت اور اردو میں دستیاب ہونی چاہیے۔"


def test_clause_references():
    assert clause_reference("See clause 7 (2)(a) please") == "7(2)(a)"
    assert clause_reference("under Rule 14") == "14"
    assert clause_reference("شق نمبر ۲۱ میں") == "21"
    assert clause_reference("seven clauses were read") == ""
