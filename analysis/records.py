"""Plain submission records (no database) and the JSON-lines reader for analysts.

The pipeline works on columns of plain values so the same code serves the database task
(one query, no model instances kept) and ``manage.py analyse_file``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TEXT_LIMIT = 100_000
OPTIONAL_STRING_FIELDS = ("clause", "stance", "stakeholder", "language", "created")


def _shared(value) -> str:
    """One string object for each of the few values repeated over millions of records
    (clause, stance, group, language): about 220 bytes a submission saved."""
    return sys.intern(str(value or ""))


class RecordError(ValueError):
    """A bad input record; the message names the line and what is wrong."""


@dataclass
class Corpus:
    ids: list = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    stances: list[str] = field(default_factory=list)
    stakeholders: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    created: list[str | None] = field(default_factory=list)
    anonymous: list[bool | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, record: dict) -> None:
        self.ids.append(record["id"])
        self.texts.append(record["text"])
        self.clauses.append(_shared(record.get("clause")))
        self.stances.append(_shared(record.get("stance")))
        self.stakeholders.append(_shared(record.get("stakeholder")))
        self.languages.append(_shared(record.get("language")))
        self.created.append(record.get("created") or None)
        self.anonymous.append(record.get("anonymous"))

    @classmethod
    def from_records(cls, records: Iterable[dict]) -> Corpus:
        corpus = cls()
        seen: set = set()
        for number, record in enumerate(records, start=1):
            checked = validate_record(record, f"record {number}")
            if checked["id"] in seen:
                raise RecordError(f"record {number}: duplicate id {checked['id']!r}")
            seen.add(checked["id"])
            corpus.add(checked)
        return corpus


def validate_record(record, where: str) -> dict:
    if not isinstance(record, dict):
        raise RecordError(f"{where}: expected a JSON object, got {type(record).__name__}")
    if "id" not in record:
        raise RecordError(f"{where}: missing required field 'id'")
    if not isinstance(record["id"], (str, int)) or isinstance(record["id"], bool):
        raise RecordError(f"{where}: 'id' must be a string or an integer")
    text = record.get("text")
    if not isinstance(text, str):
        raise RecordError(f"{where}: missing required field 'text' (a string)")
    if not text.strip():
        raise RecordError(f"{where}: 'text' is empty")
    if len(text) > TEXT_LIMIT:
        raise RecordError(f"{where}: 'text' is {len(text)} characters; the limit is {TEXT_LIMIT}")
    for name in OPTIONAL_STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise RecordError(f"{where}: '{name}' must be a string, got {type(value).__name__}")
    anonymous = record.get("anonymous")
    if anonymous is not None and not isinstance(anonymous, bool):
        raise RecordError(f"{where}: 'anonymous' must be true or false")
    return record


def read_jsonl(lines: Iterable[str]) -> Corpus:
    """Parse JSON lines; blank lines are skipped; errors name the line number."""
    corpus = Corpus()
    seen: set = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise RecordError(f"line {number}: not valid JSON ({error.msg})") from None
        checked = validate_record(record, f"line {number}")
        if checked["id"] in seen:
            raise RecordError(f"line {number}: duplicate id {checked['id']!r}")
        seen.add(checked["id"])
        corpus.add(checked)
    return corpus


PARQUET_FIELDS = (
    "id",
    "text",
    "clause",
    "stance",
    "stakeholder",
    "language",
    "created",
    "anonymous",
)


def parquet_records(table, first_row: int = 0):
    """Records of a pyarrow table with the JSON-lines fields as columns (the API's Parquet
    bulk file works too: its ``submitted`` is read as ``created``), checked like lines."""
    names = set(table.column_names)
    columns = {field: table.column(field).to_pylist() for field in PARQUET_FIELDS if field in names}
    if "created" not in columns and "submitted" in names:
        columns["created"] = table.column("submitted").to_pylist()
    for row in range(table.num_rows):
        record = {field: values[row] for field, values in columns.items()}
        yield validate_record(record, f"row {first_row + row + 1}")


def read_parquet(path) -> Corpus:
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=parquet_columns(path))
    return Corpus.from_records(parquet_records(table))


def read_draft(path) -> list[str]:
    """The draft's clause texts from a JSON file: a list of clauses (objects with ``text``
    and optionally ``text_ur``, as ``bench/data/eval_campaigns_draft.json``) or an object
    with such a list as ``clauses`` (as ``cms/demo/ai_rules.json``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    clauses = data.get("clauses") if isinstance(data, dict) else data
    texts = [
        clause.get(field)
        for clause in (clauses if isinstance(clauses, list) else [])
        if isinstance(clause, dict)
        for field in ("text", "text_ur")
    ]
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    if not texts:
        raise RecordError(f"{path}: no clause texts (a list of objects with 'text')")
    return texts


def parquet_columns(path) -> list[str]:
    import pyarrow.parquet as pq

    names = pq.ParquetFile(path).schema_arrow.names
    return [n for n in names if n in PARQUET_FIELDS or n == "submitted"]
