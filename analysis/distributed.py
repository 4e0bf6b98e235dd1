"""Steps 1-4 on a dask.distributed cluster: the same results as the in-process pipeline.

The submissions are split in partitions that the workers read themselves (id ranges of the
database, byte ranges of a JSON-lines file, row groups of a Parquet file) and keep in
memory; only small things (hashes, band keys, candidate pairs, the fitted theme model, the
texts of the fit sample) travel between them, and the scheduler sees task descriptions,
never texts. The stages, all with dask's own primitives (``client.submit`` with futures as
arguments, ``scatter(broadcast=True)``, ``replicate``, ``as_completed`` for progress):

1. **normalise** each partition; per-clause counts and languages per partition (summed);
2. **campaigns**: a 128-bit hash per normalised text, shuffled by hash to buckets where the
   first submission of each text is found (exact duplicates), and back; MinHash signatures
   of each partition's unique texts (the draft's index of quoted passages broadcast to
   every worker; clause, stance and time read from the partition); LSH band keys shuffled
   by key, candidates (member, leader) per bucket, verified by block (the pairs whose
   texts are in two given partitions, with only those partitions' signatures), connected
   components of the verified pairs on one worker;
3. **themes**: vectoriser, SVD and k-means fitted on the fixed-seed sample of units on one
   worker, the fitted model replicated to every worker, every partition assigning its units
   in parallel; theme order (by supporters), terms and phrases and quotes are small
   reductions;
4. **clauses**: the summed counts of step 1.

The result (every theme's and campaign's members, as in-process) comes back to the process
that started the run, which saves it.

Every random choice is the in-process one (same seeds, same sample, same tie-breaks), and a
text's MinHash signature depends on the text (and its clause, stance and time) alone
(``campaigns._token_ids``), so the result
equals :func:`analysis.pipeline.run_pipeline`'s; ``tests/analysis/test_distributed.py``
compares them on a ``LocalCluster``.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import math
import operator
import os
import pickle
import sys
import time
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from .campaigns import (
    band_keys,
    bucket_candidates,
    checked_on_tables,
    draft_index,
    linked_blocks,
    minhash_signatures,
    minima_tables,
    text_meta,
    total_bands,
    unique_pairs,
    units,
)
from .clauses import clause_counts, figures_from_counts
from .normalise import normalise
from .records import Corpus, RecordError, validate_record
from .themes import (
    clause_vocabulary,
    cluster_units,
    describe_themes,
    fit_sample,
    fit_themes,
    order_by_weight,
    pick_quotes,
)

PARTITION_SIZE = 250_000  # submissions per partition, at most (memory per task)
CONNECT_TIMEOUT = "30s"  # an unreachable scheduler fails the run after this, with its address


def scheduler_address() -> str:
    """``DASK_SCHEDULER_ADDRESS`` from the settings or the environment; '' runs in-process."""
    from django.conf import settings

    return getattr(settings, "DASK_SCHEDULER_ADDRESS", "") or os.environ.get(
        "DASK_SCHEDULER_ADDRESS", ""
    )


# --- sources: what each worker reads ------------------------------------------------------
class CorpusSource:
    """A corpus already in memory (tests, benchmarks): its slices are scattered to the
    workers straight from this process."""

    def __init__(self, corpus: Corpus, partitions: int | None = None):
        self.corpus = corpus
        self.partitions = partitions

    def load(self, client) -> list:
        n = len(self.corpus)
        count = self.partitions or _partition_count(client, n)
        bounds = np.linspace(0, n, count + 1).astype(int)
        slices = [_slice(self.corpus, a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return client.scatter(slices)


class JsonLinesSource:
    """A JSON-lines export: each worker reads its byte range of the file (the file must be
    at the same path on every worker: a shared disk)."""

    def __init__(self, path, partitions: int | None = None):
        self.path = os.path.abspath(path)
        self.partitions = partitions

    def load(self, client) -> list:
        size = os.path.getsize(self.path)
        count = self.partitions or _partition_count(client, size // 400)  # ~400 bytes a line
        bounds = np.linspace(0, size, count + 1).astype(int).tolist()
        return [
            client.submit(read_jsonl_range, self.path, a, b, pure=False)
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]


class ParquetSource:
    """A Parquet file (the JSON-lines fields as columns, or the API's bulk file): each worker
    reads its row groups. A file of one row group is split by rows instead, and then every
    worker reads the columns whole: write large files with several row groups."""

    def __init__(self, path, partitions: int | None = None):
        self.path = os.path.abspath(path)
        self.partitions = partitions

    def load(self, client) -> list:
        import pyarrow.parquet as pq

        metadata = pq.ParquetFile(self.path).metadata
        count = self.partitions or _partition_count(client, metadata.num_rows)
        if metadata.num_row_groups >= count:
            groups = np.array_split(np.arange(metadata.num_row_groups), count)
            sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
            firsts = np.cumsum(sizes) - sizes
            return [
                client.submit(
                    read_parquet_part, self.path, g.tolist(), None, int(firsts[g[0]]), pure=False
                )
                for g in groups
                if len(g)
            ]
        bounds = np.linspace(0, metadata.num_rows, count + 1).astype(int).tolist()
        return [
            client.submit(read_parquet_part, self.path, None, (a, b), a, pure=False)
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]


class DatabaseSource:
    """A consultation's published submissions: each worker queries its id range."""

    def __init__(self, consultation, partitions: int | None = None):
        self.consultation = consultation
        self.partitions = partitions

    def load(self, client) -> list:
        from django.db import connection
        from django.db.models import Count, Max, Min

        from analysis.selectors import published_submissions

        span = published_submissions(self.consultation).aggregate(
            low=Min("pk"), high=Max("pk"), n=Count("pk")
        )
        if not span["n"]:
            return client.scatter([Corpus()])
        count = self.partitions or _partition_count(client, span["n"])
        bounds = np.linspace(span["low"], span["high"] + 1, count + 1).astype(int).tolist()
        database = connection.settings_dict["NAME"]
        return [
            client.submit(read_submissions, self.consultation.pk, a, b, database, pure=False)
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]


def _partition_count(client, n: int) -> int:
    workers = max(len(client.scheduler_info(n_workers=-1)["workers"]), 1)
    return max(2 * workers, math.ceil(n / PARTITION_SIZE))


def _slice(corpus: Corpus, a: int, b: int) -> Corpus:
    return Corpus(**{name: values[a:b] for name, values in vars(corpus).items()})


def read_jsonl_range(path: str, start: int, end: int) -> Corpus:
    """The records whose line starts in [start, end) (a worker's share of the file)."""
    corpus = Corpus()
    with open(path, "rb") as lines:
        if start:
            lines.seek(start - 1)
            lines.readline()  # the end of the line before: its owner reads it
        while (position := lines.tell()) < end:
            line = lines.readline()
            if not line:
                break
            if not line.strip():
                continue
            where = f"line at byte {position}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise RecordError(f"{where}: not valid JSON ({error.msg})") from None
            corpus.add(validate_record(record, where))
    return corpus


def read_parquet_part(path: str, row_groups, rows, first_row: int) -> Corpus:
    """Some row groups of a Parquet file, or rows [a, b) of it."""
    import pyarrow.parquet as pq

    from .records import parquet_columns, parquet_records

    columns = parquet_columns(path)
    if row_groups is not None:
        table = pq.ParquetFile(path).read_row_groups(row_groups, columns=columns)
    else:
        table = pq.read_table(path, columns=columns).slice(rows[0], rows[1] - rows[0])
    corpus = Corpus()
    for record in parquet_records(table, first_row):
        corpus.add(record)
    return corpus


def read_submissions(consultation_pk: int, low: int, high: int, database: str) -> Corpus:
    """A worker's id range of a consultation's published submissions, read by the worker
    (Django set up from its environment: DJANGO_SETTINGS_MODULE, DATABASE_URL...)."""
    _django_ready(database)
    from django.db import connections

    from analysis.services import load_corpus
    from drafts.consultations import consultation_model

    consultation = consultation_model().objects.get(pk=consultation_pk)
    try:
        return load_corpus(consultation, pk_range=(low, high))
    finally:
        connections.close_all()  # no idle connection per worker between runs


def _django_ready(database: str) -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
    from django.db import connections

    default = connections["default"]
    if default.settings_dict["NAME"] != database:  # a test database, named by the client
        default.close()
        default.settings_dict["NAME"] = database


# --- tasks (run on the workers) -----------------------------------------------------------
@dataclass
class Part:
    """A partition as a worker keeps it: the records and each text's hash. The normalised
    texts are made again where they are read (signatures, themes) rather than kept: kept,
    they were a third of what a worker held, and at five million that was more than a 5 GB
    worker had room for."""

    corpus: Corpus
    digests: np.ndarray  # (n, 2) uint64: blake2b-128 of the normalised text
    strip_diacritics: bool

    def normalised(self, indices: list[int]) -> list[str]:
        texts, strip = self.corpus.texts, self.strip_diacritics
        return [normalise(texts[i], strip_diacritics=strip) for i in indices]

    def __sizeof__(self) -> int:
        """About what the partition holds, for Dask (which measures an object with
        ``sys.getsizeof``): counted as nothing, they were spilled only once the whole process
        was past 70 % of a worker's memory limit, not by what the worker counts it holds.
        Texts are measured (a dropped text is the one shared empty string: nothing), the
        small values of each record estimated."""
        texts = sum(sys.getsizeof(text) for text in self.corpus.texts if text)
        return texts + _RECORD_BYTES * len(self.corpus) + self.digests.nbytes


_RECORD_BYTES = 170  # a record's id, date and list slots (measured: 165 at 200,000)


def prepare(corpus: Corpus, strip_diacritics: bool) -> Part:
    digests = b"".join(
        hashlib.blake2b(
            normalise(t, strip_diacritics=strip_diacritics).encode(), digest_size=16
        ).digest()
        for t in corpus.texts
    )
    return Part(corpus, np.frombuffer(digests, dtype=np.uint64).reshape(-1, 2), strip_diacritics)


def part_summary(part: Part) -> tuple[int, Counter, Counter, list]:
    corpus = part.corpus
    return (
        len(corpus),
        Counter(corpus.languages),
        clause_counts(corpus.clauses, corpus.stances, corpus.stakeholders),
        list(corpus.ids),
    )


def exact_map(part: Part, start: int, buckets: int) -> list[tuple]:
    index = start + np.arange(len(part.corpus), dtype=np.int64)
    high, low = part.digests[:, 0], part.digests[:, 1]
    bucket = high % np.uint64(buckets)
    return [
        (high[mask], low[mask], index[mask])
        for mask in (bucket == np.uint64(j) for j in range(buckets))
    ]


def exact_reduce(starts: list[int], *pieces) -> tuple:
    """Per distinct text of this bucket: its first submission and how many sent it; per
    submission, split by partition: the first submission of its text."""
    high = np.concatenate([p[0] for p in pieces])
    low = np.concatenate([p[1] for p in pieces])
    index = np.concatenate([p[2] for p in pieces])
    order = np.lexsort((index, low, high))
    new = np.ones(len(order), dtype=bool)
    new[1:] = (high[order][1:] != high[order][:-1]) | (low[order][1:] != low[order][:-1])
    group = np.cumsum(new) - 1
    firsts = index[order][new]
    counts = np.bincount(group, minlength=len(firsts))
    first_of = np.empty(len(index), dtype=np.int64)
    first_of[order] = firsts[group]
    partition = np.searchsorted(np.asarray(starts), index, side="right") - 1
    back = [(index[partition == p], first_of[partition == p]) for p in range(len(starts))]
    return firsts, counts, back


def exact_table(*reduced) -> tuple[np.ndarray, np.ndarray]:
    """(first submission of every distinct text, ascending; submissions that sent it)."""
    firsts = np.concatenate([r[0] for r in reduced])
    counts = np.concatenate([r[1] for r in reduced])
    order = np.argsort(firsts, kind="stable")
    return firsts[order], counts[order]


def inverse_of(start: int, length: int, table, *backs) -> np.ndarray:
    """Per submission of a partition: the index of its distinct text."""
    first = np.empty(length, dtype=np.int64)
    for index, first_of in backs:
        first[index - start] = first_of
    return np.searchsorted(table[0], first)


def signatures_of(part: Part, start: int, inverse: np.ndarray, table, params, draft, buckets):
    """MinHash signatures of the distinct texts that first appear in this partition (with
    the clause, stance and time of that first submission, as in-process), in the two shapes
    the later steps need: ``((uids, minima tables), band pieces)``. The tables
    (:func:`minima_tables`, a quarter of the bytes of the rows) are what verification keeps
    until every block is checked; the band pieces (:func:`band_map`) go to the shuffle. The
    uint64 rows themselves are dropped here."""
    here = _first_copies(start, inverse, table)
    local = here.tolist()
    texts = part.normalised(local)
    corpus = part.corpus
    meta = text_meta(
        [corpus.clauses[i] for i in local],
        [corpus.stances[i] for i in local],
        [corpus.created[i] for i in local],
    )
    uids = inverse[here]
    rows = minhash_signatures(texts, params, uids, draft, meta)
    return (uids, minima_tables(rows, params)), band_map(uids, rows, params, buckets)


def _first_copies(start: int, inverse: np.ndarray, table) -> np.ndarray:
    """The partition's submissions that are the first of their distinct text (local index)."""
    return np.flatnonzero(table[0][inverse] == start + np.arange(len(inverse)))


@dataclass
class PackedPart:
    """A partition set aside while the candidate pairs are verified (the campaign stage's
    peak): nothing reads it then, so it is kept pickled and compressed, a ninth of its size
    on the synthetic set. At five million submissions a worker's partitions were 1.3 GB of
    its 6.5 GB peak. :func:`after_verification` unpacks it once."""

    packed: bytes

    @classmethod
    def of(cls, part: Part) -> PackedPart:
        return cls(zlib.compress(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL), 1))

    def unpack(self) -> Part:
        return pickle.loads(zlib.decompress(self.packed))

    def __sizeof__(self) -> int:
        return sys.getsizeof(self.packed)


def set_aside(part: Part, start: int, inverse: np.ndarray, table) -> PackedPart:
    """The partition as the steps after verification read it, packed until then."""
    return PackedPart.of(without_copies_texts(part, start, inverse, table))


def release_freed_memory() -> int:
    """Hand the memory of freed objects back to the system: glibc keeps the blocks of freed
    Python objects for reuse, and a worker that has just dropped its whole partitions
    (millions of strings) kept 1-2 GB it no longer used. ``malloc_trim`` as Dask's docs
    advise ("memory not released back to the OS"); nothing to do where libc is not glibc."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return 0


def without_copies_texts(part: Part, start: int, inverse: np.ndarray, table) -> Part:
    """The partition as the rest of the analysis reads it once the signatures are made: a
    text is read only where a unit's representative can be, and a representative is always
    the first submission of a distinct text (``campaigns.units``). The exact copies' texts
    (most of a campaign's submissions) and the hashes are dropped; every other field kept."""
    texts = _texts_at(part.corpus, _first_copies(start, inverse, table))
    kept = dataclasses.replace(part.corpus, texts=texts)
    return Part(kept, np.zeros((0, 2), dtype=np.uint64), part.strip_diacritics)


def _texts_at(corpus: Corpus, indices: np.ndarray) -> list[str]:
    """The corpus's texts at these indices; elsewhere the one shared empty string."""
    texts = [""] * len(corpus)
    for i in indices.tolist():
        texts[i] = corpus.texts[i]
    return texts


def compact_ids(ids: np.ndarray) -> np.ndarray:
    """Text ids as int32 where they fit (fewer than 2**31 distinct texts), else as they are:
    the band pieces and candidate pairs a worker holds are mostly ids (at five million
    submissions the pairs routed to their blocks were 1.4 GB on one worker as int64)."""
    if ids.dtype == np.int32 or (ids.size and int(ids.max()) >= 2**31):
        return ids
    return ids.astype(np.int32)


def _compact_pairs(pairs: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return compact_ids(pairs[0]), compact_ids(pairs[1])


def band_map(uids: np.ndarray, signatures: np.ndarray, params, buckets: int) -> list[list[tuple]]:
    uids = compact_ids(uids)
    pieces: list[list[tuple]] = [[] for _ in range(buckets)]
    for band in range(total_bands(params)):
        keys = band_keys(signatures, band, params)
        bucket = keys % np.uint64(buckets)
        for j in range(buckets):
            mask = bucket == np.uint64(j)
            pieces[j].append((keys[mask], uids[mask]))
    return pieces


def band_reduce(*pieces) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (member, leader) of every band in this bucket of keys, each once."""
    members, leaders = [], []
    for band in range(len(pieces[0])):
        keys = np.concatenate([p[band][0] for p in pieces])
        uids = np.concatenate([p[band][1] for p in pieces])
        order = np.argsort(uids, kind="stable")  # partitions in order: already ascending
        m, lead = bucket_candidates(keys[order], uids[order])
        members.append(m)
        leaders.append(lead)
    return _compact_pairs(unique_pairs(np.concatenate(members), np.concatenate(leaders)))


def partition_blocks(partitions: int) -> list[tuple[int, int]]:
    """The blocks candidate pairs are verified in: each pair of partitions (p <= q)."""
    return [(p, q) for p in range(partitions) for q in range(p, partitions)]


def uid_bounds(table, starts: list[int]) -> np.ndarray:
    """Per partition, its first distinct text: distinct texts are numbered in order of
    their first submission, so the texts first sent in one partition are one range."""
    return np.searchsorted(table[0], np.asarray(starts, dtype=np.int64))


def route_pairs(candidates: tuple, bounds: np.ndarray) -> list[tuple]:
    """This bucket's candidate pairs split by block (the partitions holding the two texts'
    signatures), in :func:`partition_blocks` order."""
    members, leaders = candidates
    partitions = len(bounds)
    a = np.searchsorted(bounds, members, side="right") - 1
    b = np.searchsorted(bounds, leaders, side="right") - 1
    block = np.minimum(a, b) * partitions + np.maximum(a, b)
    order = np.argsort(block, kind="stable")
    members, leaders, block = members[order], leaders[order], block[order]
    keys = np.array([p * partitions + q for p, q in partition_blocks(partitions)], np.int64)
    starts, ends = np.searchsorted(block, keys), np.searchsorted(block, keys, side="right")
    return [(members[lo:hi], leaders[lo:hi]) for lo, hi in zip(starts, ends, strict=True)]


def block_pairs(*pieces) -> tuple[np.ndarray, np.ndarray]:
    """A block's candidate pairs from every bucket, each unordered pair once."""
    return _compact_pairs(
        unique_pairs(np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces]))
    )


def rows_for(signed: tuple, pairs: tuple) -> tuple[np.ndarray, dict]:
    """The minima tables' rows of this partition that a block's pairs need (ascending, as
    made)."""
    uids, tables = signed
    keep = np.isin(uids, np.concatenate(pairs))
    return uids[keep], {name: table[keep] for name, table in tables.items()}


def verify_block(params, pairs: tuple, *rows) -> dict:
    """One block's pairs verified on the minima tables of its (one or two) partitions: only
    they are in memory, never every signature of a candidate pair on one worker."""
    uids = np.concatenate([r[0] for r in rows])
    tables = {name: np.concatenate([r[1][name] for r in rows]) for name in rows[0][1]}
    if np.any(uids[1:] < uids[:-1]):  # partitions' rows come in order: no copy to sort
        order = np.argsort(uids, kind="stable")
        uids, tables = uids[order], {name: table[order] for name, table in tables.items()}
    return checked_on_tables(tables, uids, pairs[0], pairs[1], params)


def near_labels(n_unique: int, params, *blocks) -> np.ndarray:
    """The verified blocks -> connected components: the near-duplicate group per text."""
    return linked_blocks(n_unique, list(blocks), params)


def grouping_of(near: np.ndarray, table):
    grouping = units(near, table[1], table[0])
    grouping.unit_first = np.asarray(grouping.unit_first, dtype=np.int64)
    return grouping


def unit_of(inverse: np.ndarray, near: np.ndarray) -> np.ndarray:
    return near[inverse]


def big_units(grouping, min_size: int) -> list[int]:
    """Campaigns: units with at least ``min_size`` submissions, largest first."""
    big = np.flatnonzero(grouping.unit_size >= min_size)
    return sorted(big.tolist(), key=lambda u: (-grouping.unit_size[u], u))


def unit_counts(grouping) -> dict:
    return {
        "exact_duplicates": grouping.exact_duplicates,
        "near_duplicates": grouping.near_duplicates,
        "units": len(grouping.unit_size),
    }


def campaign_parts(part: Part, start: int, units_of: np.ndarray, campaigns: dict, grouping):
    """Per campaign unit present here: members, first/last date, anonymous share, stances
    (parts of a campaign add up: lists concatenate, counts sum)."""
    corpus = part.corpus
    found: dict[int, dict] = {}
    for i, u in enumerate(units_of.tolist()):
        if u not in campaigns:
            continue
        entry = found.get(u)
        if entry is None:
            entry = found[u] = {
                "members": [],
                "created": [],
                "anonymous": [0, 0],
                "stances": Counter(),
                "representative": None,
            }
        entry["members"].append(corpus.ids[i])
        if corpus.created[i]:
            entry["created"].append(corpus.created[i])
        if corpus.anonymous[i] is not None:
            entry["anonymous"][0] += corpus.anonymous[i]
            entry["anonymous"][1] += 1
        if corpus.stances[i]:
            entry["stances"][corpus.stances[i]] += 1
        if grouping.unit_first[u] == start + i:
            entry["representative"] = (corpus.ids[i], corpus.texts[i])
    for entry in found.values():
        created = entry.pop("created")
        entry["first"] = min(created) if created else None
        entry["last"] = max(created) if created else None
    return found


def _units_here(grouping, start: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(unit ids, local index of their representative) for units represented here."""
    unit_first = np.asarray(grouping.unit_first, dtype=np.int64)
    here = np.flatnonzero((unit_first >= start) & (unit_first < start + length))
    return here, unit_first[here] - start


def unit_texts(part: Part, start: int, grouping, wanted: np.ndarray | None) -> tuple:
    """(unit ids, normalised texts, clauses) of the units represented here (of ``wanted``)."""
    here, local = _units_here(grouping, start, len(part.corpus))
    if wanted is not None:
        keep = np.isin(here, wanted)
        here, local = here[keep], local[keep]
    local = local.tolist()
    return (
        here,
        part.normalised(local),
        [part.corpus.clauses[i] for i in local],
    )


def for_themes(part: Part, start: int, grouping) -> Part:
    """What the themes stage reads of a partition: every submission's id, clause and
    stakeholder group, and the texts of the units represented here only; the rest is
    dropped (the texts of the other submissions are most of a partition)."""
    _, local = _units_here(grouping, start, len(part.corpus))
    corpus = part.corpus
    kept = Corpus(
        ids=corpus.ids,
        texts=_texts_at(corpus, local),
        clauses=corpus.clauses,
        stakeholders=corpus.stakeholders,
    )
    return Part(kept, np.zeros((0, 2), dtype=np.uint64), part.strip_diacritics)


def after_verification(packed: PackedPart, start: int, units_of, campaigns: dict, grouping):
    """(:func:`campaign_parts`, :func:`for_themes`) of a partition set aside: unpacked once."""
    part = packed.unpack()
    found = campaign_parts(part, start, units_of, campaigns, grouping)
    return found, for_themes(part, start, grouping)


def unit_clauses(part: Part, start: int, grouping) -> set[str]:
    _, local = _units_here(grouping, start, len(part.corpus))
    return {part.corpus.clauses[i] for i in local.tolist()}


def _in_unit_order(pieces) -> tuple[np.ndarray, list[str], list[str]]:
    ids = np.concatenate([p[0] for p in pieces])
    texts = [t for p in pieces for t in p[1]]
    clauses = [c for p in pieces for c in p[2]]
    order = np.argsort(ids, kind="stable")
    return ids[order], [texts[i] for i in order], [clauses[i] for i in order]


@dataclass
class ThemeResult:
    labels: np.ndarray  # per unit
    distance: np.ndarray  # per unit
    k: int
    silhouette_by_k: dict
    sample_size: int
    terms: list
    phrases: list | None


def cluster_all(grouping, params, threads: int, *pieces) -> ThemeResult:
    """Few units (no more than the fit sample): all of them on one worker, in-process."""
    _, texts, clauses = _in_unit_order(pieces)
    with threadpool_limits(limits=threads):
        model = cluster_units(texts, grouping.unit_size, params, clauses)
    return ThemeResult(
        model.labels, model.distance, model.k, model.silhouette_by_k, len(model.sample),
        model.terms, model.phrases,
    )  # fmt: skip


def fit(grouping, sample, vocabulary, params, threads: int, *pieces):
    _, texts, clauses = _in_unit_order(pieces)
    with threadpool_limits(limits=threads):
        return fit_themes(texts, clauses, grouping.unit_size[sample], vocabulary, params)


def assign(part: Part, start: int, grouping, fitted, threads: int) -> tuple:
    here, texts, clauses = unit_texts(part, start, grouping, None)
    with threadpool_limits(limits=threads):
        labels, distance = fitted.assign(texts, clauses)
    return here, labels, distance


def order_themes(grouping, sample, fitted, params, n_assigned: int, *parts) -> ThemeResult:
    """Theme 0 has most supporters (needs every unit's label); terms and phrases from the
    sample's texts."""
    assigned, pieces = parts[:n_assigned], parts[n_assigned:]
    n = len(grouping.unit_size)
    raw = np.empty(n, dtype=np.int64)
    distance = np.empty(n, dtype=np.float32)
    for here, labels, dist in assigned:
        raw[here] = labels
        distance[here] = dist
    labels, _ = order_by_weight(raw, grouping.unit_size, fitted.k)
    _, texts, _ = _in_unit_order(pieces)
    weights = grouping.unit_size[sample]
    terms, phrases = describe_themes(texts, labels[sample], fitted.k, weights, params)
    return ThemeResult(
        labels, distance, fitted.k, fitted.silhouette_by_k, len(sample), terms, phrases
    )


def theme_summary(themes: ThemeResult, campaign_units: list[int]) -> tuple:
    return (
        themes.k,
        np.bincount(themes.labels, minlength=themes.k).tolist(),
        themes.labels[np.asarray(campaign_units, dtype=np.int64)].tolist(),
        {
            "silhouette_by_k": themes.silhouette_by_k,
            "sample_size": themes.sample_size,
            "terms": themes.terms,
            "phrases": themes.phrases,
        },
    )


def theme_parts(part: Part, start: int, units_of, grouping, themes: ThemeResult, quotes: int):
    """Per theme: members here (in order), stakeholders counted, and the quote candidates
    among the units represented here: the nearest per stakeholder group and the ``quotes``
    nearest (enough for :func:`pick_quotes` over all partitions)."""
    corpus = part.corpus
    theme_of = themes.labels[units_of] if len(units_of) else np.zeros(0, dtype=np.int64)
    here, local = _units_here(grouping, start, len(corpus))
    result = []
    for t in range(themes.k):
        member_idx = np.flatnonzero(theme_of == t).tolist()
        stakeholders = Counter(corpus.stakeholders[i] or "unknown" for i in member_idx)
        mine = np.flatnonzero(themes.labels[here] == t)
        order = mine[np.argsort(themes.distance[here[mine]], kind="stable")]
        seen: set[str] = set()
        candidates = []
        for rank, j in enumerate(order.tolist()):
            i = int(local[j])
            group = corpus.stakeholders[i] or "unknown"
            if rank < quotes or group not in seen:
                u = int(here[j])
                candidates.append(
                    (float(themes.distance[u]), u, corpus.ids[i], corpus.texts[i], group,
                     int(grouping.unit_size[u]))
                )  # fmt: skip
            seen.add(group)
        result.append(([corpus.ids[i] for i in member_idx], stakeholders, candidates))
    return result


# --- the driver (runs where the analysis was started) -------------------------------------
def run_on_cluster(source, params, progress, client, draft=()) -> dict:
    from distributed import Client

    own = not isinstance(client, Client)
    if own:
        client = Client(client, timeout=CONNECT_TIMEOUT)
    try:
        return _Run(client, params, progress, draft).run(source)
    finally:
        if own:
            client.close()


class _Run:
    def __init__(self, client, params, progress, draft=()):
        self.client = client
        self.params = params
        self.progress = progress
        self.draft = list(draft)

    def report(self, stage: str, percent: int) -> None:
        if self.progress:
            self.progress(stage, percent)

    def wait(self, futures: list, stage: str, low: int, high: int) -> None:
        """Wait for a stage's tasks, moving the progress bar as they finish."""
        from distributed import as_completed

        for done, future in enumerate(as_completed(futures), start=1):
            if future.status != "finished":
                future.result()  # raises the task's error here; a result stays where it is
            self.report(stage, low + (high - low) * done // max(len(futures), 1))

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def item(self, future, index: int, name: str | None = None):
        """``future[index]``; ``name`` names the result's key (a Dask key's kind is what the
        dashboard and a worker's memory show), "getitem" by default."""
        key = {"key": f"{name}-{uuid.uuid4().hex}"} if name else {}
        return self.client.submit(operator.getitem, future, index, pure=False, **key)

    def run(self, source) -> dict:
        params = self.params
        timings: dict[str, float] = {}
        counts: dict = {}

        started = time.perf_counter()
        summaries = self.read_and_normalise(source, counts)
        timings["normalise"] = time.perf_counter() - started

        started = time.perf_counter()
        campaigns, campaign_units = self.campaigns(counts)
        timings["campaigns"] = time.perf_counter() - started

        started = time.perf_counter()
        themes, model = self.themes(campaign_units, counts)
        timings["themes"] = time.perf_counter() - started

        # 4. Per-clause figures from the counts of step 1, summed.
        started = time.perf_counter()
        self.report("clauses", 85)
        clauses = figures_from_counts(sum((s[2] for s in summaries), Counter()), params.clauses)
        timings["clauses"] = time.perf_counter() - started
        counts["clauses"] = len(clauses)
        self.report("done", 100)
        return {
            "method": {
                "parameters": params.as_dict(),
                "counts": counts,
                "timings": {name: round(v, 3) for name, v in timings.items()},
                "silhouette_by_k": {str(k): v for k, v in model["silhouette_by_k"].items()},
                "chosen_k": model["k"],
                "fit_sample_units": int(model["sample_size"]),
                "cluster": {
                    "workers": len(self.client.scheduler_info(n_workers=-1)["workers"]),
                    "partitions": len(self.parts),
                },
            },
            "themes": themes,
            "campaigns": campaigns,
            "clauses": clauses,
        }

    def per_part(self, fn, *args, extra=None) -> list:
        """``fn(part, start, [extra[i]], *args)`` for every partition."""
        return [
            self.submit(fn, part, start, *([extra[i]] if extra else []), *args)
            for i, (part, start) in enumerate(zip(self.parts, self.starts, strict=True))
        ]

    def read_and_normalise(self, source, counts: dict) -> list:
        """1. The workers read and normalise their partitions and count them."""
        self.report("normalise", 5)
        strip = self.params.strip_diacritics
        self.parts = [self.submit(prepare, c, strip) for c in source.load(self.client)]
        self.wait(self.parts, "normalise", 5, 19)
        summaries = self.client.gather([self.submit(part_summary, p) for p in self.parts])
        self.lengths = [s[0] for s in summaries]
        self.starts = (np.cumsum(self.lengths) - self.lengths).tolist()
        ids = [i for s in summaries for i in s[3]]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i, c in Counter(ids).items() if c > 1)
            raise RecordError(f"duplicate id {duplicate!r}")
        if not ids:
            raise RecordError("contains no records")
        counts["submissions"] = len(ids)
        counts["languages"] = dict(sorted(sum((s[1] for s in summaries), Counter()).items()))
        return summaries

    def campaigns(self, counts: dict) -> tuple[list[dict], list[int]]:
        """2. Exact duplicates by a hash shuffle, near duplicates by an LSH-band shuffle."""
        self.report("campaigns", 20)
        submit, item, params = self.submit, self.item, self.params.campaigns
        buckets = len(self.parts)
        # Each intermediate's futures are dropped once its consumers are submitted: Dask
        # frees a result when nothing refers to it and its last consumer has run, so a
        # worker holds one step's data at a time (at two million, holding them all to the
        # end of the stage doubled a worker's peak).
        mapped = self.per_part(exact_map, buckets)
        reduced = [
            submit(exact_reduce, self.starts, *[item(m, j) for m in mapped]) for j in range(buckets)
        ]
        del mapped
        table = submit(exact_table, *reduced)
        backs = [item(r, 2) for r in reduced]
        del reduced
        inverses = [
            submit(inverse_of, start, length, table, *[item(b, p) for b in backs])
            for p, (start, length) in enumerate(zip(self.starts, self.lengths, strict=True))
        ]
        del backs
        [draft] = self.client.scatter([draft_index(self.draft, params)], broadcast=True, hash=False)
        # Nothing reads a partition while the pairs are verified (the stage's peak): once its
        # signatures are made it is set aside packed, without the exact copies' texts (never
        # read again). Submitted in turn, a worker frees each whole partition as it goes,
        # instead of holding them all beside all the signatures.
        made, packed = [], []
        for part, start, inverse in zip(self.parts, self.starts, inverses, strict=True):
            made.append(submit(signatures_of, part, start, inverse, table, params, draft, buckets))
            packed.append(submit(set_aside, part, start, inverse, table))
        self.parts = packed
        signed, bands = [item(m, 0) for m in made], [item(m, 1) for m in made]
        del made, packed, part, inverse  # the loop runs at least once: one partition or more
        self.wait(signed + self.parts, "campaigns", 20, 32)
        self.client.run(release_freed_memory)  # the whole partitions' memory, before the peak
        candidates = [submit(band_reduce, *[item(b, j) for b in bands]) for j in range(buckets)]
        del bands
        # Verified by block (a pair of partitions): a worker holds one block's signatures.
        bounds = submit(uid_bounds, table, self.starts)
        routed = [submit(route_pairs, c, bounds) for c in candidates]
        del candidates, bounds
        checked = []
        for b, (p, q) in enumerate(partition_blocks(len(self.parts))):
            pairs = submit(block_pairs, *[item(r, b) for r in routed])
            rows = [submit(rows_for, signed[i], pairs) for i in sorted({p, q})]
            checked.append(submit(verify_block, params, pairs, *rows))
        del routed, signed, pairs, rows  # the loop runs at least once: one partition or more
        n_unique = self.client.submit(lambda t: len(t[0]), table).result()
        near = submit(near_labels, n_unique, params, *checked)
        del checked
        self.grouping = submit(grouping_of, near, table)
        self.units_of = [submit(unit_of, inverse, near) for inverse in inverses]
        del near, inverses, table
        self.wait(self.units_of, "campaigns", 32, 40)
        counts.update(submit(unit_counts, self.grouping).result())

        campaign_units = submit(big_units, self.grouping, params.min_campaign_size).result()
        [rank] = self.client.scatter(
            [{u: r for r, u in enumerate(campaign_units)}], broadcast=True, hash=False
        )
        unpacked = self.per_part(after_verification, rank, self.grouping, extra=self.units_of)
        found = self.client.gather([self.item(u, 0, "campaign_parts") for u in unpacked])
        self.parts = [self.item(u, 1, "for_themes") for u in unpacked]  # the packed ones are freed
        del unpacked
        campaigns = _merge_campaigns(campaign_units, found)
        counts["campaigns"] = len(campaigns)
        counts["campaign_supporters"] = sum(c["size"] for c in campaigns)
        return campaigns, campaign_units

    def themes(self, campaign_units: list[int], counts: dict) -> tuple[list[dict], dict]:
        """3. Fitted on the sample on one worker, replicated, assigned per partition."""
        self.report("themes", 45)
        submit, params, threads = self.submit, self.params.themes, self.params.threads
        grouping = self.grouping
        n_units = counts["units"]
        if n_units <= params.fit_sample:  # all units are the sample: as in-process
            pieces = self.per_part(unit_texts, grouping, None)
            themes = submit(cluster_all, grouping, params, threads, *pieces)
        else:
            sample = fit_sample(n_units, params)
            [sample_future] = self.client.scatter([sample], broadcast=True, hash=False)
            pieces = self.per_part(unit_texts, grouping, sample_future)
            clauses = set().union(*self.client.gather(self.per_part(unit_clauses, grouping)))
            vocabulary = clause_vocabulary(sorted(clauses))
            fitted = submit(fit, grouping, sample_future, vocabulary, params, threads, *pieces)
            self.wait([fitted], "themes", 45, 55)
            self.client.replicate([fitted])  # the model on every worker: a broadcast
            assigned = self.per_part(assign, grouping, fitted, threads)
            self.wait(assigned, "themes", 55, 75)
            themes = submit(
                order_themes, grouping, sample_future, fitted, params, len(assigned), *assigned,
                *pieces,
            )  # fmt: skip
            del assigned, fitted
        del pieces
        k, distinct, campaign_themes, model = submit(theme_summary, themes, campaign_units).result()
        described = self.per_part(
            theme_parts, grouping, themes, params.quotes_per_theme, extra=self.units_of
        )
        self.wait(described, "themes", 75, 84)
        result = _merge_themes(
            self.client.gather(described), k, distinct, campaign_themes, model, params
        )
        counts["themes"] = len(result)
        counts["in_a_theme"] = sum(t["size"] for t in result)
        return result, {**model, "k": k}


def _merge_campaigns(campaign_units: list[int], found: list[dict]) -> list[dict]:
    campaigns = []
    for u in campaign_units:
        pieces = [f[u] for f in found if u in f]
        members = [m for p in pieces for m in p["members"]]
        firsts = [p["first"] for p in pieces if p["first"]]
        lasts = [p["last"] for p in pieces if p["last"]]
        anonymous = [sum(p["anonymous"][0] for p in pieces), sum(p["anonymous"][1] for p in pieces)]
        stances = sum((p["stances"] for p in pieces), Counter())
        representative = next(p["representative"] for p in pieces if p["representative"])
        campaigns.append(
            {
                "size": len(members),
                "representative": representative[0],
                "representative_text": representative[1],
                "first": min(firsts) if firsts else None,
                "last": max(lasts) if lasts else None,
                "share_anonymous": (
                    round(anonymous[0] / anonymous[1], 4) if anonymous[1] else None
                ),
                "stances": dict(sorted(stances.items())),
                "members": members,
            }
        )
    return campaigns


def _merge_themes(described, k, distinct, campaign_themes, model, params) -> list[dict]:
    themes = []
    terms_by_theme, phrases = model["terms"], model["phrases"]
    for t in range(k):
        members = [m for part in described for m in part[t][0]]
        stakeholders = sum((part[t][1] for part in described), Counter())
        candidates = sorted((c for part in described for c in part[t][2]), key=lambda c: c[1])
        chosen = pick_quotes(
            np.arange(len(candidates)),
            np.array([c[0] for c in candidates]),
            [c[4] for c in candidates],
            params.quotes_per_theme,
        )
        terms = terms_by_theme[t] if t < len(terms_by_theme) else []
        themes.append(
            {
                "number": t + 1,
                "label": (phrases[t] if phrases and t < len(phrases) else "")
                or " / ".join(terms[:3])
                or f"theme {t + 1}",
                "terms": terms,
                "size": len(members),
                "distinct_texts": int(distinct[t]),
                "campaigns": sorted(n for n, theme in enumerate(campaign_themes) if theme == t),
                "stakeholders": dict(sorted(stakeholders.items())),
                "quotes": [
                    {
                        "id": candidates[c][2],
                        "text": candidates[c][3],
                        "stakeholder": candidates[c][4],
                        "supporters": candidates[c][5],
                    }
                    for c in chosen
                ],
                "members": members,
            }
        )
    return themes
