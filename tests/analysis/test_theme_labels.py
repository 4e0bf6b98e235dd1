"""Theme labels a reader understands: short phrases, never placeholders, markup or filler
words, in the language(s) of the theme's members."""

from __future__ import annotations

import numpy as np

from analysis.normalise import normalise
from analysis.themes import LABEL_STOP_WORDS, theme_phrases
from text.checks import REDACTION_LABELS
from text.urdu import is_urdu_script

ENGLISH_A = [
    "The complaint window is too short. Call me on [phone number removed] about it.",
    "A <b>complaint window</b> of thirty days is too short for rural people.",
    "Please extend the complaint window; [phone removed] is my number.",
    "The complaint window should be ninety days, see https://example.org/letter",
]
ENGLISH_B = [
    "Facial recognition in public places must be banned outright.",
    "We oppose facial recognition in public places by the police.",
    "Ban facial recognition in public places except with a court order.",
]
URDU_C = [
    "ہماری گزارش ہے کہ شکایت کی مدت بڑھائی جائیں اور اردو میں فارم دیا جائے",
    "شکایت کی مدت کم از کم نوے دن ہونی چاہیے ہماری بات سنی جائیں",
    "شکایت کی مدت بہت کم ہے دیہی علاقوں کے لیے",
]


def _labels(groups):
    texts = [normalise(t) for g in groups for t in g]
    labels = np.array([i for i, g in enumerate(groups) for _ in g])
    return theme_phrases(texts, labels, len(groups))


def _words(label):
    return [w for part in label.split(" / ") for w in part.split()]


def test_labels_are_short_phrases_without_placeholders_markup_or_filler():
    labels = _labels([ENGLISH_A, ENGLISH_B, URDU_C])
    placeholder_words = {
        w.strip("[]").lower() for v in REDACTION_LABELS.values() for w in v.split()
    }
    for label in labels:
        for part in label.split(" / "):
            words = part.split()
            assert 2 <= len(words) <= 4, label
            assert words[0] not in LABEL_STOP_WORDS and words[-1] not in LABEL_STOP_WORDS, label
        assert not set(_words(label)) & (placeholder_words | {"removed", "number"}), label
        assert "<" not in label and "http" not in label and "example" not in label, label
    assert labels[0] == "complaint window"
    assert "facial recognition" in labels[1]
    assert is_urdu_script(labels[2]) and "شکایت" in labels[2]
    assert not {"ہماری", "جائیں"} & set(_words(labels[2]))


def test_a_theme_in_both_languages_is_labelled_in_both():
    [label] = _labels([ENGLISH_A + URDU_C])
    parts = label.split(" / ")
    assert len(parts) == 2
    assert sorted(is_urdu_script(p) for p in parts) == [False, True]
