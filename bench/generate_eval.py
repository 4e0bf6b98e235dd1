"""Regenerate ``bench/data/eval_submissions.jsonl``, deterministically.

Run from the repository root: ``python -m bench.generate_eval``."""

from __future__ import annotations

import json
from pathlib import Path

from bench.synthetic import generate

EVAL_FILE = Path(__file__).with_name("data") / "eval_submissions.jsonl"


def main() -> None:
    records = generate()
    with EVAL_FILE.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {EVAL_FILE}")


if __name__ == "__main__":
    main()
