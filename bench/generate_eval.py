"""Regenerate the labelled evaluation sets, deterministically:

* ``bench/data/eval_submissions.jsonl``: themes and campaigns (``bench.synthetic``);
* ``bench/data/eval_campaigns.jsonl`` and ``bench/data/eval_campaigns_draft.json``: form
  letters that vary as real copies do, and independent comments quoting the draft, with the
  draft's clause texts (``bench.campaign_eval``).

Run from the repository root: ``python -m bench.generate_eval``."""

from __future__ import annotations

import json
from pathlib import Path

from bench import campaign_eval
from bench.synthetic import generate

DATA = Path(__file__).with_name("data")
EVAL_FILE = DATA / "eval_submissions.jsonl"
CAMPAIGN_FILE = DATA / "eval_campaigns.jsonl"
DRAFT_FILE = DATA / "eval_campaigns_draft.json"


def _write_lines(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} records to {path}")


def main() -> None:
    _write_lines(EVAL_FILE, generate())
    _write_lines(CAMPAIGN_FILE, campaign_eval.generate())
    DRAFT_FILE.write_text(
        json.dumps(campaign_eval.DRAFT, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(campaign_eval.DRAFT)} clauses to {DRAFT_FILE}")


if __name__ == "__main__":
    main()
