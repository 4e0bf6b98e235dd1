"""Step 2: exact duplicates, then near duplicates, grouped as campaigns.

Exact duplicates are found by hashing the normalised text. Near duplicates (paraphrases,
synonym swaps) are found among the *unique* texts with MinHash + LSH, vectorised in numpy
so a million texts take seconds: word-bigram shingles are hashed by sklearn's
HashingVectorizer (murmurhash, deterministic), each of ``num_perm`` universal hash
functions is applied to all shingles at once, and ``np.minimum.reduceat`` takes the per-text
minimum. Texts that share a band of the signature are candidates; a candidate joins its
bucket's first text when their estimated Jaccard similarity passes ``threshold``, and the
connected components are the groups. A campaign is one position with N supporters: it is
reported with its size and never dropped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .normalise import _TOKEN_RE

_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class CampaignParams:
    num_perm: int = 64
    bands: int = 16  # rows per band = num_perm // bands; threshold ~ (1/bands)^(1/rows)
    threshold: float = 0.6  # estimated Jaccard needed to join a group
    shingle_words: int = 2
    min_campaign_size: int = 3
    seed: int = 42


def exact_groups(normalised_texts: list[str]) -> tuple[np.ndarray, list[int]]:
    """(unique_index per text, first text index of each unique text). Hash keys, not texts."""
    first_of: dict[bytes, int] = {}
    unique_first: list[int] = []
    inverse = np.empty(len(normalised_texts), dtype=np.int64)
    for i, text in enumerate(normalised_texts):
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        u = first_of.get(key)
        if u is None:
            u = first_of[key] = len(unique_first)
            unique_first.append(i)
        inverse[i] = u
    return inverse, unique_first


def _token_hashes(words) -> np.ndarray:
    """A stable 64-bit hash per distinct word: a word's id does not depend on which other
    texts are in the batch, so a partition of the corpus gets the same signatures as the
    whole (analysis/distributed.py)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
         for w in words),
        dtype=np.uint64,
        count=len(words),
    )  # fmt: skip


_SINGLE_WORD = np.uint64(0xA5A5A5A55A5A5A5A)


def _shingles(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Word-bigram shingles of every text as uint64 ids, flattened, with per-text counts.

    Tokens get dense ids from one dict (first-seen order) and each distinct token is hashed
    once; bigrams are ``mix(left) ^ right`` computed in numpy; a one-word text gets its word
    as its shingle. Much faster than a Python n-gram analyser at a million texts."""
    vocabulary: dict[str, int] = {}
    token_ids: list[int] = []
    lengths = np.empty(len(texts), dtype=np.int64)
    setdefault = vocabulary.setdefault
    for i, text in enumerate(texts):
        tokens = _TOKEN_RE.findall(text)
        lengths[i] = len(tokens)
        token_ids.extend([setdefault(t, len(vocabulary)) for t in tokens])
    ids = _token_hashes(list(vocabulary))[np.asarray(token_ids, dtype=np.int64)]
    starts = np.cumsum(lengths) - lengths
    # Global neighbours; a text's bigrams are pairs[start : start + len - 1], never crossing
    # into the next text.
    pairs = _mix(ids[:-1]) ^ ids[1:] if len(ids) > 1 else np.zeros(0, dtype=np.uint64)
    # Per text: its bigrams (len - 1 of them), or its single word.
    counts = np.maximum(lengths - 1, 0)
    counts[lengths == 1] = 1
    shingles = np.empty(int(counts.sum()), dtype=np.uint64)
    out_starts = np.cumsum(counts) - counts
    bigram_texts = np.flatnonzero(lengths > 1)
    if len(bigram_texts):
        for_texts = np.repeat(out_starts[bigram_texts], counts[bigram_texts])
        offsets = np.arange(len(for_texts)) - np.repeat(
            np.cumsum(counts[bigram_texts]) - counts[bigram_texts], counts[bigram_texts]
        )
        source = np.repeat(starts[bigram_texts], counts[bigram_texts]) + offsets
        shingles[for_texts + offsets] = pairs[source]
    single = np.flatnonzero(lengths == 1)
    shingles[out_starts[single]] = ids[starts[single]] ^ _SINGLE_WORD
    return shingles, counts


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads structured ids over 64 bits before universal hashing."""
    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def minhash_signatures(
    texts: list[str], params: CampaignParams, index: np.ndarray | None = None
) -> np.ndarray:
    """One row of ``num_perm`` minima per text; texts with no word get a unique row (from
    their ``index`` among all texts: their position unless given)."""
    shingles, counts = _shingles(texts)
    n = len(texts)
    signatures = np.full((n, params.num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    nonempty = np.flatnonzero(counts > 0)
    still_empty = np.flatnonzero(counts == 0)
    own = still_empty if index is None else np.asarray(index)[still_empty]
    signatures[still_empty, :] = (own[:, None] + (1 << 40)).astype(np.uint64)
    if len(nonempty) == 0:
        return signatures
    mixed = _mix(shingles)
    rng = np.random.default_rng(params.seed)
    # Multiply-shift hashing (Dietzfelbinger): (a*x + b) mod 2^64, top 32 bits; a odd.
    a = rng.integers(0, np.iinfo(np.uint64).max, size=params.num_perm, dtype=np.uint64) | 1
    b = rng.integers(0, np.iinfo(np.uint64).max, size=params.num_perm, dtype=np.uint64)
    starts = (np.cumsum(counts) - counts)[nonempty]
    shift = np.uint64(32)
    with np.errstate(over="ignore"):
        for p in range(params.num_perm):
            hashed = (a[p] * mixed + b[p]) >> shift
            signatures[nonempty, p] = np.minimum.reduceat(hashed, starts)
    return signatures


def band_keys(signatures: np.ndarray, band: int, params: CampaignParams) -> np.ndarray:
    """One uint64 key per text for one band (wrapping polynomial hash); collisions are
    harmless because every candidate pair is verified on the full signature."""
    rows = params.num_perm // params.bands
    keys = signatures[:, band * rows].copy()
    with np.errstate(over="ignore"):
        for column in range(band * rows + 1, (band + 1) * rows):
            keys = keys * _BAND_MULTIPLIER + signatures[:, column]
    return keys


def bucket_candidates(keys: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(members, leaders): every text whose key another text has, with the leader of its
    bucket, the text of lowest ``index`` (``index`` ascending on entry)."""
    n = len(keys)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = sorted_keys[1:] != sorted_keys[:-1]
    leader_pos = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    return index[order[~new_group]], index[order[leader_pos[~new_group]]]


def verified_edges(signatures, members, leaders, params: CampaignParams) -> np.ndarray:
    """Which candidate pairs pass the estimated Jaccard similarity ``threshold``."""
    similarity = (signatures[members] == signatures[leaders]).mean(axis=1)
    return similarity >= params.threshold


def components(n: int, sources: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    """Connected components of the verified edges, numbered in order of first appearance."""
    if sources:
        src = np.concatenate(sources)
        dst = np.concatenate(targets)
    else:
        src = dst = np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return canonical_labels(labels)


def near_duplicate_labels(texts: list[str], params: CampaignParams) -> np.ndarray:
    """Group label per text (connected components of verified LSH candidates)."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    signatures = minhash_signatures(texts, params)
    index = np.arange(n)
    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for band in range(params.bands):
        members, leaders = bucket_candidates(band_keys(signatures, band, params), index)
        if len(members) == 0:
            continue
        keep = verified_edges(signatures, members, leaders, params)
        sources.append(members[keep])
        targets.append(leaders[keep])
    return components(n, sources, targets)


def canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber labels in order of first appearance, so output does not depend on internals."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty(len(first), dtype=np.int64)
    remap[order] = np.arange(len(first))
    _, inverse = np.unique(labels, return_inverse=True)
    return remap[inverse]


@dataclass
class Grouping:
    """Every submission's group (unit). Units of size >= min size are campaigns."""

    unit_of: np.ndarray  # per submission: unit index
    unit_first: list[int]  # per unit: index of one submission (its most common exact text)
    unit_size: np.ndarray  # per unit: number of submissions
    exact_duplicates: int  # submissions whose exact normalised text appeared before
    near_duplicates: int  # further submissions merged by near-duplicate detection


def group_submissions(normalised_texts: list[str], params: CampaignParams) -> Grouping:
    inverse, unique_first = exact_groups(normalised_texts)
    unique_texts = [normalised_texts[i] for i in unique_first]
    near = near_duplicate_labels(unique_texts, params)
    exact_counts = np.bincount(inverse, minlength=len(unique_first))
    grouping = units(near, exact_counts, np.asarray(unique_first, dtype=np.int64))
    grouping.unit_of = near[inverse]
    return grouping


def units(near: np.ndarray, exact_counts: np.ndarray, unique_first: np.ndarray) -> Grouping:
    """Units from the near-duplicate label of each unique text (``near``), how many
    submissions sent it (``exact_counts``) and where it first appears (``unique_first``).
    ``unit_of`` is left empty: it is ``near[inverse]``, per submission."""
    unit_size = np.bincount(near, weights=exact_counts, minlength=int(near.max(initial=-1)) + 1)
    unit_size = unit_size.astype(np.int64)
    # Representative: the exact text most submitters sent (ties: the earliest).
    order = np.lexsort((np.arange(len(unique_first)), -exact_counts, near))
    unit_first_unique = order[np.r_[True, near[order][1:] != near[order][:-1]]]
    unit_first = [int(unique_first[u]) for u in unit_first_unique]
    n_units = len(unit_size)
    return Grouping(
        unit_of=np.zeros(0, dtype=np.int64),
        unit_first=unit_first,
        unit_size=unit_size,
        exact_duplicates=int(exact_counts.sum()) - len(unique_first),
        near_duplicates=len(unique_first) - n_units,
    )


def describe_campaigns(corpus, grouping: Grouping, params: CampaignParams) -> list[dict]:
    """Campaigns (units with at least ``min_campaign_size`` submissions), largest first."""
    big = np.flatnonzero(grouping.unit_size >= params.min_campaign_size)
    if len(big) == 0:
        return []
    members_by_unit: dict[int, list[int]] = {int(u): [] for u in big}
    for i, u in enumerate(grouping.unit_of.tolist()):
        bucket = members_by_unit.get(u)
        if bucket is not None:
            bucket.append(i)
    campaigns = []
    for u in sorted(members_by_unit, key=lambda u: (-grouping.unit_size[u], u)):
        members = members_by_unit[u]
        created = [corpus.created[i] for i in members if corpus.created[i]]
        anonymous = [corpus.anonymous[i] for i in members if corpus.anonymous[i] is not None]
        rep = grouping.unit_first[u]
        stances = Counter(corpus.stances[i] for i in members if corpus.stances[i])
        campaigns.append(
            {
                "unit": int(u),
                "size": len(members),
                "representative": corpus.ids[rep],
                "representative_text": corpus.texts[rep],
                "first": min(created) if created else None,
                "last": max(created) if created else None,
                "share_anonymous": (
                    round(sum(anonymous) / len(anonymous), 4) if anonymous else None
                ),
                "stances": dict(sorted(stances.items())),
                "members": [corpus.ids[i] for i in members],
            }
        )
    return campaigns
