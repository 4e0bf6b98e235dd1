"""Step 3: themes. TF-IDF (words + character n-grams), SVD, k-means with k by silhouette.

Character n-grams inside word boundaries (``char_wb``) match Urdu words across spelling
variants and English inflections without a stemmer; they count half as much as the words.
Function words and the modal and filler words of comments ("should", "please", "چاہیے") are
left out of the word features in both languages. The SVD keeps at most one component per
eight units, so that on a small consultation it still reduces (LSA).

Each *unit* (a campaign or a single submission) is clustered once, weighted by its size,
so a campaign cannot drag a theme's centre, yet every one of its supporters ends in that
theme. To stay fast at a million texts, the vectoriser, SVD and k-means are fitted on a
fixed-seed sample of units and all units are then assigned to the nearest centre: there is
no outlier bucket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix, hstack

from text.urdu import is_urdu_script

from .normalise import STOP_WORDS, TOKEN_PATTERN
from .vectorise import WordCharTfidf

if TYPE_CHECKING:
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD

# scikit-learn is imported where it is used: importing it costs about a second and a half,
# and this module is imported (through analysis.services and the admin's hooks) by every
# web process, worker and manage.py command, most of which never cluster anything.


@dataclass(frozen=True)
class ThemeParams:
    k_min: int = 4
    k_max: int = 12  # a report with more themes than this is hard to read and answer
    svd_components: int = 64
    # At most one SVD component per this many fitted units: on a small consultation (a few
    # hundred texts) 64 components keep nearly every direction and the reduction merges
    # nothing; fewer make words used together count together (LSA). 0 turns it off.
    svd_docs_per_component: float = 8.0
    # Weight of the character n-gram block against the word block (each L2-normalised). The
    # n-grams match spelling variants and inflections, but outnumber the words ten to one.
    char_weight: float = 0.5
    fit_sample: int = 10000  # units used to fit vectoriser, SVD and k-means
    silhouette_sample: int = 2000
    char_ngrams: tuple[int, int] = (3, 5)
    max_features: int = 50000
    terms_per_theme: int = 8
    quotes_per_theme: int = 3
    # Weight of the clause a submission is about, as one extra one-hot feature block. It
    # bridges languages: an Urdu and an English comment on the labelling clause share it,
    # where their words share nothing. 0 turns it off.
    clause_weight: float = 1.0
    seed: int = 42


def _vectoriser(params: ThemeParams, n_docs: int) -> WordCharTfidf:
    return WordCharTfidf(
        char_ngrams=params.char_ngrams,
        max_features=params.max_features,
        min_df=2 if n_docs >= 50 else 1,
        max_df=0.5,
        char_weight=params.char_weight,
        stop_words=LABEL_STOP_WORDS,
    )


@dataclass
class ThemeModel:
    labels: np.ndarray  # per unit: theme index
    k: int
    silhouette_by_k: dict[int, float]
    distance: np.ndarray  # per unit: cosine distance to its theme centre
    sample: np.ndarray  # unit indices used to fit
    terms: list[list[str]]
    phrases: list[str] | None = None  # per theme: a short readable label


def _clause_block(categories, vocabulary: dict[str, int], weight: float):
    rows = [i for i, c in enumerate(categories) if c in vocabulary]
    cols = [vocabulary[categories[i]] for i in rows]
    data = np.full(len(rows), weight, dtype=np.float32)
    return csr_matrix((data, (rows, cols)), shape=(len(categories), max(len(vocabulary), 1)))


def _features(vectoriser, texts, categories, vocabulary, weight, fit=False):
    matrix = vectoriser.fit_transform(texts) if fit else vectoriser.transform(texts)
    if weight <= 0 or not vocabulary:
        return matrix
    return hstack([matrix, _clause_block(categories, vocabulary, weight)]).tocsr()


def _embed(vectoriser, svd, texts, categories, vocabulary, weight, chunk=20000) -> np.ndarray:
    """``svd.transform`` of each chunk's features, block by block: the word block, the char
    block and the clause block each times its rows of the components, rather than stacked
    side by side first (a copy of every entry of the chunk)."""
    from sklearn.preprocessing import normalize

    components = np.ascontiguousarray(svd.components_.T)  # features x components
    n_words = max(len(vectoriser.word_index), 1)
    n_text = components.shape[0] - (len(vocabulary) if weight > 0 and vocabulary else 0)
    words_part, chars_part = components[:n_words], components[n_words:n_text]
    clause_part = components[n_text:]
    parts = []
    for start in range(0, len(texts), chunk):
        word_block, char_block = vectoriser.weighted_blocks(texts[start : start + chunk])
        reduced = word_block @ words_part
        reduced += char_block @ chars_part
        if len(clause_part):
            block = _clause_block(categories[start : start + chunk], vocabulary, weight).tocoo()
            reduced[block.row] += block.data[:, None].astype(np.float64) * clause_part[block.col]
        parts.append(normalize(reduced).astype(np.float32))
    return np.vstack(parts) if parts else np.zeros((0, svd.n_components), dtype=np.float32)


def clause_vocabulary(categories) -> dict[str, int]:
    return {c: i for i, c in enumerate(sorted({c for c in categories if c}))}


def fit_sample(n: int, params: ThemeParams) -> np.ndarray:
    """The units the model is fitted on: all, or a fixed-seed sample of ``fit_sample``."""
    rng = np.random.default_rng(params.seed)
    if n > params.fit_sample:
        return np.sort(rng.choice(n, size=params.fit_sample, replace=False))
    return np.arange(n)


@dataclass
class FittedThemes:
    """The vectoriser, SVD and centres fitted on the sample: what assigns any unit."""

    vectoriser: WordCharTfidf
    svd: TruncatedSVD
    centres: np.ndarray
    k: int
    silhouette_by_k: dict[int, float]
    vocabulary: dict[str, int]  # clause key -> column of the clause block
    clause_weight: float
    reduced: np.ndarray  # the sample's own embedding

    def assign(self, texts, categories) -> tuple[np.ndarray, np.ndarray]:
        """(nearest centre, cosine distance to it) per text, embedded in chunks."""
        embedded = _embed(
            self.vectoriser, self.svd, texts, categories, self.vocabulary, self.clause_weight
        )
        return self.nearest(embedded)

    def nearest(self, embedded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        similarity = embedded @ self.centres.T
        labels = np.argmax(similarity, axis=1)
        return labels, 1.0 - similarity[np.arange(len(labels)), labels]


def fit_themes(sample_texts, sample_categories, sample_weights, vocabulary, params) -> FittedThemes:
    """Vectoriser, SVD and k-means (k by silhouette) on the sample's texts (3 or more)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    vectoriser = _vectoriser(params, len(sample_texts))
    matrix = _features(
        vectoriser, sample_texts, sample_categories, vocabulary, params.clause_weight, fit=True
    )
    n_sample = len(sample_texts)
    components = max(2, min(params.svd_components, matrix.shape[1] - 1, n_sample - 1))
    if params.svd_docs_per_component > 0:
        components = max(2, min(components, int(n_sample / params.svd_docs_per_component)))
    svd = TruncatedSVD(n_components=components, random_state=params.seed, algorithm="randomized")
    reduced = normalize(svd.fit_transform(matrix)).astype(np.float32)
    sample_weight = np.asarray(sample_weights).astype(np.float64)

    sil_rng = np.random.default_rng(params.seed + 1)
    sil_idx = (
        np.sort(sil_rng.choice(n_sample, size=params.silhouette_sample, replace=False))
        if n_sample > params.silhouette_sample
        else np.arange(n_sample)
    )
    k_max = min(params.k_max, n_sample - 1)
    k_min = min(params.k_min, k_max)
    best = None
    scores: dict[int, float] = {}
    for k in range(max(2, k_min), k_max + 1):
        model = _kmeans(k, params).fit(reduced, sample_weight=sample_weight)
        sub_labels = model.labels_[sil_idx]
        if len(set(sub_labels.tolist())) < 2:
            continue
        score = float(silhouette_score(reduced[sil_idx], sub_labels, metric="cosine"))
        scores[k] = round(score, 4)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, model)
    if best is None:
        k, model = 1, _kmeans(1, params).fit(reduced, sample_weight=sample_weight)
    else:
        _, k, model = best
    centres = normalize(model.cluster_centers_).astype(np.float32)
    return FittedThemes(
        vectoriser, svd, centres, k, scores, vocabulary, params.clause_weight, reduced
    )


def cluster_units(
    texts: list[str], weights: np.ndarray, params: ThemeParams, categories: list[str] | None = None
) -> ThemeModel:
    """Cluster unit texts (normalised). ``weights``: supporters per unit; ``categories``:
    the clause key per unit ('' for none)."""
    n = len(texts)
    categories = categories or [""] * n
    vocabulary = clause_vocabulary(categories)
    if n == 0:
        return ThemeModel(np.zeros(0, int), 0, {}, np.zeros(0), np.zeros(0, int), [])
    sample = fit_sample(n, params)
    sample_texts = [texts[i] for i in sample]
    if n < 3:
        labels = np.zeros(n, dtype=np.int64)
        return ThemeModel(
            labels,
            1,
            {},
            np.zeros(n),
            sample,
            [_top_terms(texts, labels, 1, params)[0]],
            theme_phrases(texts, labels, 1, weights),
        )
    fitted = fit_themes(
        sample_texts, [categories[i] for i in sample], weights[sample], vocabulary, params
    )
    if len(sample) == n:
        labels, distance = fitted.nearest(fitted.reduced)
    else:
        labels, distance = fitted.assign(texts, categories)
    k = fitted.k
    labels, order = order_by_weight(labels, weights, k)
    terms, phrases = describe_themes(sample_texts, labels[sample], k, weights[sample], params)
    return ThemeModel(labels, k, fitted.silhouette_by_k, distance, sample, terms, phrases)


def describe_themes(sample_texts, sample_labels, k, sample_weights, params: ThemeParams):
    """(terms, phrase) per theme, from the sample's texts."""
    terms = _top_terms(sample_texts, sample_labels, k, params, sample_weights)
    phrases = theme_phrases(sample_texts, sample_labels, k, sample_weights)
    return terms, phrases


def _kmeans(k: int, params: ThemeParams) -> MiniBatchKMeans:
    from sklearn.cluster import MiniBatchKMeans

    return MiniBatchKMeans(
        n_clusters=k, random_state=params.seed, n_init=3, batch_size=4096, max_iter=100
    )


def order_by_weight(labels: np.ndarray, weights: np.ndarray, k: int):
    """Theme 0 is the one with most supporters: stable, readable numbering."""
    totals = np.bincount(labels, weights=weights, minlength=k)
    order = np.lexsort((np.arange(k), -totals))
    remap = np.empty(k, dtype=np.int64)
    remap[order] = np.arange(k)
    return remap[labels], order


def _top_terms(texts, labels, k, params: ThemeParams, weights=None) -> list[list[str]]:
    """Class-based TF-IDF (as in BERTopic): terms frequent in a theme, rare in the others."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(
        token_pattern=TOKEN_PATTERN,
        lowercase=False,
        stop_words=sorted(STOP_WORDS),
        min_df=1,
        dtype=np.float32,
    )
    try:
        counts = counter.fit_transform(texts)
    except ValueError:  # only stop words
        return [[] for _ in range(k)]
    if weights is not None:
        counts = counts.multiply(np.asarray(weights, dtype=np.float32)[:, None]).tocsr()
    vocabulary = np.array(counter.get_feature_names_out())
    per_class = np.zeros((k, counts.shape[1]), dtype=np.float64)
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        if len(rows):
            per_class[c] = np.asarray(counts[rows].sum(axis=0)).ravel()
    term_freq = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1e-12)
    average_words = per_class.sum() / max(k, 1)
    idf = np.log(1 + average_words / np.maximum(per_class.sum(axis=0), 1e-12))
    ctfidf = term_freq * idf
    result = []
    for c in range(k):
        top = np.lexsort((vocabulary, -ctfidf[c]))[: params.terms_per_theme]
        result.append([str(vocabulary[i]) for i in top if ctfidf[c, i] > 0])
    return result


# What never belongs in a label: redaction placeholders ("[phone number removed]"), markup,
# addresses of web pages; and words that carry no topic in either language.
_NOT_WORDS_RE = re.compile(r"\[[^\]\n]{0,60}\]|<[^>\n]{0,200}>|https?://\S+|www\.\S+|&\w+;")
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_FILLER = (
    # English: modal and filler words frequent in comments.
    """would should could will shall must may might also please think believe feel like want
    need make made get many much every really very well us we our they them their this that
    these those there which who whom whose what when where why how than then such some any
    one ones"""
    # Urdu: pronouns, auxiliaries and particles (common spellings after normalisation).
    """ ہماری ہمارا ہمارے ہم آپ آپکی ان انہیں انکی اس اسے اسکی یہ وہ جو جس جن کہ بھی تو نہ
    نہیں پر اور یا لیے لئے ساتھ بہت اپنی اپنا اپنے سب کچھ کوئی کسی جائیں جائے جاتا جاتی جاتے
    جا کریں کرے کرنا کرتے کرتی کیا کی گیا گئی گئے ہو ہوں ہوتا ہوتی ہوتے ہونا ہوگا ہوگی تھا
    تھی تھے رہا رہی رہے چاہیے چاہئے سکتا سکتی سکتے دیا دی دیں والا والی والے ہی"""
)
LABEL_STOP_WORDS = STOP_WORDS | frozenset(_FILLER.split())
PHRASE_WORDS = (2, 4)


def _label_words(text: str) -> list[str]:
    return _TOKEN_RE.findall(_NOT_WORDS_RE.sub(" . ", text))


def _phrases(text: str) -> list[str]:
    """Word n-grams (2-4 words) that neither start nor end with a stop word and do not run
    across a removed placeholder or the end of a sentence."""
    result = []
    for piece in re.split(r"[.!?؟۔\n]| \. ", _NOT_WORDS_RE.sub(" . ", text)):
        words = _TOKEN_RE.findall(piece)
        for size in range(PHRASE_WORDS[0], PHRASE_WORDS[1] + 1):
            for i in range(len(words) - size + 1):
                gram = words[i : i + size]
                if gram[0] in LABEL_STOP_WORDS or gram[-1] in LABEL_STOP_WORDS:
                    continue
                if any(w.isdigit() for w in gram):
                    continue
                result.append(" ".join(gram))
    return result


def _best_phrase(ctfidf_row, vocabulary, script_filter=None) -> str:
    order = np.lexsort((vocabulary, -ctfidf_row))
    for i in order[:2000]:
        if ctfidf_row[i] <= 0:
            break
        phrase = str(vocabulary[i])
        if script_filter is None or script_filter(phrase):
            return phrase
    return ""


def theme_phrases(texts, labels, k, weights=None, *, mixed_share: float = 0.25) -> list[str]:
    """A short label per theme: the 2-4 word phrase ranked first by class-based TF-IDF
    (longer phrases win ties, being more specific). A theme whose members write in both
    Urdu script and Latin letters (each at least ``mixed_share``) gets one phrase in each;
    a theme with no repeated phrase falls back to its best single word."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(analyzer=_phrases, min_df=1, dtype=np.float32)
    words = CountVectorizer(
        analyzer=lambda t: [w for w in _label_words(t) if w not in LABEL_STOP_WORDS],
        dtype=np.float32,
    )
    labels = np.asarray(labels)
    weights = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=np.float64)
    urdu = np.array([is_urdu_script(t) for t in texts], dtype=bool)
    tables = []
    for vectoriser in (counter, words):
        try:
            counts = vectoriser.fit_transform(texts)
        except ValueError:  # nothing left
            tables.append(None)
            continue
        counts = counts.multiply(weights[:, None].astype(np.float32)).tocsr()
        vocabulary = np.array(vectoriser.get_feature_names_out())
        tables.append((_ctfidf(counts, labels, k), vocabulary))
    result = []
    for c in range(k):
        members = labels == c
        share_urdu = float(weights[members & urdu].sum() / max(weights[members].sum(), 1e-12))
        scripts = []
        if share_urdu >= mixed_share:
            scripts.append(is_urdu_script)
        if share_urdu <= 1 - mixed_share:
            scripts.append(lambda p: not is_urdu_script(p))
        parts = []
        for script in scripts:
            phrase = ""
            for table in tables:
                if table is not None and not phrase:
                    ctfidf, vocabulary = table
                    phrase = _best_phrase(ctfidf[c], vocabulary, script)
            if phrase:
                parts.append(phrase)
        result.append(" / ".join(parts))
    return result


def _ctfidf(counts, labels, k) -> np.ndarray:
    per_class = np.zeros((k, counts.shape[1]), dtype=np.float64)
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        if len(rows):
            per_class[c] = np.asarray(counts[rows].sum(axis=0)).ravel()
    term_freq = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1e-12)
    average_words = per_class.sum() / max(k, 1)
    idf = np.log(1 + average_words / np.maximum(per_class.sum(axis=0), 1e-12))
    return term_freq * idf


def pick_quotes(unit_ids: np.ndarray, distance: np.ndarray, groups: list[str], n: int) -> list[int]:
    """Units nearest the centre, one per stakeholder group first, then the next nearest."""
    order = unit_ids[np.argsort(distance[unit_ids], kind="stable")]
    chosen: list[int] = []
    seen: set[str] = set()
    for u in order.tolist():
        if groups[u] not in seen:
            chosen.append(u)
            seen.add(groups[u])
            if len(chosen) == n:
                return chosen
    for u in order.tolist():
        if u not in chosen:
            chosen.append(u)
            if len(chosen) == n:
                break
    return chosen
