"""Step 2: exact duplicates, then near duplicates, grouped as campaigns.

Exact duplicates are found by hashing the normalised text. Near duplicates are found among
the *unique* texts with MinHash + LSH, vectorised in numpy so a million texts take seconds.
A text's features are computed from its words' *keys* (:func:`token_key`), so copies that
differ in spelling, not in wording, have the same features:

* Urdu script: the heh forms (ہ ھ ۂ) are one letter, and a space after a letter that does
  not join (ا د ر و ے ...) is dropped, as typists put a space, a zero-width non-joiner or
  nothing there (``analysis.normalise`` has already folded Arabic letter forms and turned
  zero-width breaks into spaces);
* Latin script (English, Roman Urdu): a consonant skeleton (q -> k, vowels and an inner h
  dropped, a nasal n at the end dropped, doubled letters once), so hai/hay/he, nahin/nahi/nai
  and qanoon/kanoon/qanun each give one key.

**Quotations of the draft are not shared authorship.** Every run of ``draft_words`` words
that also occurs in the draft's clause texts (:func:`draft_index`) is removed from a text
before its features are taken: twelve people who quote the same sub-rule share nothing else.

Three kinds of evidence join two unique texts (``verified_edges``, ``linked``):

1. **copies**: word-bigram shingles, estimated Jaccard similarity >= ``threshold``;
2. **cut copies**: runs of ``cut_words`` words (order kept: a cut copy is a stretch of the
   letter, not its sentences shuffled), the shorter text's share in the longer (containment,
   from the Jaccard estimate and both sizes) >= ``containment``, when the shorter has at
   least ``min_contained`` runs;
3. **reworded letters** (the meaning-level pass): the sets of content words (no stop words,
   no quotation of the draft; at least ``meaning_min_words`` each), estimated Jaccard >=
   ``meaning_threshold``, only between submissions on the same clause with the same
   (non-empty) stance, sent within ``meaning_window_hours`` of each other: a campaign is one
   position, launched at one time. Comments that agree on a topic but not on a position, or
   are weeks apart, are not joined; nor are pairs no more alike than the
   ``meaning_background`` quantile of pairs on that position sent further apart
   (``meaning_edges``: where comments on a position are this alike anyway, likeness is no
   evidence); and a reworded group needs ``meaning_min_texts`` distinct texts, each with
   ``meaning_min_partners`` such partners.

Each block of universal hash functions (``num_perm``, ``cut_perm``, ``meaning_perm``) is
applied to all shingles at once and ``np.minimum.reduceat`` takes the per-text minimum.
Texts that share a band of a block (pass 3: and the clause and stance) are candidates; a
candidate is verified against its bucket's first text, and the connected components of the
verified pairs are the groups. A campaign is one position with N supporters: it is reported
with its size and never dropped.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .normalise import STOP_WORDS, normalise
from .words import batches, find_sorted, mix

_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class CampaignParams:
    num_perm: int = 64
    bands: int = 16  # rows per band = num_perm // bands; threshold ~ (1/bands)^(1/rows)
    threshold: float = 0.6  # estimated Jaccard needed to join a group
    shingle_words: int = 2
    min_campaign_size: int = 3
    seed: int = 42
    cut_words: int = 6  # cut copies: compared by their runs of this many words
    cut_perm: int = 64
    cut_bands: int = 16
    containment: float = 0.9  # estimated share of the shorter text's runs in the longer
    min_contained: int = 16  # runs the shorter text needs for containment to count
    draft_words: int = 4  # a run of this many words found in the draft is a quotation
    meaning_perm: int = 64
    meaning_bands: int = 32
    meaning_threshold: float = 0.25  # estimated Jaccard of the content-word sets
    meaning_window_hours: int = 72
    meaning_min_texts: int = 5
    meaning_min_words: int = 8  # content words each text needs (outside quotations)
    meaning_min_partners: int = 2
    meaning_background: float = 0.99  # quantile of the background a pair must exceed


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


def _hash64(strings) -> np.ndarray:
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "little")
         for s in strings),
        dtype=np.uint64,
        count=len(strings),
    )  # fmt: skip


# --- words and their keys ------------------------------------------------------------------
_HEH = str.maketrans({"ھ": "ہ", "ۂ": "ہ", "ۃ": "ہ", "ؤ": "و"})
_VOWELS = frozenset("aeiouy")


def _token_ids(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hash of each word's key, flattened; words per text; stop-word flag per word).

    Words are ``TOKEN_PATTERN``'s once Urdu's optional spaces are gone (found without a
    regex: analysis/words.py); each distinct word is keyed (:func:`token_key`) and hashed
    once. A word's hash depends on the word alone, so a partition of the corpus gets the
    same features as the whole (analysis/distributed.py)."""
    # The distinct words seen so far (their hashes, ascending), each one's key's hash and
    # whether it is a stop word: arrays a batch's distinct words are found in by binary search.
    known, known_keys = np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    known_stop = np.zeros(0, dtype=bool)
    ids, stop, counts = [], [], []
    for _, words in batches(texts, join_urdu=True):
        at, seen = find_sorted(known, words.distinct)
        new = np.flatnonzero(~seen)
        if len(new):
            keys = [token_key(w) for w in words.strings(new)]
            flags = [key in _STOP_KEYS or len(key) < 2 for key in keys]
            known = np.insert(known, at[new], words.distinct[new])
            known_keys = np.insert(known_keys, at[new], _hash64(keys))
            known_stop = np.insert(known_stop, at[new], flags)
            at = np.searchsorted(known, words.distinct)
        ids.append(known_keys[at][words.inverse])
        stop.append(known_stop[at][words.inverse])
        counts.append(np.bincount(words.text_of, minlength=words.n_texts))
    if not texts:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, bool)
    return np.concatenate(ids), np.concatenate(counts).astype(np.int64), np.concatenate(stop)


def token_key(token: str) -> str:
    """What a word is compared by: Latin words by a consonant skeleton, Urdu words with one
    heh. ``nahin``, ``nahi``, ``nai`` -> ``n``; ``qanoon``, ``kanun`` -> ``kn``."""
    if token.isascii():
        if not token.isalpha():
            return token
        word = token.replace("q", "k")
        if len(word) > 2 and word[-1] == "n" and word[-2] in _VOWELS:
            word = word[:-1]  # a nasal ending: hain/hai, nahin/nahi, mein/me
        out = "a" if word[0] in _VOWELS else word[0]
        for ch in word[1:]:
            if ch in _VOWELS or ch == "h" or ch == out[-1]:
                continue
            out += ch
        return out
    return token.translate(_HEH)


_STOP_KEYS = frozenset(token_key(w) for w in STOP_WORDS)


# --- the draft ------------------------------------------------------------------------------
def draft_index(draft: Sequence[str], params: CampaignParams) -> np.ndarray:
    """Sorted hashes of every run of ``draft_words`` word keys in the draft's clause texts
    (raw texts: normalised here as submissions are)."""
    texts = [normalise(t) for t in draft if t and t.strip()]
    if not texts:
        return np.zeros(0, dtype=np.uint64)
    ids, lengths, _ = _token_ids(texts)
    return np.unique(_runs(ids, lengths, params.draft_words)[0])


def _runs(ids: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(hash of every run of ``n`` consecutive words inside a text, its first position).

    Every position of the corpus is hashed with its next ``n - 1`` words over contiguous
    slices (gathering them run by run was slower), and the runs that stay inside their
    text are kept: those starting at most ``n`` words before the text's end."""
    total = len(ids)
    if total < n:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    span = total - n + 1
    last_start = np.repeat(np.cumsum(lengths) - n, lengths)[:span]
    first = np.flatnonzero(np.arange(span) <= last_start)
    runs = ids[:span].copy()
    for j in range(1, n):
        mix(runs, out=runs)
        np.bitwise_xor(runs, ids[j : span + j], out=runs)
    return runs[first], first


def _run_counts(lengths: np.ndarray, n: int) -> np.ndarray:
    """Runs of ``n`` words per text (:func:`_runs`)."""
    return np.maximum(lengths - (n - 1), 0).astype(np.int64)


def _without_quotations(ids, lengths, stop, draft: np.ndarray | None, n: int):
    """The words outside every run of ``n`` words that the draft also has."""
    if draft is None or len(draft) == 0 or len(ids) == 0:
        return ids, lengths, stop
    runs, first = _runs(ids, lengths, n)
    hits = first[np.isin(runs, draft)]
    if len(hits) == 0:
        return ids, lengths, stop
    cover = np.zeros(len(ids) + 1, dtype=np.int64)
    np.add.at(cover, hits, 1)
    np.add.at(cover, hits + n, -1)
    keep = np.cumsum(cover[:-1]) == 0
    text_of = np.repeat(np.arange(len(lengths)), lengths)
    kept_lengths = np.bincount(text_of[keep], minlength=len(lengths)).astype(np.int64)
    return ids[keep], kept_lengths, stop[keep]


_SINGLE_WORD = np.uint64(0xA5A5A5A55A5A5A5A)
_MEANING_SALT = np.uint64(0x5BD1E9955BD1E995)


def _bigrams(ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word-bigram shingles of every text as uint64 ids, flattened, with per-text counts.

    Bigrams are ``mix(left) ^ right`` computed in numpy; a one-word text gets its word as its
    shingle. Every word but the corpus's last is paired with the next, then the pairs that
    cross into the next text are dropped (a one-word text keeps its word instead): a few
    passes over the words, much faster than a Python n-gram analyser at a million texts."""
    total = len(ids)
    pairs = np.empty(total, dtype=np.uint64)
    if total > 1:
        mix(ids[:-1], out=pairs[:-1])
        np.bitwise_xor(pairs[:-1], ids[1:], out=pairs[:-1])
    last = np.cumsum(lengths)[lengths > 0] - 1  # each text's last word starts no bigram
    keep = np.ones(total, dtype=bool)
    keep[last] = False
    single = last[lengths[lengths > 0] == 1]
    keep[single] = True
    pairs[single] = ids[single] ^ _SINGLE_WORD
    counts = np.maximum(lengths - 1, 0)
    counts[lengths == 1] = 1
    return pairs[keep], counts


_SHINGLES_PER_CHUNK = 1 << 14  # 128 kB of uint64: each chunk's hashing stays in the CPU's cache


def _minhash(shingles, counts, num_perm: int, seed: int, own: np.ndarray, out=None) -> np.ndarray:
    """One row of ``num_perm`` minima per text; a text without shingles gets a row of its
    own (from ``own``, its index among all texts) that matches no other. Written into
    ``out`` where given (columns of the signature rows: no second copy of the block).

    The texts are taken a chunk of about ``_SHINGLES_PER_CHUNK`` shingles at a time, and each
    hash function is applied to the chunk in one reused buffer: hashing every shingle of the
    corpus per function wrote and re-read arrays of hundreds of megabytes 64 times (that was
    2.5x slower at 200,000 texts; the minima are the same)."""
    n = len(counts)
    signatures = np.empty((n, num_perm), dtype=np.uint64) if out is None else out
    nonempty = np.flatnonzero(counts > 0)
    empty = np.flatnonzero(counts == 0)
    signatures[empty, :] = (own[empty][:, None] + (1 << 40)).astype(np.uint64)
    if len(nonempty) == 0:
        return signatures
    mixed = mix(shingles)
    rng = np.random.default_rng(seed)
    # Multiply-shift hashing (Dietzfelbinger): (a*x + b) mod 2^64, top 32 bits; a odd.
    a = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64) | 1
    b = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64)
    starts = (np.cumsum(counts) - counts)[nonempty]
    ends = starts + counts[nonempty]
    # Chunk boundaries (indices into ``nonempty``); a text longer than a chunk is one chunk.
    at_chunks = np.searchsorted(starts, np.arange(0, ends[-1], _SHINGLES_PER_CHUNK))
    cuts = np.unique(np.append(at_chunks, len(nonempty)))
    chunks = list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True))
    buffer = np.empty(int(max(ends[hi - 1] - starts[lo] for lo, hi in chunks)), dtype=np.uint64)
    shift = np.uint64(32)
    for lo, hi in chunks:
        first, last = starts[lo], ends[hi - 1]
        chunk, hashed, at = mixed[first:last], buffer[: last - first], starts[lo:hi] - first
        minima = np.empty((hi - lo, num_perm), dtype=np.uint64)
        for p in range(num_perm):
            np.multiply(chunk, a[p], out=hashed)
            np.add(hashed, b[p], out=hashed)
            np.right_shift(hashed, shift, out=hashed)
            minima[:, p] = np.minimum.reduceat(hashed, at)
        signatures[nonempty[lo:hi]] = minima
    return signatures


# --- what a submission says about itself: clause, stance, time ---------------------------
def text_meta(clauses, stances, created) -> np.ndarray:
    """(n, 2) uint64: a hash of (clause, stance), 0 without a stance; minutes since 1970 + 1,
    0 without a time. The meaning-level pass joins only equal, non-zero hashes."""
    n = len(stances)
    meta = np.zeros((n, 2), dtype=np.uint64)
    keyed = [i for i in range(n) if stances[i]]
    if keyed:
        keys = [f"{clauses[i] or ''}\x1f{stances[i]}" for i in keyed]
        distinct = list(dict.fromkeys(keys))  # a few hundred positions, each hashed once
        hashed = dict(zip(distinct, _hash64(distinct).tolist(), strict=True))
        meta[keyed, 0] = np.fromiter(map(hashed.__getitem__, keys), np.uint64, len(keys)) | 1
    for i, value in enumerate(created):
        minutes = _minutes(value)
        if minutes is not None:
            meta[i, 1] = minutes + 1
    return meta


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # a time without a zone is taken as UTC
_MINUTE = timedelta(minutes=1)


def _minutes(value) -> int | None:
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return max((moment - (_EPOCH if moment.tzinfo else _NAIVE_EPOCH)) // _MINUTE, 0)


# --- signatures -------------------------------------------------------------------------
def signature_width(params: CampaignParams) -> int:
    """Columns of a signature row (:func:`_layout`)."""
    return _layout(params)["width"]


def _layout(params: CampaignParams) -> dict:
    """Where each part of a signature row is: the minima of bigrams (``copy``), of runs of
    ``cut_words`` words (``cut``), of content words (``meaning``); then the number of each
    (``sizes``: three columns), the (clause, stance) hash (``position``), the minute."""
    copy = params.num_perm
    cut = copy + params.cut_perm
    meaning = cut + params.meaning_perm
    return {
        "copy": (0, copy),
        "cut": (copy, cut),
        "meaning": (cut, meaning),
        "sizes": meaning,
        "position": meaning + 3,
        "minute": meaning + 4,
        "width": meaning + 5,
    }


def minhash_signatures(
    texts: list[str],
    params: CampaignParams,
    index: np.ndarray | None = None,
    draft: np.ndarray | None = None,
    meta: np.ndarray | None = None,
) -> np.ndarray:
    """One signature row per text (``signature_width`` columns); texts with no word get a
    unique row (from their ``index`` among all texts: their position unless given).
    ``draft``: :func:`draft_index`; ``meta``: :func:`text_meta` of each text (none: the
    meaning-level pass is off for these texts)."""
    n = len(texts)
    own = np.arange(n) if index is None else np.asarray(index, dtype=np.int64)
    ids, lengths, stop = _token_ids(texts)
    ids, lengths, stop = _without_quotations(ids, lengths, stop, draft, params.draft_words)
    shingles, counts = _bigrams(ids, lengths)
    # Content words: the minima are over the set of a text's words, which its words in any
    # order and with repeats give as well; only their number needs each distinct word once.
    content = ~stop
    text_of = np.repeat(np.arange(n), lengths)[content]
    words = ids[content] ^ _MEANING_SALT
    word_counts = _distinct_counts(text_of, words, n)
    runs, _ = _runs(ids, lengths, params.cut_words)
    run_counts = _run_counts(lengths, params.cut_words)
    at = _layout(params)
    rows = np.empty((n, at["width"]), dtype=np.uint64)
    (a, b), (c, d), (e, f) = at["copy"], at["cut"], at["meaning"]
    _minhash(shingles, counts, b - a, params.seed, own, out=rows[:, a:b])
    _minhash(runs, run_counts, d - c, params.seed + 1, own + (1 << 41), out=rows[:, c:d])
    words_per_text = np.bincount(text_of, minlength=n)  # repeats included
    _minhash(words, words_per_text, f - e, params.seed + 2, own + (1 << 42), out=rows[:, e:f])
    rows[:, at["sizes"]] = counts
    rows[:, at["sizes"] + 1] = run_counts
    rows[:, at["sizes"] + 2] = word_counts
    rows[:, at["position"] :] = 0 if meta is None else meta
    return rows


def _distinct_counts(text_of: np.ndarray, words: np.ndarray, n: int) -> np.ndarray:
    """Distinct words of each of ``n`` texts, by one sort of (text, the word's top bits) in a
    uint64, without reordering the words. Two words of one text that share all those bits
    (odds about 1 in 10^9 a text) count once."""
    if len(words) == 0:
        return np.zeros(n, dtype=np.int64)
    bits = np.uint64(int(n).bit_length())
    key = np.sort((text_of.astype(np.uint64) << (np.uint64(64) - bits)) | (words >> bits))
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    texts = (key[first] >> (np.uint64(64) - bits)).astype(np.int64)
    return np.bincount(texts, minlength=n).astype(np.int64)


def total_bands(params: CampaignParams) -> int:
    return params.bands + params.cut_bands + params.meaning_bands


def band_keys(signatures: np.ndarray, band: int, params: CampaignParams) -> np.ndarray:
    """One uint64 key per text for one band (wrapping polynomial hash); collisions are
    harmless because every candidate pair is verified on the full signature. The first
    ``bands`` bands are over the bigram minima, the next ``cut_bands`` over the runs', the
    last ``meaning_bands`` over the content words', keyed with the clause and stance."""
    at = _layout(params)
    if band < params.bands:
        part, parts, block = band, params.bands, at["copy"]
    elif band < params.bands + params.cut_bands:
        part, parts, block = band - params.bands, params.cut_bands, at["cut"]
    else:
        part, parts, block = (
            band - params.bands - params.cut_bands,
            params.meaning_bands,
            at["meaning"],
        )
    rows = (block[1] - block[0]) // parts
    first = block[0] + part * rows
    keys = signatures[:, first].copy()
    with np.errstate(over="ignore"):
        for column in range(first + 1, first + rows):
            keys = keys * _BAND_MULTIPLIER + signatures[:, column]
        if block == at["meaning"]:
            keys = mix(keys ^ signatures[:, at["position"]])
            # No stance, no time or too few content words: no candidates from these bands.
            alone = (
                (signatures[:, at["position"]] == 0)
                | (signatures[:, at["minute"]] == 0)
                | (signatures[:, at["sizes"] + 2] < params.meaning_min_words)
            )
            keys[alone] = mix(signatures[alone, at["meaning"][0]] ^ np.uint64(band)) | np.uint64(1)
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


_BLOCKS = ("copy", "cut", "meaning")  # the MinHash blocks of a row, in order (:func:`_layout`)


def minima_tables(signatures: np.ndarray, params: CampaignParams) -> dict[str, np.ndarray]:
    """Each MinHash block's minima as its own contiguous uint16 table, for verifying pairs,
    and the row's tail (sizes, position, minute) as one more (``tail``).

    A minimum is kept as its lowest 16 bits (b-bit minwise hashing, Li and König 2010): two
    different minima agree there once in 65,536, so a pair's estimated Jaccard grows by
    under (1 - J) / 65,536 on average; at five million submissions the tables were a
    worker's largest holding while the pairs were verified, and this is a quarter of the
    uint64 columns' bytes. A text with nothing in a block (whose row holds a sentinel) is
    told by that block's size instead. Each text's tail is in one cache line."""
    at = _layout(params)
    tables = {name: signatures[:, slice(*at[name])].astype(np.uint16) for name in _BLOCKS}
    tables["tail"] = np.ascontiguousarray(signatures[:, at["sizes"] :])
    return tables


def verified_edges(tables: dict, members, leaders, params: CampaignParams) -> tuple:
    """Per candidate pair: (copies or cut copies: bool; content-word similarity, -1 unless
    both are on the same clause with the same stance and have ``meaning_min_words`` content
    words; sent within the window: bool; that clause and stance's hash). See the module
    docstring. ``tables``: :func:`minima_tables` of the signatures, made once for all chunks;
    ``members`` and ``leaders``: rows of them."""
    at = _layout(params)
    tail_a, tail_b = tables["tail"][members], tables["tail"][leaders]

    def similarity(block: str, pairs=slice(None)) -> np.ndarray:
        table, size = tables[block], _BLOCKS.index(block)
        found = np.count_nonzero(table[members[pairs]] == table[leaders[pairs]], axis=1)
        found[(tail_a[pairs, size] == 0) | (tail_b[pairs, size] == 0)] = 0  # no minima
        return found / table.shape[1]

    edges = similarity("copy") >= params.threshold
    # Containment from the Jaccard estimate of the runs: |A & B| = J (|A| + |B|) / (1 + J).
    jaccard = similarity("cut")
    size_a, size_b = tail_a[:, 1].astype(np.float64), tail_b[:, 1].astype(np.float64)
    shorter = np.minimum(size_a, size_b)
    shared = jaccard * (size_a + size_b) / (1.0 + jaccard)
    contained = shared / np.maximum(shorter, 1.0)
    edges |= (contained >= params.containment) & (shorter >= params.min_contained)
    where, minute = at["position"] - at["sizes"], at["minute"] - at["sizes"]
    position = tail_a[:, where]
    same_position = (position == tail_b[:, where]) & (position != 0)
    words = np.minimum(tail_a[:, 2], tail_b[:, 2])
    alike = np.flatnonzero(same_position & ~edges & (words >= params.meaning_min_words))
    meaning = np.full(len(members), -1.0)
    meaning[alike] = similarity("meaning", alike)
    ta, tb = tail_a[:, minute].astype(np.int64), tail_b[:, minute].astype(np.int64)
    close = (ta > 0) & (tb > 0) & (np.abs(ta - tb) <= params.meaning_window_hours * 60)
    return edges, meaning, close, position


def meaning_edges(meaning, close, position, params: CampaignParams) -> np.ndarray:
    """Reworded letters: pairs on one clause with one stance, sent within the window, whose
    content words are alike, more alike than ``meaning_background`` of the candidate pairs
    on that clause with that stance sent further apart (the background: comments that agree
    on a position without being one campaign). Where comments on a position are often this
    alike anyway, likeness is no evidence of a campaign, and the pass joins nothing there."""
    floors = background_floors([background_histogram(meaning, close, position, params)], params)
    return reworded(meaning, close, position, floors, params)


def background_histogram(meaning, close, position, params: CampaignParams) -> tuple:
    """(cells, counts): per clause-and-stance cell, how many background pairs (sent further
    apart than the window) have each similarity. A similarity is a share of the block's
    minima, k / width, so a histogram finds the quantile without sorting tens of millions
    of pairs, and the histograms of separately verified blocks of pairs add up."""
    low, high = _layout(params)["meaning"]
    width = high - low
    background = ~close & (meaning >= 0)
    at = position[background]
    # The cells are few (clauses x stances): a binary search among them is cheaper than
    # the sort behind ``return_inverse`` over tens of millions of pairs.
    cells = np.unique(at)
    cell_of = np.searchsorted(cells, at)
    steps = np.rint(meaning[background] * width).astype(np.int64)
    counts = np.bincount(cell_of * (width + 1) + steps, minlength=len(cells) * (width + 1))
    return cells, counts.reshape(len(cells), width + 1)


def background_floors(histograms: list[tuple], params: CampaignParams) -> tuple:
    """(cells, floor per cell): the ``meaning_background`` quantile of each cell's
    background, from the histograms of every block of pairs."""
    low, high = _layout(params)["meaning"]
    width = high - low
    cells, cell_of = np.unique(np.concatenate([h[0] for h in histograms]), return_inverse=True)
    counts = np.zeros((len(cells), width + 1), dtype=np.int64)
    np.add.at(counts, cell_of, np.vstack([h[1] for h in histograms]))
    below = np.cumsum(counts, axis=1)
    rank = np.floor(params.meaning_background * (below[:, -1] - 1)).astype(np.int64)
    return cells, (below <= rank[:, None]).sum(axis=1) / width


def reworded(meaning, close, position, floors: tuple, params: CampaignParams) -> np.ndarray:
    """The pairs of :func:`meaning_edges`, given every cell's background floor."""
    edges = close & (meaning >= params.meaning_threshold)
    cells, floor = floors
    if not edges.any() or not len(cells):
        return edges
    where = np.searchsorted(cells, position)
    known = (where < len(cells)) & (cells[np.minimum(where, len(cells) - 1)] == position)
    above = np.ones(len(meaning), dtype=bool)
    above[known] = meaning[known] > floor[where[known]]
    return edges & above


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


def linked(n: int, copies: tuple, meaning: tuple, params: CampaignParams) -> np.ndarray:
    """Groups from the verified pairs: ``copies`` (sources, targets) count as they are; a
    meaning-level pair only inside a group of at least ``meaning_min_texts`` distinct texts
    that such pairs hold together, each text with ``meaning_min_partners`` such partners (a
    reworded campaign is many letters alike, not two comments that happen to agree)."""
    src, dst = unique_pairs(*meaning)
    if len(src):
        degree = np.bincount(np.concatenate([src, dst]), minlength=n)
        keep = (degree[src] >= params.meaning_min_partners) & (
            degree[dst] >= params.meaning_min_partners
        )
        src, dst = src[keep], dst[keep]
        group = components(n, [src], [dst])
        sizes = np.bincount(group)
        keep = sizes[group[src]] >= params.meaning_min_texts
        src, dst = src[keep], dst[keep]
    return components(n, [copies[0], src], [copies[1], dst])


def unique_pairs(members: np.ndarray, leaders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unordered pair once (a pair of near duplicates shares several bands)."""
    if len(members) == 0:
        return members.astype(np.int64), leaders.astype(np.int64)
    low = np.minimum(members, leaders).astype(np.int64)
    high = np.maximum(members, leaders).astype(np.int64)
    bits = np.int64(int(high.max()).bit_length())  # (low, high) in one int64, high's bits below
    pairs = np.sort((low << bits) | high)  # sorting beats np.unique's hash table here
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    return pairs >> bits, pairs & ((np.int64(1) << bits) - 1)


def near_duplicate_labels(
    texts: list[str],
    params: CampaignParams,
    draft: np.ndarray | None = None,
    meta: np.ndarray | None = None,
) -> np.ndarray:
    """Group label per text (connected components of verified LSH candidates)."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    signatures = minhash_signatures(texts, params, None, draft, meta)
    index = np.arange(n)
    pairs = [
        bucket_candidates(band_keys(signatures, b, params), index)
        for b in range(total_bands(params))
    ]
    members = np.concatenate([p[0] for p in pairs])
    leaders = np.concatenate([p[1] for p in pairs])
    return verified_groups(n, signatures, np.arange(n), members, leaders, params)


VERIFY_CHUNK = 8_192  # candidate pairs verified at a time (a block's table: 2 x 2 MB)


def verified_groups(n, signatures, uids, members, leaders, params: CampaignParams) -> np.ndarray:
    """Group label per text from candidate pairs (by text index), each verified once on the
    signatures (row ``r`` is text ``uids[r]``; ``uids`` ascending), in bounded chunks."""
    return linked_blocks(n, [checked_pairs(signatures, uids, members, leaders, params)], params)


def checked_pairs(signatures, uids, members, leaders, params: CampaignParams) -> dict:
    """One block of candidate pairs verified (each unordered pair once; row ``r`` of
    ``signatures`` is text ``uids[r]``, ascending): the copies, the reworded-letter
    candidates and the block's background histogram. Blocks that together hold each
    candidate pair once give :func:`linked_blocks` the one result, however they are cut."""
    return checked_on_tables(minima_tables(signatures, params), uids, members, leaders, params)


def checked_on_tables(tables: dict, uids, members, leaders, params: CampaignParams) -> dict:
    """:func:`checked_pairs` on the signatures' :func:`minima_tables` (row ``r`` of each is
    text ``uids[r]``): what a cluster keeps of the signatures, at a quarter of their bytes."""
    members, leaders = unique_pairs(members, leaders)
    member_rows, leader_rows = _rows_of(uids, members, leaders)
    copy = np.zeros(len(members), dtype=bool)
    meaning = np.zeros(len(members), dtype=np.float64)
    close = np.zeros(len(members), dtype=bool)
    position = np.zeros(len(members), dtype=np.uint64)
    for start in range(0, len(members), VERIFY_CHUNK):
        chunk = slice(start, start + VERIFY_CHUNK)
        copy[chunk], meaning[chunk], close[chunk], position[chunk] = verified_edges(
            tables, member_rows[chunk], leader_rows[chunk], params
        )
    return verified_block(members, leaders, copy, meaning, close, position, params)


def _rows_of(uids: np.ndarray, *texts: np.ndarray) -> tuple[np.ndarray, ...]:
    """The row of each text in each array (each one of ``uids``, ascending): one table from
    uid to row, read once per text (a binary search for each of 20 million pairs' texts took
    4 s at a million)."""
    if len(uids) == 0:
        return tuple(np.zeros(0, dtype=np.int64) for _ in texts)
    first = int(uids[0])
    row = np.zeros(int(uids[-1]) - first + 1, dtype=np.int64)
    row[uids - first] = np.arange(len(uids))
    return tuple(row[t - first] for t in texts)


def verified_block(members, leaders, copy, meaning, close, position, params) -> dict:
    """What :func:`linked_blocks` needs of a block, from each pair's verification (see
    :func:`verified_edges`): the copies, the reworded-letter candidates (close in time and
    alike enough; the background decides later) and the background histogram."""
    candidates = close & (meaning >= params.meaning_threshold)
    return {
        "copies": (members[copy], leaders[copy]),
        "reworded": (
            members[candidates],
            leaders[candidates],
            meaning[candidates],
            position[candidates],
        ),
        "background": background_histogram(meaning, close, position, params),
    }


def linked_blocks(n: int, blocks: list[dict], params: CampaignParams) -> np.ndarray:
    """Group label per text from verified blocks of pairs (:func:`checked_pairs`)."""
    floors = background_floors([b["background"] for b in blocks], params)
    sources, targets = [], []
    for block in blocks:
        members, leaders, meaning, position = block["reworded"]
        keep = reworded(meaning, np.ones(len(meaning), dtype=bool), position, floors, params)
        sources.append(members[keep])
        targets.append(leaders[keep])
    copies = tuple(np.concatenate([b["copies"][i] for b in blocks]) for i in (0, 1))
    meaning_pairs = (
        np.concatenate(sources) if sources else np.zeros(0, np.int64),
        np.concatenate(targets) if targets else np.zeros(0, np.int64),
    )
    return linked(n, copies, meaning_pairs, params)


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


def group_submissions(
    normalised_texts: list[str],
    params: CampaignParams,
    draft: Sequence[str] = (),
    meta: np.ndarray | None = None,
) -> Grouping:
    """``draft``: the draft's clause texts (quotations of them are discounted); ``meta``:
    :func:`text_meta` per submission (for the meaning-level pass; none: that pass is off)."""
    inverse, unique_first = exact_groups(normalised_texts)
    unique_texts = [normalised_texts[i] for i in unique_first]
    near = near_duplicate_labels(
        unique_texts,
        params,
        draft_index(draft, params),
        None if meta is None else meta[np.asarray(unique_first, dtype=np.int64)],
    )
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
