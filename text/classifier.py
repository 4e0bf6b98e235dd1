"""Spam / abuse classifier: TF-IDF (character and word n-grams) + logistic regression.

Trained on the labelled set in ``text/data/labelled.jsonl`` the first time it is
needed and pickled under ``VAR_DIR/moderation``, keyed by the data's hash, so every process
after the first loads it in milliseconds and a changed data set retrains by itself. A score
only ever *holds* a submission for a person to look at.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
import weakref
from pathlib import Path

from django.conf import settings

DATA_PATH = Path(__file__).resolve().parent / "data" / "labelled.jsonl"
LABELS = ("ham", "spam", "abuse")
# Change this when build_pipeline changes, so cached pickles of the old pipeline are not used.
PIPELINE_VERSION = "2"
_lock = threading.Lock()
_cached: dict[str, object] = {}


def load_rows(path: Path = DATA_PATH) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def is_held_out(row: dict) -> bool:
    """Whole templates are held out, so evaluation uses sentence shapes never trained on."""
    digest = hashlib.sha1(row["group"].encode()).digest()
    return digest[0] % 5 == 0


def build_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True)),
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ]
    )
    return Pipeline([("features", features), ("model", LogisticRegression(C=8.0, max_iter=2000))])


def train(rows: list[dict]):
    pipeline = build_pipeline()
    pipeline.fit([r["text"] for r in rows], [r["label"] for r in rows])
    return pipeline


_keys: dict[tuple, str] = {}


def data_key() -> str:
    """Hash of the labelled data, the pipeline version and scikit-learn's version.

    Hashed once per version of the file (its size and modification time), not on every
    submission: reading and hashing the data set was a fixed cost of each comment post."""
    stat = DATA_PATH.stat()
    marker = (str(DATA_PATH), stat.st_mtime_ns, stat.st_size)
    key = _keys.get(marker)
    if key is None:
        key = _keys[marker] = _hash_data()
    return key


def _hash_data() -> str:
    import sklearn

    digest = hashlib.sha256(DATA_PATH.read_bytes())
    digest.update(f"{PIPELINE_VERSION}:{sklearn.__version__}".encode())
    return digest.hexdigest()


def _cache_path(data_hash: str) -> Path:
    return Path(settings.VAR_DIR) / "moderation" / f"classifier-{data_hash[:16]}.pkl"


def get_classifier():
    """The trained pipeline: from memory, else the pickle for this data, else trained now."""
    data_hash = data_key()
    if data_hash in _cached:
        return _cached[data_hash]
    with _lock:
        if data_hash in _cached:
            return _cached[data_hash]
        path = _cache_path(data_hash)
        pipeline = None
        if path.exists():
            try:
                pipeline = pickle.loads(path.read_bytes())  # our own file
            except Exception:  # a stale pickle (other sklearn) is retrained
                pipeline = None
        if pipeline is None:
            pipeline = train(load_rows())
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(pipeline))
            tmp.replace(path)
        _cached.clear()
        _cached[data_hash] = pipeline
        return pipeline


class LinearScorer:
    """``predict_proba`` of the fitted pipeline, computed directly: each vectoriser's
    transform, one sparse product with the model's weights and a softmax.

    Screening scores one text per comment post, and for one text scikit-learn's own path
    (parameter validation, the feature union's bookkeeping) cost twice the arithmetic:
    about 1 ms of every post's CPU under a deadline flood. Same numbers as
    ``predict_proba`` (tests/text/test_classifier.py compares them on the labelled data).
    """

    def __init__(self, pipeline):
        import numpy as np

        union, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        self.vectorisers = [vectoriser for _name, vectoriser in union.transformer_list]
        self.weights = np.ascontiguousarray(model.coef_.T)
        self.intercept = model.intercept_
        self.classes = [str(label) for label in model.classes_]

    def probabilities(self, texts: list[str]):
        import numpy as np
        from scipy import sparse

        features = sparse.hstack([v.transform(texts) for v in self.vectorisers], format="csr")
        scores = features @ self.weights + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)


_scorers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def score_texts(texts: list[str]) -> list[dict[str, float]]:
    """Probability of each label for each text (batched: one transform for all)."""
    pipeline = get_classifier()
    scorer = _scorers.get(pipeline)
    if scorer is None:
        scorer = _scorers[pipeline] = LinearScorer(pipeline)
    probabilities = scorer.probabilities(texts)
    return [
        {label: float(value) for label, value in zip(scorer.classes, row, strict=True)}
        for row in probabilities
    ]
