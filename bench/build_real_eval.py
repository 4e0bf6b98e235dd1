"""Build the real held-out evaluation set from the Blueprint for an AI Bill of Rights.

Source: "Blueprint for an AI Bill of Rights: Making Automated Systems Work for the American
People", White House Office of Science and Technology Policy, October 2022. Its page 2 says:
"This document is a work of the United States Government and is in the public domain (see
17 U.S.C. §105)." See bench/data/SOURCES.md for where the page texts were taken from.

Items are the paragraphs and bullet points of the technical companion's five principle
sections (pages 15-52); each item is labelled by the principle whose pages it sits on. The
page furniture (the principle's name printed on every page, the sub-section titles and the
one-sentence introductions repeated on every page, page numbers, endnote numbers) is removed,
so an item carries only the document's own wording. Nothing is written by hand.

    python bench/build_real_eval.py                       # from bench/data/blueprint_pages.json
    python bench/build_real_eval.py --from-upstream DIR   # re-extract the pages first

``--from-upstream`` reads the page texts from a clone of github.com/danzerca/implications-of-ai
(the ``corpus`` of its *_dataset.jsonl files: one PyMuPDF text per page of the official PDF)
and rewrites blueprint_pages.json before cutting the items.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
PAGES_FILE = DATA / "blueprint_pages.json"
OUT_FILE = DATA / "real_blueprint.jsonl"
UPSTREAM_COMMIT = "3be7ce6"  # the snapshot the committed pages were taken from

# The technical companion's principle sections, by page (its table of contents, page 13).
SECTIONS = [
    (15, 22, "safe_effective"),
    (23, 29, "algorithmic_discrimination"),
    (30, 39, "data_privacy"),
    (40, 45, "notice_explanation"),
    (46, 52, "human_alternatives"),
]
FIRST_PAGE, LAST_PAGE = SECTIONS[0][0], SECTIONS[-1][1]

# Lines that are page furniture: the principle's name (printed on every page, sometimes
# broken over lines), the sub-section titles, and lone page numbers.
FURNITURE = {
    "SAFE AND EFFECTIVE",
    "SYSTEMS",
    "SAFE AND EFFECTIVE SYSTEMS",
    "Algorithmic",
    "Discrimination",
    "Protections",
    "ALGORITHMIC DISCRIMINATION Protections",
    "DATA PRIVACY",
    "NOTICE &",
    "EXPLANATION",
    "NOTICE AND EXPLANATION",
    "HUMAN ALTERNATIVES,",
    "CONSIDERATION, AND",
    "FALLBACK",
    "HUMAN ALTERNATIVES, CONSIDERATION",
    "ALLBACK",
    "F",
    "AND",
    ",",
    "WHY THIS PRINCIPLE IS IMPORTANT",
    "WHAT SHOULD BE EXPECTED OF AUTOMATED SYSTEMS",
    "HOW THESE PRINCIPLES CAN MOVE INTO PRACTICE",
    "EXTRA PROTECTIONS FOR DATA RELATED TO SENSITIVE",
    "DOMAINS",
}
# The one-sentence introductions repeated on every page of a sub-section.
BOILERPLATE = [
    "The expectations for automated systems are meant to serve as a blueprint for the "
    "development of additional technical standards and practices that are tailored for "
    "particular sectors and contexts.",
    "This section provides a brief summary of the problems which the principle seeks to "
    "address and protect against, including illustrative examples.",
    "Real-life examples of how these principles can become reality, through laws, policies, "
    "and practical technical and sociotechnical approaches to protecting rights, "
    "opportunities, and access.",
]
TRAILING_ENDNOTE = re.compile(r"(?<=[.”\"])\s+\d{1,3}\s*$")
# A run-in heading: a few words ending in a full stop, then the paragraph's first sentence
# ("Independent evaluation. As described ..."); sentences starting with these words are not.
RUN_IN_HEADING = re.compile(
    r"^(?!(?:The|This|These|That|Those|It|In|A|An|For|Such|Some|When|Where|If|As|Any|All|"
    r"Many|Each|Other|Or|And|But|Data|People)\b)[A-Z][\w,'’/()-]*(?: [\w,'’/()-]+){0,7}\. [A-Z]"
)
MIN_CHARS = 80  # shorter pieces are headings or fragments
SENTENCE_END = re.compile(r"""[.:;?!”"')\]]\d{0,3}$""")
ENDNOTE = re.compile(r"""(?<=[A-Za-z.,;:”"')\]])\d{1,3}(?=[\s.,;:]|$)""")


def page_number(text: str) -> int | None:
    lines = [line.strip() for line in text.strip().splitlines()]
    for line in reversed(lines[-6:]):
        if line.isdigit():
            return int(line)
    return None


def extract_upstream(repo: Path) -> list[dict]:
    """The Blueprint's principle pages from the upstream snapshot's *_dataset.jsonl files."""
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    if not head.startswith(UPSTREAM_COMMIT):
        print(f"note: upstream is at {head[:7]}, the committed pages came from {UPSTREAM_COMMIT}")
    texts: set[str] = set()
    for name in ("training_dataset.jsonl", "val_dataset.jsonl", "test_dataset.jsonl"):
        blob = subprocess.run(
            ["git", "-C", str(repo), "show", f"HEAD:{name}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in blob.splitlines():
            if line.strip():
                texts.update(json.loads(line)["corpus"].values())
    pages = {}
    for text in texts:
        number = page_number(text)
        if number is not None and FIRST_PAGE <= number <= LAST_PAGE and "GOVERN" not in text:
            pages[number] = text
    missing = sorted(set(range(FIRST_PAGE, LAST_PAGE + 1)) - set(pages))
    if missing:
        raise SystemExit(f"pages missing upstream: {missing}")
    return [{"page": n, "text": pages[n]} for n in sorted(pages)]


def section_of(page: int) -> str:
    for first, last, name in SECTIONS:
        if first <= page <= last:
            return name
    raise ValueError(page)


def paragraphs(text: str) -> list[str]:
    """Paragraphs and bullet points of one page, furniture removed.

    A paragraph ends at a line that ends a sentence and is clearly shorter than the page's
    full lines (the text is ragged-right, so its last line is short); a bullet ("•") starts
    a new item; a short line without final punctuation is a run-in sub-heading and is dropped.
    """
    lines = [line.rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line.strip("\xad ")]

    def furniture(line: str) -> bool:
        return line.strip() in FURNITURE or line.strip().isdigit()

    # Furniture is printed above and below the text, never inside it (a justified page may
    # have "Algorithmic" alone on a line of its text).
    while lines and furniture(lines[0]):
        lines.pop(0)
    while lines and furniture(lines[-1]):
        lines.pop()
    lines = [line for line in lines if line.strip() not in FURNITURE - {"Algorithmic", "F", "AND"}]
    width = sorted(len(line) for line in lines)[int(0.9 * (len(lines) - 1))] if lines else 0
    items: list[list[str]] = [[]]
    skip_to = -1
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or i <= skip_to:
            continue
        if stripped == "•":
            items.append([])
            continue
        short = len(line) < 0.8 * width
        at_boundary = not items[-1] or SENTENCE_END.search(items[-1][-1].strip())
        if at_boundary and (end := _heading_end(lines, i, width)) is not None:
            skip_to = end  # a sub-heading of one or two lines
            items.append([])
            continue
        if at_boundary and items[-1] and RUN_IN_HEADING.match(stripped):
            items.append([])  # "Reporting. Entities responsible ..." starts a paragraph
        items[-1].append(line)
        if short and SENTENCE_END.search(stripped):
            items.append([])
    result = []
    for item in items:
        joined = ""
        for line in item:
            if joined.endswith("\xad"):
                joined = joined[:-1] + line.strip()
            elif joined.endswith("-") and not joined.endswith(" -"):
                joined += line.strip()
            else:
                joined = f"{joined} {line.strip()}" if joined else line.strip()
        joined = joined.replace("\xad", "")
        for sentence in BOILERPLATE:
            joined = joined.replace(sentence, " ")
        joined = ENDNOTE.sub("", joined)
        joined = TRAILING_ENDNOTE.sub("", joined)
        joined = re.sub(r"\s+", " ", joined).strip()
        if len(joined) >= MIN_CHARS:
            result.append(joined)
    return result


def _heading_end(lines: list[str], i: int, width: int) -> int | None:
    """The last line of a sub-heading starting at line ``i`` (one or two lines, the last
    short and without final punctuation, then a line starting with a capital), or None."""
    for j in (i, i + 1):
        if j + 1 >= len(lines):
            return None
        line, following = lines[j].strip(), lines[j + 1].strip()
        if SENTENCE_END.search(line):
            return None
        if len(lines[j]) < 0.8 * width and following[:1].isupper():
            return j
    return None


def split_of(item_id: str) -> str:
    """A fixed half of the items for tuning, the other half held out (by a hash of the id)."""
    return "tune" if hashlib.sha256(item_id.encode()).digest()[0] % 2 == 0 else "holdout"


def build(pages: list[dict]) -> list[dict]:
    records = []
    for page in pages:
        for n, text in enumerate(paragraphs(page["text"]), start=1):
            item_id = f"b{page['page']:02d}-{n:02d}"
            records.append(
                {
                    "id": item_id,
                    "text": text,
                    "theme": section_of(page["page"]),
                    "language": "en",
                    "page": page["page"],
                    "split": split_of(item_id),
                }
            )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-upstream", type=Path, help="clone of danzerca/implications-of-ai")
    args = parser.parse_args()
    if args.from_upstream:
        pages = extract_upstream(args.from_upstream)
        PAGES_FILE.write_text(json.dumps(pages, ensure_ascii=False, indent=1) + "\n", "utf-8")
    pages = json.loads(PAGES_FILE.read_text("utf-8"))
    records = build(pages)
    OUT_FILE.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    by_theme: dict[str, int] = {}
    for r in records:
        by_theme[r["theme"]] = by_theme.get(r["theme"], 0) + 1
    print(f"{len(records)} items from {len(pages)} pages: {by_theme}")
    print(f"tune={sum(r['split'] == 'tune' for r in records)}")


if __name__ == "__main__":
    main()
