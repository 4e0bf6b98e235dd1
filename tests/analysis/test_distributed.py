"""The analysis on a Dask cluster (analysis/distributed.py) gives the in-process result.

A ``LocalCluster`` of two worker processes, one thread each (as ``dask worker`` on two
hosts would run). Same seeds, same result: themes (labels, terms, members, quotes),
campaigns and per-clause figures are compared whole, as JSON. The 50,000-text comparison
takes about a minute on two cores: ``make bench-analysis-dask-compare`` (bench/RESULTS.md).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from analysis.distributed import CorpusSource, JsonLinesSource, ParquetSource
from analysis.models import AnalysisRun
from analysis.pipeline import PipelineParams, run_pipeline
from analysis.records import Corpus
from analysis.services import execute_run, start_analysis
from analysis.themes import ThemeParams
from bench.synthetic import generate, generate_scale

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def comparable(result: dict) -> dict:
    """The result without what may differ: wall-clock timings and the cluster's size."""
    result = json.loads(json.dumps(result))
    result["method"].pop("timings")
    result["method"].pop("cluster", None)
    return result


def assert_same(in_process: dict, on_cluster: dict) -> None:
    a, b = comparable(in_process), comparable(on_cluster)
    for key in ("campaigns", "clauses", "themes", "method"):
        assert json.dumps(a[key], sort_keys=True) == json.dumps(b[key], sort_keys=True), key


def test_evaluation_set_gives_the_same_themes_campaigns_and_figures(client):
    corpus = Corpus.from_records(generate())
    expected = run_pipeline(corpus)
    got = run_pipeline(CorpusSource(corpus, partitions=3), dask=client)
    assert_same(expected, got)
    assert got["method"]["cluster"] == {"workers": 2, "partitions": 3}
    assert expected["campaigns"] and len(expected["themes"]) >= 4  # not a trivial result


def test_campaign_set_with_the_draft_gives_the_same_campaigns(client):
    """Quotations of the draft discounted, cut copies, respellings and the meaning-level
    pass (clause, stance and time read by the workers) give the in-process campaigns."""
    from bench import campaign_eval

    corpus = Corpus.from_records(campaign_eval.generate())
    draft = campaign_eval.draft_texts()
    expected = run_pipeline(corpus, draft=draft)
    got = run_pipeline(CorpusSource(corpus, partitions=3), dask=client, draft=draft)
    assert_same(expected, got)
    assert len(expected["campaigns"]) == len(campaign_eval.CAMPAIGNS)
    without = run_pipeline(CorpusSource(corpus, partitions=3), dask=client)
    assert without["campaigns"] != got["campaigns"]  # the draft did reach the workers


def test_a_sampled_fit_replicated_to_the_workers_gives_the_same_result(client):
    """More units than the fit sample: the model is fitted on one worker on the sample and
    each partition assigns its own units (the path a million texts take)."""
    corpus = Corpus.from_records(generate_scale(6000))
    params = PipelineParams(themes=ThemeParams(fit_sample=1500))
    expected = run_pipeline(corpus, params)
    assert expected["method"]["counts"]["units"] > 1500
    assert expected["method"]["fit_sample_units"] == 1500
    got = run_pipeline(CorpusSource(corpus, partitions=4), params, dask=client)
    assert_same(expected, got)


def test_progress_moves_as_partitions_finish(client):
    corpus = Corpus.from_records(generate())
    seen: list[tuple[str, int]] = []
    run_pipeline(
        CorpusSource(corpus, partitions=4), dask=client, progress=lambda s, p: seen.append((s, p))
    )
    percents = [p for _, p in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    # Inside the stages, not only at their starts: one step per partition finished.
    assert len([s for s, _ in seen if s == "normalise"]) >= 4
    assert len([s for s, _ in seen if s == "themes"]) >= 3


def test_the_campaign_steps_results_are_freed_before_the_themes(client):
    """What the workers hold once the campaign stage is done: the partitions (without their
    exact copies' texts), the grouping and each submission's unit; not the whole partitions,
    the signatures, band keys, pairs or verified blocks (held to the end of the stage, they
    doubled a worker's peak at two million)."""
    from distributed.utils import key_split

    corpus = Corpus.from_records(generate())
    held: dict[str, set[str]] = {}

    def progress(stage: str, percent: int) -> None:
        # Once the themes read the partitions (releases reach the scheduler in batches).
        if stage == "themes" and percent >= 75 and "themes" not in held:
            held["themes"] = {
                key_split(key) for key, workers in client.who_has().items() if workers
            }

    run_pipeline(CorpusSource(corpus, partitions=3), dask=client, progress=progress)
    steps = {
        "exact_map", "exact_reduce", "inverse_of", "signatures_of", "band_reduce",
        "route_pairs", "block_pairs", "rows_for", "verify_block", "near_labels", "getitem",
    }  # fmt: skip
    assert {"grouping_of", "unit_of"} <= held["themes"]
    assert held["themes"] & steps == set()
    # What the themes read of the partitions; the whole ones and the packed ones are gone.
    assert "for_themes" in held["themes"]
    assert held["themes"] & {"prepare", "set_aside", "after_verification"} == set()


def test_the_partitions_never_travel_to_the_process_that_started_the_run(client):
    """The workers keep the submissions: what comes back to the process that started the
    run is counts and results, never a partition (waiting for a stage once fetched every
    partition, whole or packed, to it, one after another)."""
    from distributed.utils import key_split

    def sent_log(dask_worker):
        return [(entry["who"], list(entry["keys"])) for entry in dask_worker.transfer_outgoing_log]

    client.run(lambda dask_worker: dask_worker.transfer_outgoing_log.clear())
    run_pipeline(CorpusSource(Corpus.from_records(generate()), partitions=3), dask=client)
    logs = client.run(sent_log)
    sent = {
        key_split(key)
        for log in logs.values()
        for who, keys in log
        if who not in logs
        for key in keys
    }
    assert "part_summary" in sent  # what the driver reads does come back
    assert sent & {"prepare", "set_aside", "for_themes", "after_verification"} == set()


def _write_jsonl(path, records) -> None:
    keys = ("id", "text", "clause", "stance", "stakeholder", "language", "created", "anonymous")
    path.write_text(
        "".join(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n" for r in records),
        encoding="utf-8",
    )


def test_workers_read_byte_ranges_of_a_json_lines_file(client, tmp_path):
    records = generate()
    source = tmp_path / "in.jsonl"
    _write_jsonl(source, records)
    expected = run_pipeline(Corpus.from_records(json.loads(line) for line in source.open()))
    # Ranges of a 7th of the file each start and end in the middle of a line.
    got = run_pipeline(JsonLinesSource(source, partitions=7), dask=client)
    assert_same(expected, got)
    assert got["method"]["counts"]["submissions"] == len(records)


@pytest.mark.parametrize("row_group_size", [100, 10**6])
def test_workers_read_row_groups_or_row_ranges_of_a_parquet_file(client, tmp_path, row_group_size):
    """Several row groups: a worker reads whole groups; one: each reads a range of rows. The
    column names of the API's bulk file (``submitted``) are read too."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = generate()
    rows = [
        {"id": n, "text": r["text"], "clause": r["clause"], "stance": r["stance"],
         "stakeholder": r["stakeholder"], "language": r["language"], "submitted": r["created"]}
        for n, r in enumerate(records, start=1)
    ]  # fmt: skip
    source = tmp_path / "submissions.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source, row_group_size=row_group_size)
    call_command("analyse_file", str(source), "--out", str(tmp_path / "a.json"))
    expected = json.loads((tmp_path / "a.json").read_text())
    got = run_pipeline(ParquetSource(source, partitions=3), dask=client)
    assert_same(expected, got)
    assert expected["method"]["counts"]["submissions"] == len(records)
    assert expected["campaigns"][0]["first"]  # "submitted" read as the date


def test_analyse_file_with_dask(client, tmp_path):
    source = tmp_path / "in.jsonl"
    _write_jsonl(source, generate()[:150])
    call_command("analyse_file", str(source), "--out", str(tmp_path / "a.json"))
    call_command(
        "analyse_file", str(source), "--out", str(tmp_path / "b.json"),
        "--dask", client.scheduler.address,
    )  # fmt: skip
    assert_same(
        json.loads((tmp_path / "a.json").read_text()), json.loads((tmp_path / "b.json").read_text())
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": 2, "text": "   "}', "'text' is empty"),
        ('{"id": 1, "text": "again"}', "duplicate id 1"),
    ],
)
def test_a_bad_record_read_by_a_worker_is_reported(client, tmp_path, line, message):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command(
            "analyse_file", str(source), "--out", str(tmp_path / "o.json"),
            "--dask", client.scheduler.address,
        )  # fmt: skip


def test_the_analyse_consultation_command_takes_a_scheduler(client, demo, monkeypatch):
    seen = {}

    def fake_execute_run(run_id, dask=None):
        seen["dask"] = dask
        return AnalysisRun.objects.get(pk=run_id)

    monkeypatch.setattr(
        "analysis.management.commands.analyse_consultation.execute_run", fake_execute_run
    )
    call_command("analyse_consultation", demo.slug, "--dask", "tcp://10.0.0.5:8786")
    assert seen["dask"] == "tcp://10.0.0.5:8786"  # --dask runs now, on that scheduler


def test_an_unreachable_scheduler_fails_the_run_with_its_address(demo, monkeypatch, free_port):
    """No silent fallback to one machine: the run fails and says which scheduler."""
    monkeypatch.setattr("analysis.distributed.CONNECT_TIMEOUT", "1s")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", f"tcp://127.0.0.1:{free_port}")
    run = start_analysis(demo, enqueue=False)
    with pytest.raises(OSError):
        execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    assert f"127.0.0.1:{free_port}" in run.error


@pytest.mark.django_db(transaction=True)
def test_the_demo_consultation_analysed_on_the_cluster(client, demo, monkeypatch):
    """The workers read the published submissions from the database in id ranges; the run
    saved is the one the in-process run saves, and its progress moved with the cluster."""
    from tests.analysis.test_analysis_db import SMALL, add_eval_submissions

    add_eval_submissions(demo, count=120)
    local = execute_run(start_analysis(demo, parameters=SMALL, enqueue=False).pk)
    assert local.status == AnalysisRun.Status.DONE, local.error

    from analysis import services

    percents: list[int] = []
    original = services._set_progress

    def recording(run_id, stage, percent):
        percents.append(percent)
        original(run_id, stage, percent)

    monkeypatch.setattr(services, "_set_progress", recording)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", client.scheduler.address)
    remote = execute_run(start_analysis(demo, parameters=SMALL, enqueue=False).pk)
    assert remote.status == AnalysisRun.Status.DONE, remote.error
    assert remote.results["method"]["cluster"]["workers"] == 2
    assert len(set(percents)) >= 8 and percents == sorted(percents)

    def saved(run):
        return (
            [(t.number, t.label, t.terms, t.size, t.quotes,
              sorted(t.members.values_list("submission_id", flat=True)))
             for t in run.themes.order_by("number")],
            [(c.number, c.size, c.representative_id) for c in run.campaigns.order_by("number")],
            run.results["clauses"],
            run.counts,
        )  # fmt: skip

    assert saved(local) == saved(remote)
    assert local.counts["submissions"] > 120


def test_candidate_pairs_go_to_the_block_of_their_two_partitions_once():
    import numpy as np

    from analysis.distributed import partition_blocks, route_pairs, uid_bounds

    # Four partitions of submissions; the distinct texts first sent in each are one range.
    firsts = np.array([0, 3, 5, 11, 12, 20, 21, 22, 35, 39])
    bounds = uid_bounds((firsts, None), [0, 10, 20, 30])
    assert bounds.tolist() == [0, 3, 5, 8]
    rng = np.random.default_rng(1)
    members, leaders = rng.integers(0, 10, 300), rng.integers(0, 10, 300)
    routed = route_pairs((members, leaders), bounds)
    blocks = partition_blocks(4)
    assert len(routed) == len(blocks) == 10
    part = np.searchsorted(bounds, np.arange(10), side="right") - 1
    seen = []
    for (p, q), (m, lead) in zip(blocks, routed, strict=True):
        assert all(sorted((part[a], part[b])) == [p, q] for a, b in zip(m, lead, strict=True))
        seen += list(zip(m.tolist(), lead.tolist(), strict=True))
    assert sorted(seen) == sorted(zip(members.tolist(), leaders.tolist(), strict=True))


def test_a_block_with_no_pairs_verifies_to_nothing():
    """Two partitions that share no candidate pair make an empty block: no rows are taken,
    and blocks with nothing in them group no text."""
    import numpy as np

    from analysis.campaigns import CampaignParams, minima_tables, signature_width
    from analysis.distributed import near_labels, rows_for, verify_block

    params = CampaignParams()
    none = np.zeros(0, dtype=np.int64)
    tables = minima_tables(np.ones((5, signature_width(params)), dtype=np.uint64), params)
    rows = rows_for((np.arange(5), tables), (none, none))
    assert len(rows[0]) == 0
    assert {name: len(table) for name, table in rows[1].items()} == dict.fromkeys(tables, 0)
    block = verify_block(params, (none, none), rows)
    assert all(len(part) == 0 for part in block["copies"] + block["reworded"])
    assert near_labels(5, params, block, block).tolist() == [0, 1, 2, 3, 4]


def test_the_themes_stage_keeps_only_the_representatives_texts():
    """After the campaign stage a partition keeps every id, clause and stakeholder group,
    but the texts of its units' representatives only (what the themes stage reads)."""
    from analysis.campaigns import CampaignParams, group_submissions
    from analysis.distributed import for_themes, prepare, unit_texts

    corpus = Corpus.from_records(generate())
    part = prepare(corpus, strip_diacritics=False)
    grouping = group_submissions(part.normalised(range(len(corpus))), CampaignParams())
    kept = for_themes(part, 0, grouping)
    representatives = set(grouping.unit_first)
    assert len(representatives) < len(corpus)  # some submissions are not representatives
    for i in range(len(corpus)):
        assert kept.corpus.texts[i] == (corpus.texts[i] if i in representatives else "")
    assert (kept.corpus.ids, kept.corpus.clauses, kept.corpus.stakeholders) == (
        corpus.ids, corpus.clauses, corpus.stakeholders,
    )  # fmt: skip
    whole, slim = unit_texts(part, 0, grouping, None), unit_texts(kept, 0, grouping, None)
    assert whole[0].tolist() == slim[0].tolist() and whole[1:] == slim[1:]


def _one_partition_past_the_signatures():
    """(corpus, its partition, per submission its distinct text, the exact-copies table,
    the partition without its copies' texts), as one worker makes them for one partition."""
    from analysis.distributed import (
        exact_map,
        exact_reduce,
        exact_table,
        inverse_of,
        prepare,
        without_copies_texts,
    )

    corpus = Corpus.from_records(generate())
    part = prepare(corpus, strip_diacritics=False)
    reduced = exact_reduce([0], exact_map(part, 0, 1)[0])
    table = exact_table(reduced)
    inverse = inverse_of(0, len(corpus), table, reduced[2][0])
    return corpus, part, inverse, table, without_copies_texts(part, 0, inverse, table)


def test_after_the_signatures_a_partition_keeps_only_first_copies_texts():
    """Once the signatures are made, a text is read only where a unit's representative can
    be: the first submission of a distinct text. A partition then drops the texts of the
    exact copies (most of a campaign's submissions); what the later steps read of it is the
    same."""
    from analysis.campaigns import CampaignParams, group_submissions
    from analysis.distributed import campaign_parts, for_themes, unit_texts

    corpus, part, inverse, table, slim = _one_partition_past_the_signatures()

    firsts = set(table[0].tolist())
    assert len(firsts) < len(corpus)  # the set has exact copies
    for i in range(len(corpus)):
        assert slim.corpus.texts[i] == (corpus.texts[i] if i in firsts else "")
    grouping = group_submissions(part.normalised(range(len(corpus))), CampaignParams())
    assert set(grouping.unit_first) <= firsts
    big = {u: r for r, u in enumerate(np.flatnonzero(grouping.unit_size >= 5).tolist())}
    assert big  # the set has campaigns
    assert campaign_parts(slim, 0, grouping.unit_of, big, grouping) == campaign_parts(
        part, 0, grouping.unit_of, big, grouping
    )
    whole, kept = unit_texts(part, 0, grouping, None), unit_texts(slim, 0, grouping, None)
    assert whole[0].tolist() == kept[0].tolist() and whole[1:] == kept[1:]
    assert for_themes(slim, 0, grouping).corpus == for_themes(part, 0, grouping).corpus


def test_while_the_pairs_are_verified_a_partition_is_kept_packed():
    """Nothing reads a partition while the candidate pairs are verified (the campaign
    stage's peak: at five million its partitions were 1.3 GB of a worker's 6.5 GB), so it is
    set aside pickled and compressed; unpacked after, it reads as before."""
    from dask.sizeof import sizeof

    from analysis.campaigns import CampaignParams, group_submissions
    from analysis.distributed import after_verification, campaign_parts, for_themes, set_aside

    corpus, part, inverse, table, slim = _one_partition_past_the_signatures()
    packed = set_aside(part, 0, inverse, table)
    assert sizeof(packed) < sizeof(slim) / 4

    grouping = group_submissions(part.normalised(range(len(corpus))), CampaignParams())
    big = {u: r for r, u in enumerate(np.flatnonzero(grouping.unit_size >= 5).tolist())}
    found, themes_part = after_verification(packed, 0, grouping.unit_of, big, grouping)
    assert found == campaign_parts(slim, 0, grouping.unit_of, big, grouping)
    assert themes_part.corpus == for_themes(slim, 0, grouping).corpus
    # Repeated values stay one string each (pickle keeps shared objects shared).
    assert themes_part.corpus.clauses[0] is next(
        c for c in themes_part.corpus.clauses[1:] if c == themes_part.corpus.clauses[0]
    )


def test_memory_of_freed_objects_goes_back_to_the_system():
    """A worker that drops its whole partitions (millions of strings) kept the memory of
    them: glibc holds freed blocks for reuse. Once they are set aside it is handed back."""
    import ctypes.util

    import psutil

    from analysis.distributed import release_freed_memory

    if "libc.so" not in (ctypes.util.find_library("c") or ""):
        pytest.skip("malloc_trim is glibc's; this C library has none")
    process = psutil.Process()
    texts = [f"{'x' * 600}{i}" for i in range(300_000)]  # ~190 MB of malloc'd blocks
    survivors = texts[::100]  # a few stay, as on a worker: the heap cannot shrink from the top
    del texts
    before = process.memory_info().rss
    assert release_freed_memory() == 1  # something was handed back
    assert process.memory_info().rss < before - 100 * 2**20
    assert len(survivors) == 3_000


def test_dask_counts_a_partition_by_what_it_holds():
    """Dask measures a result with ``sys.getsizeof``; a partition that read as a few bytes
    was never spilled under a memory limit until its worker was near the end of it."""
    import dataclasses
    import sys

    from dask.sizeof import sizeof

    from analysis.distributed import prepare

    corpus = Corpus.from_records(generate())
    texts = sum(sys.getsizeof(t) for t in corpus.texts)
    part = prepare(corpus, strip_diacritics=False)
    assert texts < sizeof(part) < 3 * texts
    # Texts dropped (the exact copies' after the signatures): the partition reads smaller.
    every_other = [text if i % 2 == 0 else "" for i, text in enumerate(corpus.texts)]
    half = dataclasses.replace(corpus, texts=every_other)
    dropped = sum(sys.getsizeof(t) for t in corpus.texts[1::2])
    assert sizeof(dataclasses.replace(part, corpus=half)) <= sizeof(part) - dropped


def test_repeated_record_values_are_one_string_each():
    """A clause, stance, group or language repeated over millions of records is one string
    object (about 220 bytes a submission saved), whatever string the reader made."""
    corpus = Corpus()
    for n in range(2):
        corpus.add(
            {"id": n, "text": "t", "clause": "c-" + str(1), "stance": "".join(["am", "end"]),
             "stakeholder": "".join(["individ", "ual"]), "language": "".join(["u", "r"])}
        )  # fmt: skip
    for values in (corpus.clauses, corpus.stances, corpus.stakeholders, corpus.languages):
        assert values[0] == values[1] and values[0] is values[1]


def test_candidate_pairs_travel_as_four_byte_ids():
    """At five million submissions the candidate pairs routed to their blocks were about
    1.4 GB on a worker, and the band pieces 1 kB a distinct text: the text ids in them are
    int32 while there are fewer than 2**31 distinct texts (the same pairs, half the bytes),
    and int64 beyond."""
    from analysis.campaigns import CampaignParams, minhash_signatures, unique_pairs
    from analysis.distributed import band_map, band_reduce, block_pairs, compact_ids

    params = CampaignParams()
    texts = ["the same letter to the ministry about clause four"] * 3 + ["another text"] * 2
    uids = np.arange(len(texts), dtype=np.int64)
    rows = minhash_signatures(texts, params, uids)
    pieces = band_map(uids, rows, params, buckets=2)
    assert all(piece_uids.dtype == np.int32 for bucket in pieces for _, piece_uids in bucket)
    found = [band_reduce(pieces[bucket]) for bucket in (0, 1)]  # one partition's pieces
    members = np.concatenate([f[0] for f in found])
    leaders = np.concatenate([f[1] for f in found])
    assert members.dtype == leaders.dtype == np.int32
    pairs = block_pairs(*found)
    assert pairs[0].dtype == np.int32
    # Each text is paired with its bucket's leader (the lowest id), each pair once.
    assert sorted(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)) == [
        (0, 1),
        (0, 2),
        (3, 4),
    ]
    expected = unique_pairs(members.astype(np.int64), leaders.astype(np.int64))
    assert [a.tolist() for a in pairs] == [a.tolist() for a in expected]

    big = np.array([2**31, 5], dtype=np.int64)
    assert compact_ids(big).dtype == np.int64 and compact_ids(big).tolist() == big.tolist()
    assert compact_ids(np.array([7, 5], dtype=np.int64)).dtype == np.int32
