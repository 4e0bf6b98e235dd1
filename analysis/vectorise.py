"""TF-IDF of words and of character n-grams inside words, computed fast.

sklearn's ``char_wb`` analyser pads and slices every word of every text in Python, which
dominated the themes step (milliseconds per text). But a text's ``char_wb`` counts are the
sum of its words' n-gram counts, so we count words per text once (analysis/words.py,
into a sparse matrix), slice each *distinct* word into n-grams once, and multiply:
``char_counts = word_counts @ ngrams_per_word``. Same features, a fraction of the time.
Words use the Urdu-aware token pattern; both blocks are TF-IDF (sublinear tf, L2); the word
block leaves out ``stop_words``, the char block is scaled by ``char_weight``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack

from .normalise import STOP_WORDS
from .words import batches

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import CountVectorizer

# scikit-learn is imported where it is used (about a second and a half at every process
# start otherwise; see analysis/themes.py).


def _select(df: np.ndarray, n_docs: int, min_df: int, max_df: float, max_features: int):
    """Columns kept: document frequency in [min_df, max_df * n], the most frequent first."""
    keep = np.flatnonzero((df >= min_df) & (df <= max_df * n_docs))
    if len(keep) > max_features:
        keep = keep[np.lexsort((keep, -df[keep]))[:max_features]]
    return np.sort(keep)


class WordCharTfidf:
    def __init__(
        self,
        char_ngrams=(3, 5),
        max_features=50000,
        min_df=2,
        max_df=0.5,
        char_weight=1.0,
        stop_words=STOP_WORDS,
    ):
        self.char_ngrams = tuple(char_ngrams)
        self.stop_words = stop_words
        self.char_weight = char_weight
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df

    def _count_words(self, texts):
        """(texts x words counts, the words in sorted order): CountVectorizer's with
        ``TOKEN_PATTERN``, from analysis/words.py (no regex, no Python per occurrence)."""
        column: dict[int, int] = {}  # a word's hash: its column, in order of first sight
        names: list[str] = []
        rows, columns = [], []
        for offset, words in batches(texts):
            distinct = words.distinct.tolist()
            new = [j for j, word in enumerate(distinct) if word not in column]
            new.sort(key=words.first.__getitem__)  # in order of first sight
            for j, name in zip(new, words.strings(new), strict=True):
                column[distinct[j]] = len(names)
                names.append(name)
            columns.append(np.array([column[w] for w in distinct], dtype=np.int64)[words.inverse])
            rows.append(words.text_of + offset)
        if not names:  # no word at all
            return csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
        counts = csr_matrix(
            (
                np.ones(sum(map(len, rows)), dtype=np.float32),
                (np.concatenate(rows), np.concatenate(columns)),
            ),
            shape=(len(texts), len(names)),
        )
        counts.sum_duplicates()  # in each row, words in order of first sight, as sklearn's
        order = sorted(range(len(names)), key=names.__getitem__)
        rank = np.empty(len(names), dtype=counts.indices.dtype)
        rank[order] = np.arange(len(names))
        counts.indices = rank[counts.indices]  # columns renumbered, not re-sorted (same sums)
        counts.has_sorted_indices = False
        return counts, np.array([names[i] for i in order], dtype=object)

    def fit_transform(self, texts: list[str]):
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        counts, words = self._count_words(texts)
        n = len(texts)
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        word_cols = _select(df, n, self.min_df, self.max_df, self.max_features)
        stop = self.stop_words
        word_cols = np.array([c for c in word_cols if words[c] not in stop], dtype=np.int64)
        self.word_index = {str(words[c]): i for i, c in enumerate(word_cols)}
        grams = CountVectorizer(
            analyzer="char_wb", ngram_range=self.char_ngrams, lowercase=False, dtype=np.float32
        )
        per_word = grams.fit_transform(list(words)) if len(words) else None
        if per_word is not None:
            char_counts = (counts @ per_word).tocsr()
            char_df = np.asarray((char_counts > 0).sum(axis=0)).ravel()
            char_cols = _select(char_df, n, self.min_df, self.max_df, self.max_features)
            names = grams.get_feature_names_out()
            self.char_vocabulary = {str(names[c]): i for i, c in enumerate(char_cols)}
        else:
            self.char_vocabulary = {}
        self.word_tfidf = TfidfTransformer(sublinear_tf=True)
        self.char_tfidf = TfidfTransformer(sublinear_tf=True)
        word_block, char_block = self._blocks(counts, words)
        self.word_tfidf.fit(word_block)
        self.char_tfidf.fit(char_block)
        return self._finish(word_block, char_block)

    def transform(self, texts: list[str], grams: GramCounts | None = None):
        """``grams``: from :meth:`gram_counts`, shared by the chunks of one corpus."""
        counts, words = self._count_words(texts)
        return self._finish(*self._blocks(counts, words, grams))

    def gram_counts(self) -> GramCounts:
        """A cache of each word's character n-gram counts for the chunks of one corpus."""
        from sklearn.feature_extraction.text import CountVectorizer

        return GramCounts(
            CountVectorizer(
                analyzer="char_wb",
                ngram_range=self.char_ngrams,
                lowercase=False,
                vocabulary=self.char_vocabulary,
                dtype=np.float32,
            )
        )

    def _blocks(self, counts, words, grams: GramCounts | None = None):
        n_words = len(words)
        index = np.array([self.word_index.get(str(w), -1) for w in words], dtype=np.int64)
        rows = np.flatnonzero(index >= 0)
        to_vocab = csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, index[rows])),
            shape=(n_words, max(len(self.word_index), 1)),
        )
        word_block = (counts @ to_vocab).tocsr()
        if self.char_vocabulary and n_words:
            grams = grams if grams is not None else self.gram_counts()
            char_block = (counts @ grams.of(words)).tocsr()
        else:
            char_block = csr_matrix((counts.shape[0], max(len(self.char_vocabulary), 1)))
        return word_block, char_block

    def _finish(self, word_block, char_block):
        return hstack(
            [
                self.word_tfidf.transform(word_block),
                self.char_tfidf.transform(char_block) * self.char_weight,
            ]
        ).tocsr()


class GramCounts:
    """Each word's character n-gram counts, counted once however many chunks it is in:
    sklearn's ``char_wb`` analyser slices every word in Python, and the chunks of a large
    corpus share most of their words (a million submissions' themes: 24 chunks)."""

    def __init__(self, grams: CountVectorizer):
        self.grams = grams
        self.row: dict[str, int] = {}  # word: its row of ``rows``
        self.rows = csr_matrix((0, len(grams.vocabulary)), dtype=np.float32)

    def of(self, words) -> csr_matrix:
        """One row per word (in the order given)."""
        new = [str(w) for w in words if str(w) not in self.row]
        if new:
            first = len(self.row)
            self.row.update((w, first + i) for i, w in enumerate(new))
            self.rows = vstack([self.rows, self.grams.transform(new)], format="csr")
        return self.rows[[self.row[str(w)] for w in words]]
