"""Steps 1-4 on a JSON-lines file, without touching the database (for analysts)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.distributed import scheduler_address
from analysis.pipeline import run_pipeline
from analysis.records import RecordError, read_draft, read_jsonl, read_parquet


class Command(BaseCommand):
    help = (
        "Analyse INPUT.jsonl (one JSON object per line: id, text, optional clause, stance, "
        "stakeholder, language, created, anonymous) or INPUT.parquet (the same columns, or "
        "the API's bulk file) and write themes, campaigns and clauses to --out as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="JSON-lines file, UTF-8, or a .parquet file")
        parser.add_argument("--out", required=True, help="where to write the JSON result")
        parser.add_argument(
            "--params", help='JSON object of pipeline parameters, e.g. \'{"themes": {"k_max": 8}}\''
        )
        parser.add_argument(
            "--draft",
            metavar="CLAUSES.json",
            help="the draft's clause texts (a JSON list of objects with 'text' and 'text_ur', "
            "or an object with such a list as 'clauses'): quotations of them do not make "
            "comments a campaign",
        )
        parser.add_argument(
            "--dask",
            metavar="tcp://HOST:8786",
            help="run on this Dask scheduler's workers, which read INPUT themselves (it must be "
            "at the same path on every worker); default: DASK_SCHEDULER_ADDRESS",
        )

    def handle(self, *args, **options):
        from analysis.pipeline import PipelineParams

        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(f"Input file not found: {source}")
        try:
            params = PipelineParams.from_dict(json.loads(options["params"] or "{}"))
        except (json.JSONDecodeError, TypeError) as error:
            raise CommandError(f"--params is not a valid parameter object: {error}") from None
        draft = []
        if options.get("draft"):
            try:
                draft = read_draft(options["draft"])
            except (OSError, ValueError) as error:  # RecordError and bad JSON are ValueErrors
                raise CommandError(f"--draft: {error}") from None
        dask = options.get("dask") or scheduler_address()
        if dask:
            return self._on_cluster(source, params, dask, options, draft)
        try:
            if source.suffix == ".parquet":
                corpus = read_parquet(source)
            else:
                with source.open(encoding="utf-8") as lines:
                    corpus = read_jsonl(lines)
        except UnicodeDecodeError as error:
            raise CommandError(f"{source} is not UTF-8 text ({error.reason})") from None
        except RecordError as error:
            raise CommandError(f"{source}: {error}") from None
        if len(corpus) == 0:
            raise CommandError(f"{source} contains no records.")

        self._write(run_pipeline(corpus, params, self._progress(options), draft=draft), options)

    def _on_cluster(self, source: Path, params, dask: str, options, draft) -> None:
        from analysis.distributed import JsonLinesSource, ParquetSource

        reader = ParquetSource if source.suffix == ".parquet" else JsonLinesSource
        try:
            result = run_pipeline(
                reader(source), params, self._progress(options), dask=dask, draft=draft
            )
        except UnicodeDecodeError as error:
            raise CommandError(f"{source} is not UTF-8 text ({error.reason})") from None
        except RecordError as error:
            raise CommandError(f"{source}: {error}") from None
        self._write(result, options)

    def _progress(self, options):
        def progress(stage: str, percent: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{stage} ({percent}%)")

        return progress

    def _write(self, result: dict, options) -> None:
        out = Path(options["out"])
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        counts = result["method"]["counts"]
        timings = ", ".join(f"{k} {v:.2f} s" for k, v in result["method"]["timings"].items())
        self.stdout.write(
            f"{counts['submissions']} submissions: {counts['campaigns']} campaigns, "
            f"{counts['themes']} themes, {counts['clauses']} clauses ({timings}). "
            f"Wrote {out}"
        )
