"""Split a pasted or uploaded draft into clauses at its numbered headings.

Ministries send drafts as Word files, Markdown or text copied from a PDF. The numbering is
what stays constant: "1.", "7(2)", "Section 3", "Rule 4", "Article 5", Urdu "دفعہ ۳" and
Eastern-Arabic digits (۱۲۳). Sub-rules written "(1)", "(a)" stay inside their clause.
The result is reviewed by an editor before it replaces the working draft.

A bilingual draft holds each clause twice, numbered the same way: the English clauses and
the Urdu ones either in two parallel sections (all English, then all Urdu) or each Urdu
clause right after its English one. A clause written in Urdu script is the Urdu heading and
text of the English clause with the same number (``split_bilingual``); an Urdu clause whose
number has no English clause is refused, naming the number.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_EASTERN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_DIGIT = r"[0-9۰-۹٠-٩]"
_WORDS = r"Section|Sec\.|Rule|Article|Clause|Regulation|دفعہ|قاعدہ|شق|آرٹیکل"
HEADING = re.compile(
    rf"""^\s*(?:\#{{1,6}}\s*)?(?:\*\*)?\s*
    (?:(?P<word>{_WORDS})\s*)?
    (?P<number>{_DIGIT}+[A-Za-z]?(?:\s?\((?:{_DIGIT}+|[a-z]{{1,4}})\))*)
    (?P<sep>\s*[.:\-–—۔)]|(?=\s)|$)
    \s*(?:\*\*)?\s*(?P<rest>.*)$""",
    re.VERBOSE | re.IGNORECASE,
)
MAX_HEADING_CHARS = 120


@dataclass
class ImportedClause:
    identifier: str
    heading: str
    text: str
    heading_ur: str = ""
    text_ur: str = ""

    def as_dict(self) -> dict:
        return {
            "identifier": self.identifier,
            "heading": self.heading,
            "heading_ur": self.heading_ur,
            "text": self.text,
            "text_ur": self.text_ur,
        }


class DraftImportError(ValueError):
    """The upload could not be read or held no numbered clauses."""


def _heading_match(line: str):
    match = HEADING.match(line)
    if not match:
        return None
    number = match["number"]
    sep = (match["sep"] or "").strip()
    # A bare number at the start of a line ("2026 was ...") is not a heading: it needs a
    # keyword ("Rule 4"), a full stop ("4.", "۴۔") or a sub-number ("7(2)").
    if not match["word"] and not sep and "(" not in number:
        return None
    if not match["word"] and sep in {")", "-", "–", "—"}:
        return None
    return match


def _identifier(number: str) -> str:
    return number.translate(_EASTERN_DIGITS).replace(" ", "")


def _split_heading(rest: str) -> tuple[str, str]:
    """'Definitions' is a heading; 'A deployer shall ...' is the clause's first sentence."""
    rest = rest.strip().strip("*").strip()
    if not rest:
        return "", ""
    if len(rest) <= MAX_HEADING_CHARS and not rest.endswith((".", "۔", ";", ":", ",")):
        return rest, ""
    short = rest.endswith((".", "۔")) and len(rest) <= 60 and rest.count(" ") <= 8
    if short and not re.search(r"\b(shall|may|must)\b", rest, re.IGNORECASE):
        return rest.rstrip(".۔").strip(), ""
    return "", rest


def split_clauses(text: str) -> list[ImportedClause]:
    """Clauses in reading order. Text before the first heading (a preamble) is dropped."""
    clauses: list[ImportedClause] = []
    current: ImportedClause | None = None
    body: list[str] = []

    def close():
        if current is not None:
            current.text = "\n".join(line for line in body if line.strip()).strip()
            clauses.append(current)

    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.strip()
        match = _heading_match(line) if line else None
        if match:
            close()
            heading, first = _split_heading(match["rest"])
            current = ImportedClause(_identifier(match["number"]), heading, "")
            body = [first] if first else []
        elif current is not None:
            if line.startswith("#"):
                line = line.lstrip("#").strip()
            body.append(line)
    close()
    return clauses


_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z]")


def is_urdu(text: str) -> bool:
    """Mostly Urdu (Arabic-script) letters rather than Latin ones."""
    urdu = len(_ARABIC_SCRIPT.findall(text))
    return urdu > 0 and urdu > len(_LATIN.findall(text))


def split_bilingual(text: str) -> list[ImportedClause]:
    """Clauses in the English reading order, each with its Urdu heading and text where the
    draft has them (module docstring: parallel sections, or Urdu after each English clause).

    Raises ``DraftImportError`` for an Urdu clause with no English clause of its number."""
    english: list[ImportedClause] = []
    urdu: list[ImportedClause] = []
    for clause in split_clauses(text):
        (urdu if is_urdu(f"{clause.heading}\n{clause.text}") else english).append(clause)
    unmatched: list[str] = []
    for translation in urdu:
        # The first English clause of that number still without Urdu (numbers may repeat).
        target = next(
            (
                c
                for c in english
                if c.identifier == translation.identifier and not (c.text_ur or c.heading_ur)
            ),
            None,
        )
        if target is None:
            unmatched.append(translation.identifier)
            continue
        target.heading_ur, target.text_ur = translation.heading, translation.text
    if unmatched:
        raise DraftImportError(
            _("These Urdu clauses have no English clause with the same number: %(numbers)s.")
            % {"numbers": ", ".join(unmatched)}
        )
    return english


def docx_text(data: bytes) -> str:
    """The paragraphs of a .docx file, one a line (python-docx)."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several unrelated types for bad files
        raise DraftImportError("This file is not a readable .docx document.") from error
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def text_from_upload(name: str, data: bytes) -> str:
    """Plain text of an uploaded .docx, .md or .txt file."""
    lower = name.lower()
    if lower.endswith(".docx"):
        return docx_text(data)
    if lower.endswith((".md", ".markdown", ".txt")):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DraftImportError("Text files must be UTF-8.") from error
    raise DraftImportError("Upload a .docx, .md or .txt file.")
