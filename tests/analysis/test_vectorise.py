"""The themes' word counts and n-gram counts give what sklearn alone gives."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import CountVectorizer

from analysis.normalise import TOKEN_PATTERN, normalise
from analysis.vectorise import CharNgramCounter, WordCharTfidf
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


def _sklearn_features(vectoriser: WordCharTfidf, chunk: list[str]) -> np.ndarray:
    """The fitted features by sklearn alone: TOKEN_PATTERN's word counts, ``char_wb`` over
    the same words, each block's fitted TF-IDF, the char block scaled."""
    words = CountVectorizer(
        token_pattern=TOKEN_PATTERN,
        lowercase=False,
        vocabulary=vectoriser.word_index,
        dtype=np.float32,
    ).transform(chunk)
    chars = CountVectorizer(
        analyzer="char_wb",
        ngram_range=vectoriser.char_ngrams,
        lowercase=False,
        vocabulary=vectoriser.char_vocabulary,
        dtype=np.float32,
    ).transform([" ".join(re.findall(TOKEN_PATTERN, text)) for text in chunk])
    return hstack(
        [
            vectoriser.word_tfidf.transform(words),
            vectoriser.char_tfidf.transform(chars) * vectoriser.char_weight,
        ]
    ).toarray()


def test_transform_gives_sklearns_features():
    vectoriser = WordCharTfidf(min_df=1, char_weight=0.5)
    sample = texts(200, seed=1)
    fitted = vectoriser.fit_transform(sample)
    assert np.allclose(fitted.toarray(), _sklearn_features(vectoriser, sample), rtol=1e-6)
    chunk = texts(150, seed=2) + ["x1 qwérty ゑゑゑ zz", "وہ یہ\u0654 نہیں"]  # unseen characters
    ours = vectoriser.transform(chunk)
    expected = _sklearn_features(vectoriser, chunk)
    assert ours.shape == expected.shape and ours.dtype == np.float32
    assert np.array_equal(ours.toarray() != 0, expected != 0)
    assert np.allclose(ours.toarray(), expected, rtol=1e-6, atol=1e-7)


def test_a_text_gets_the_same_row_in_any_chunk():
    """Partitions of a corpus (analysis/distributed.py) must embed a text as the whole does."""
    vectoriser = WordCharTfidf(min_df=1)
    vectoriser.fit_transform(texts(200, seed=1))
    first, second = texts(120, seed=3), texts(80, seed=4)
    together = vectoriser.transform(first + second)
    assert same(together[: len(first)], vectoriser.transform(first))
    assert same(together[len(first) :], vectoriser.transform(second))
    assert vectoriser.transform([]).shape == (0, together.shape[1])
    assert vectoriser.transform(["", "a"]).nnz == 0


def _words(rng: random.Random, alphabet: str, n: int) -> list[str]:
    return ["".join(rng.choices(alphabet, k=rng.randint(1, 9))) for _ in range(n)]


_LETTERS = "abcdeéz19" + "اآبپتٹجچدڈرڑسشکگلمنوہیے" + "\u064b\u0670" + "\U0001d400"


@pytest.mark.parametrize("ngram_range", [(1, 3), (2, 2), (3, 5), (4, 6)])
def test_char_ngram_counter_is_sklearns_char_wb(ngram_range):
    rng = random.Random(sum(ngram_range))
    fitted_on, words = _words(rng, _LETTERS, 300), _words(rng, _LETTERS + "xyپ", 400)
    sklearn = CountVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, lowercase=False, dtype=np.float32
    ).fit(fitted_on)
    vocabulary = {str(gram): int(col) for gram, col in sklearn.vocabulary_.items()}
    counter = CharNgramCounter(vocabulary, ngram_range, len(vocabulary))
    assert counter.exact  # the numpy path, not the fallback
    ours = counter.count(*_points(words))
    assert ours.shape == (len(words), len(vocabulary))
    assert np.array_equal(ours.toarray(), sklearn.transform(words).toarray())


def test_char_ngram_counter_beyond_64_bits_falls_back_to_sklearn():
    rng = random.Random(7)
    alphabet = "".join(map(chr, range(0x4E00, 0x4E00 + 5000)))  # 13 bits a character
    sklearn = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False)
    sklearn.fit(_words(rng, alphabet, 3000))
    counter = CharNgramCounter(sklearn.vocabulary_, (3, 5), len(sklearn.vocabulary_))
    assert len(counter.alphabet) > 4095 and not counter.exact
    words = _words(rng, alphabet, 200)
    assert np.array_equal(
        counter.count(*_points(words)).toarray(), sklearn.transform(words).toarray()
    )


def _points(words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code points of the words joined by NUL, where each starts, its length)."""
    points = np.frombuffer("\0".join(words).encode("utf-32-le"), dtype=np.uint32)
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    return points, np.cumsum(lengths + 1) - lengths - 1, lengths
