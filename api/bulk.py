"""Bulk files per consultation: every published submission as CSV, JSON Lines and Parquet.

Files are built for one *stamp*: the consultation's comment generation
(``consult.reading_cache``, new after any comment is saved, moderated or re-anchored), its
newest draft version and its published report. A file is served only under the current
stamp, so a submission removed a minute ago is never in a file handed out now: the next
download rebuilds. A task also rebuilds them after each publication (``api.signals``), so
downloads after a report or a new version is published are usually already built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from analysis.exports import csv_chunks
from consult import reading_cache

from . import selectors
from .serializers import SubmissionSerializer

FORMATS = {
    "csv": ("submissions.csv", "text/csv; charset=utf-8"),
    "jsonl": ("submissions.jsonl", "application/jsonl"),
    "parquet": ("submissions.parquet", "application/vnd.apache.parquet"),
}
COLUMNS = [
    "id",
    "consultation",
    "clause",
    "clause_identifier",
    "clause_version",
    "stance",
    "stakeholder",
    "organisation",
    "author",
    "language",
    "source",
    "submitted",
    "text",
    "proposed_wording",
    "anchor_exact",
    "anchor_start",
    "anchor_end",
    "anchor_language",
    "theme",
    "campaign",
]


@dataclass
class BulkFiles:
    stamp: str
    directory: Path

    def path(self, file_format: str) -> Path:
        return self.directory / FORMATS[file_format][0]

    @property
    def built(self) -> bool:
        return (self.directory / "meta.json").exists()

    def meta(self) -> dict:
        try:
            return json.loads((self.directory / "meta.json").read_text())
        except (OSError, ValueError):
            return {}


def root() -> Path:
    return Path(settings.API_BULK_ROOT)


def stamp(consultation) -> str:
    report = selectors.published_report(consultation)
    latest = selectors.versions(consultation).values_list("pk", flat=True).last()
    parts = [
        reading_cache.generation(consultation.pk),
        latest,
        consultation.live_revision_id,
        report.live_revision_id if report else None,
        report.run_id if report else None,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def current(consultation) -> BulkFiles:
    value = stamp(consultation)
    return BulkFiles(value, root() / str(consultation.pk) / value)


def rows(consultation):
    """One flat row per published submission, as the API shows it, with its theme and
    campaign in the published report (empty when there is none)."""
    from analysis.models import ThemeMember

    report = selectors.published_report(consultation)
    membership = {}
    if report is not None:
        membership = {
            sid: (theme, campaign)
            for sid, theme, campaign in ThemeMember.objects.filter(
                theme__run_id=report.run_id
            ).values_list("submission_id", "theme__number", "campaign__number")
        }
    serializer = SubmissionSerializer(context={"slugs": {consultation.pk: consultation.slug}})
    queryset = selectors.published_submissions().filter(consultation=consultation).order_by("pk")
    for submission in queryset.iterator(chunk_size=2000):
        data = serializer.to_representation(submission)
        clause = data["clause"] or {}
        anchor = data["anchor"] or {"quote": {}, "position": {}}
        theme, campaign = membership.get(submission.pk, (None, None))
        yield {
            "id": data["id"],
            "consultation": data["consultation"],
            "clause": clause.get("key", ""),
            "clause_identifier": clause.get("identifier", ""),
            "clause_version": clause.get("version"),
            "stance": data["stance"],
            "stakeholder": data["stakeholder"],
            "organisation": data["organisation"],
            "author": data["author"] or "",
            "language": data["language"],
            "source": data["source"],
            "submitted": data["submitted"],
            "text": data["text"],
            "proposed_wording": data["proposed_wording"],
            "anchor_exact": anchor["quote"].get("exact", ""),
            "anchor_start": anchor["position"].get("start"),
            "anchor_end": anchor["position"].get("end"),
            "anchor_language": anchor.get("language", ""),
            "theme": theme,
            "campaign": campaign,
        }


def _parquet(path: Path, data: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    string, integer = pa.string(), pa.int64()
    types = {"id": integer, "clause_version": integer, "anchor_start": integer}
    types |= {"anchor_end": integer, "theme": integer, "campaign": integer}
    schema = pa.schema([(name, types.get(name, string)) for name in COLUMNS])
    pq.write_table(pa.Table.from_pylist(data, schema=schema), path, compression="zstd")


def build(consultation) -> BulkFiles:
    """Write the three files for the current stamp (read before the rows, so rows newer
    than the stamp can only make the files fresher), then drop older stamps."""
    files = current(consultation)
    if files.built:
        return files
    data = list(rows(consultation))
    parent = files.directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=parent, prefix=".build-"))
    try:
        with open(work / FORMATS["csv"][0], "w", encoding="utf-8", newline="") as out:
            for chunk in csv_chunks(COLUMNS, data):
                out.write(chunk)
        with open(work / FORMATS["jsonl"][0], "w", encoding="utf-8") as out:
            for row in data:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        _parquet(work / FORMATS["parquet"][0], data)
        meta = {
            "stamp": files.stamp,
            "rows": len(data),
            "generated_at": timezone.now().isoformat(),
            "bytes": {f: (work / name).stat().st_size for f, (name, _type) in FORMATS.items()},
        }
        (work / "meta.json").write_text(json.dumps(meta))
        try:
            os.rename(work, files.directory)
        except OSError:  # another process built the same stamp first
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    for other in parent.iterdir():
        if other.name != files.stamp and not other.name.startswith(".build-"):
            shutil.rmtree(other, ignore_errors=True)
    return files
