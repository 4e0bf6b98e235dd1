"""TF-IDF of words and of character n-grams inside words, computed fast.

sklearn's ``char_wb`` analyser pads and slices every word of every text in Python, which
dominated the themes step (milliseconds per text). But a text's ``char_wb`` counts are the
sum of its words' n-gram counts, so we count words per text once (analysis/words.py,
into a sparse matrix), slice each *distinct* word into n-grams once, and multiply:
``char_counts = word_counts @ ngrams_per_word``. Fitting (on a sample) uses sklearn for the
n-grams; transforming every unit counts them in numpy (:class:`CharNgramCounter`) and finds
vocabulary words by their 64-bit hash, the identity analysis/words.py gives words everywhere.
Words use the Urdu-aware token pattern; both blocks are TF-IDF (sublinear tf, L2); the word
block leaves out ``stop_words``, the char block is scaled by ``char_weight``.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack

from .normalise import STOP_WORDS
from .words import Words, batches, code_points_of, find_sorted, hashes_of, strings_at

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
        from sklearn.feature_extraction.text import TfidfTransformer

        counts, words = self._count_words(texts)
        n = len(texts)
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        word_cols = _select(df, n, self.min_df, self.max_df, self.max_features)
        stop = self.stop_words
        word_cols = np.array([c for c in word_cols if words[c] not in stop], dtype=np.int64)
        self.word_index = {str(words[c]): i for i, c in enumerate(word_cols)}
        grams = _char_wb(self.char_ngrams)
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
        self._index_vocabularies()
        word_block, char_block = self._blocks(counts, words)
        self.word_tfidf.fit(word_block)
        self.char_tfidf.fit(char_block)
        return self._finish(word_block, char_block)

    def transform(self, texts: list[str]):
        """The fitted TF-IDF of ``texts``: what :meth:`fit_transform` gives (equal but for
        the order of a row's sums), its two blocks side by side."""
        return hstack(self.weighted_blocks(texts), format="csr")

    def weighted_blocks(self, texts: list[str]) -> tuple[csr_matrix, csr_matrix]:
        """(word block, char block scaled by ``char_weight``) of :meth:`transform`, worked out
        from each batch's distinct words in numpy: kept apart, as a projection can take them
        (stacking them copies every entry)."""
        parts = [self._batch_blocks(words) for _, words in batches(texts)]
        if not parts:
            return (
                csr_matrix((0, max(len(self.word_index), 1)), dtype=np.float32),
                csr_matrix((0, max(len(self.char_vocabulary), 1)), dtype=np.float32),
            )
        if len(parts) == 1:
            return parts[0]
        return (
            vstack([word for word, _ in parts], format="csr"),
            vstack([char for _, char in parts], format="csr"),
        )

    def _batch_blocks(self, words: Words) -> tuple[csr_matrix, csr_matrix]:
        """One batch: texts x distinct words, times distinct words x vocabulary words and
        times distinct words x their n-grams; then each block's sublinear tf, idf, norm."""
        n_distinct = len(words.distinct)
        at, found = find_sorted(self._word_hashes, words.distinct)
        vocabulary_words = csr_matrix(
            (
                np.ones(int(found.sum()), dtype=np.float32),
                (np.flatnonzero(found), self._word_columns[at[found]]),
            ),
            shape=(n_distinct, max(len(self.word_index), 1)),
        )
        first = words.first
        grams = self._ngrams.count(words.points, words.starts[first], words.lengths[first])
        counts = csr_matrix(
            (np.ones(len(words.inverse), dtype=np.float32), (words.text_of, words.inverse)),
            shape=(words.n_texts, n_distinct),
        )
        word_block = self.word_tfidf.transform((counts @ vocabulary_words).tocsr(), copy=False)
        char_block = self.char_tfidf.transform((counts @ grams).tocsr(), copy=False)
        char_block.data *= self.char_weight
        return csr_matrix(word_block), csr_matrix(char_block)

    def _index_vocabularies(self) -> None:
        """The fitted vocabularies as sorted arrays: words by their hash, n-grams by code."""
        names = list(self.word_index)
        hashes = hashes_of(names)
        order = np.argsort(hashes)
        self._word_hashes = hashes[order]
        self._word_columns = np.array([self.word_index[names[i]] for i in order], dtype=np.int64)
        self._ngrams = CharNgramCounter(
            self.char_vocabulary, self.char_ngrams, max(len(self.char_vocabulary), 1)
        )

    def _blocks(self, counts, words):
        """Fitting's two count blocks (the sample's own words and n-grams)."""
        n_words = len(words)
        index = np.array([self.word_index.get(str(w), -1) for w in words], dtype=np.int64)
        rows = np.flatnonzero(index >= 0)
        to_vocab = csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, index[rows])),
            shape=(n_words, max(len(self.word_index), 1)),
        )
        word_block = (counts @ to_vocab).tocsr()
        char_block = (counts @ self._ngrams.count_strings([str(w) for w in words])).tocsr()
        return word_block, char_block

    def _finish(self, word_block, char_block):
        return hstack(
            [
                self.word_tfidf.transform(word_block),
                self.char_tfidf.transform(char_block) * self.char_weight,
            ]
        ).tocsr()


class CharNgramCounter:
    """sklearn's ``char_wb`` counts of single words in a fitted vocabulary, from the words'
    code points in numpy. sklearn pads and slices each word in Python: embedding a million
    units spent most of its time there. Here an n-gram is one integer, its characters'
    places in the vocabulary's alphabet at ``bits`` each (0: a character no n-gram of the
    vocabulary has, so no n-gram holding it can match); the vocabulary's n-grams are
    sorted integers looked up by binary search. An alphabet too large for ``max_n``
    characters in 64 bits (over 4,095 characters for 5-grams) goes to sklearn itself."""

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int], columns: int):
        self.vocabulary = vocabulary
        self.ngram_range = ngram_range
        self.columns = columns
        self.alphabet = np.array(sorted({ord(c) for gram in vocabulary for c in gram}), np.uint32)
        self.bits = len(self.alphabet).bit_length()
        self.exact = self.bits * ngram_range[1] <= 64
        if not self.exact:
            return
        place = {int(c): i + 1 for i, c in enumerate(self.alphabet)}
        codes = np.zeros(len(vocabulary), dtype=np.uint64)
        column = np.zeros(len(vocabulary), dtype=np.int64)
        for i, (gram, col) in enumerate(vocabulary.items()):
            code = 0
            for char in gram:
                code = (code << self.bits) | place[ord(char)]
            codes[i], column[i] = code, col
        order = np.argsort(codes)
        self.codes, self.code_columns = codes[order], column[order]

    def count(self, points: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> csr_matrix:
        """words x vocabulary n-gram counts (float32) of the words ``points[s : s + l]``."""
        n_words = len(starts)
        if not self.exact or not self.vocabulary or n_words == 0:
            return self._by_sklearn(points, starts, lengths)
        lengths = lengths.astype(np.int64)
        padded = lengths + 2  # sklearn's " " + word + " "
        ends = np.cumsum(padded)
        total = int(ends[-1])
        chars = np.full(total, ord(" "), dtype=np.uint32)
        inner = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        chars[np.repeat(ends - padded + 1, lengths) + inner] = points[
            np.repeat(starts, lengths) + inner
        ]
        at, known = find_sorted(self.alphabet, chars)
        places = np.where(known, at + 1, 0).astype(np.uint64)
        word_of = np.repeat(np.arange(n_words), padded)
        end_of = np.repeat(ends, padded)
        low, high = self.ngram_range
        bits = np.uint64(self.bits)
        code, whole = np.zeros(total, dtype=np.uint64), np.ones(total, dtype=bool)
        rows, cols = [], []
        for n in range(1, high + 1):
            span = total - n + 1
            if span <= 0:
                break
            code = (code[:span] << bits) | places[n - 1 :]
            whole = whole[:span] & known[n - 1 :]  # every character in the alphabet
            if n < low:  # a word shorter than the smallest n-gram counts once, whole
                # (only a whole padded word, spaces at both ends, can be a vocabulary
                # n-gram this short: looking at its first place alone is enough)
                at_start = (ends - padded)[padded == n]
                starts_n = at_start[whole[at_start]]
            else:
                starts_n = np.flatnonzero(whole & (np.arange(span) + n <= end_of[:span]))
            codes = code[starts_n]
            at, hit = find_sorted(self.codes, codes)
            rows.append(word_of[starts_n[hit]])
            cols.append(self.code_columns[at[hit]])
        rows_, cols_ = np.concatenate(rows), np.concatenate(cols)
        return csr_matrix(
            (np.ones(len(rows_), dtype=np.float32), (rows_, cols_)),
            shape=(n_words, self.columns),
        )

    def count_strings(self, words: list[str]) -> csr_matrix:
        """The same counts for words given as strings (fitting's sample)."""
        if not words:
            return csr_matrix((0, self.columns), dtype=np.float32)
        return self.count(*code_points_of(words))

    def _by_sklearn(self, points, starts, lengths) -> csr_matrix:
        if not self.vocabulary or len(starts) == 0:
            return csr_matrix((len(starts), self.columns), dtype=np.float32)
        strings = strings_at(points, starts, lengths)
        return _char_wb(self.ngram_range, self.vocabulary).transform(strings).tocsr()


def _char_wb(ngram_range: tuple[int, int], vocabulary: dict[str, int] | None = None):
    """sklearn's counter of character n-grams inside word boundaries, as the themes use it."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        analyzer="char_wb",
        ngram_range=ngram_range,
        lowercase=False,
        vocabulary=vocabulary,
        dtype=np.float32,
    )
