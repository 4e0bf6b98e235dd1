"""The screening classifier's direct scorer gives scikit-learn's own probabilities."""

from __future__ import annotations

import numpy as np

from text.classifier import get_classifier, load_rows, score_texts


def test_direct_scores_are_predict_proba_on_the_labelled_data_and_new_text():
    pipeline = get_classifier()
    texts = [row["text"] for row in load_rows()][::7] + [
        "The fee in clause 4 is too high for small traders.",
        "یہ فیس چھوٹے تاجروں کے لیے بہت زیادہ ہے",
        "BUY CHEAP followers now http://spam.example http://spam.example",
        "",
    ]
    expected = pipeline.predict_proba(texts)
    classes = list(pipeline.classes_)
    scored = score_texts(texts)
    assert len(scored) == len(texts)
    got = np.array([[row[label] for label in classes] for row in scored])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    # The labels are the classifier's own, and the probabilities of a text add up to one.
    assert set(scored[0]) == {"ham", "spam", "abuse"}
    assert all(abs(sum(row.values()) - 1) < 1e-9 for row in scored)
