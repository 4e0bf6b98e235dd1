"""The themes' word counts and n-gram cache give exactly what sklearn alone gave."""

from __future__ import annotations

import random

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from analysis.normalise import TOKEN_PATTERN, normalise
from analysis.vectorise import WordCharTfidf
from bench.synthetic import THEMES, _individual


def texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    themes = sorted(THEMES)
    made = [
        normalise(_individual(rng, rng.choice(themes), rng.choice(["en", "ur", "roman"])))
        for _ in range(n)
    ]
    return made + ["", "a", "ab_cd x1 ۱۲۳ café", "ٹیسٹ\u200cکے ا د ر"]


def same(a, b) -> bool:
    """The same sparse matrix, stored the same way (row order of entries included)."""
    return (
        a.shape == b.shape
        and a.dtype == b.dtype
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def test_word_counts_are_count_vectorizers():
    sample = texts(300)
    sklearn = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=False, dtype=np.float32)
    expected = sklearn.fit_transform(sample).tocsr()
    counts, words = WordCharTfidf()._count_words(sample)
    assert list(words) == list(sklearn.get_feature_names_out())
    assert same(counts, expected)
    assert not counts.has_sorted_indices  # its entries keep sklearn's order, unsorted


def test_no_words_at_all():
    counts, words = WordCharTfidf()._count_words(["", "a", "۔"])
    assert counts.shape == (3, 0) and len(words) == 0


def test_chunks_sharing_the_ngram_cache_are_transformed_as_alone():
    vectoriser = WordCharTfidf(min_df=1)
    vectoriser.fit_transform(texts(200, seed=1))
    grams = vectoriser.gram_counts()
    for seed in (2, 3, 4):
        chunk = texts(150, seed)
        assert same(vectoriser.transform(chunk, grams), vectoriser.transform(chunk))
    assert len(grams.row) > 0
