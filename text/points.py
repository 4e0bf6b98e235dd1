"""A long submission as the points it makes: paragraphs, numbered or bulleted items, and, in
a long paragraph, its sentences (English full stops and Urdu ۔ and ؟). Pure functions, no
Django: each point keeps its offsets into the original text, its item number when it had
one, and the clause it names ("clause 7", "rule 7(2)", "شق 7"), if any."""

from __future__ import annotations

import re
from dataclasses import dataclass

from text.urdu import fold

SHORT = 280  # a text this long or shorter, in one paragraph, is one point
LONG_PARAGRAPH = 400  # a paragraph longer than this is split into its sentences
MIN_POINT = 25  # a piece shorter than this joins its neighbour

# "1." "2)" "(3)" "a)" "(b)" "iv." "۱۔" "-" "•" "*" at the start of a line.
_ITEM = re.compile(
    r"^[ \t]*(?:\(?(?P<num>\d{1,3}|[\u06f0-\u06f9\u0660-\u0669]{1,3}|[a-zA-Z]|[ivxIVX]{1,5})"
    r"[\).:\u06d4-]|[-\u2022*\u2013])[ \t]+",
    re.M,
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n+")
# A sentence ends at . ! ? ۔ ؟ followed by space; not after a single letter or a number
# ("e.g.", "7.", "Dr."): those are too short to count and join their neighbour anyway.
_SENTENCE_END = re.compile(r"(?<=[.!?\u06d4\u061f])[\"'\u201d)]*\s+")
_CLAUSE_REF = re.compile(
    r"(?:\b(?:clause|rule|section|sub-rule|article)s?\s+(?:no\.?\s*)?"
    r"|(?:شق|قاعدہ|قاعدے|دفعہ)\s*(?:نمبر\s*)?)"
    r"(?P<id>\d+(?:\s*\(\s*[0-9a-z]+\s*\))*)",
    re.I,
)


@dataclass(frozen=True)
class Point:
    text: str
    start: int  # offsets into the submission's text
    end: int
    number: str = ""  # the item's own number or letter, when it had one
    clause_ref: str = ""  # the clause it names, normalised: "7", "7(2)(a)"


def clause_reference(text: str) -> str:
    """The first clause the text names, as an identifier: 'Clause 7 (2)' -> '7(2)',
    'شق ۷' -> '7'. Empty when it names none."""
    match = _CLAUSE_REF.search(fold(text))
    if not match:
        return ""
    return re.sub(r"\s+", "", match.group("id")).lower()


def split_points(text: str) -> list[Point]:
    """The points of a submission, in order. A short, single-paragraph text is one point."""
    text = text or ""
    if not text.strip():
        return []
    if len(text.strip()) <= SHORT and not _PARAGRAPH.search(text.strip()) and not _has_items(text):
        return [_point(text, 0, len(text))]
    pieces: list[tuple[int, int, str]] = []
    for start, end in _spans(text, _PARAGRAPH):
        for s, e, number in _items(text, start, end):
            if e - s > LONG_PARAGRAPH:
                pieces.extend((a, b, number if a == s else "") for a, b in _sentences(text, s, e))
            else:
                pieces.append((s, e, number))
    return _merge_short(text, pieces)


def _has_items(text: str) -> bool:
    return len(_ITEM.findall(text)) >= 2


def _spans(text: str, separator: re.Pattern, start: int = 0, end: int | None = None):
    end = len(text) if end is None else end
    position = start
    for match in separator.finditer(text, start, end):
        yield position, match.start()
        position = match.end()
    yield position, end


def _items(text: str, start: int, end: int):
    """A paragraph's numbered or bulleted items (each to the next marker), or itself."""
    markers = list(_ITEM.finditer(text, start, end))
    if not markers:
        yield start, end, ""
        return
    if text[start : markers[0].start()].strip():
        yield start, markers[0].start(), ""
    for i, marker in enumerate(markers):
        stop = markers[i + 1].start() if i + 1 < len(markers) else end
        number = fold(marker.group("num") or "")
        yield marker.end(), stop, number


def _sentences(text: str, start: int, end: int):
    return list(_spans(text, _SENTENCE_END, start, end))


def _merge_short(text: str, pieces: list[tuple[int, int, str]]) -> list[Point]:
    points: list[list] = []
    for s, e, number in pieces:
        s, e = _trim(text, s, e)
        if s >= e:
            continue
        if points and (e - s < MIN_POINT and not number):
            points[-1][1] = e  # a fragment joins the point before it
        elif points and points[-1][1] - points[-1][0] < MIN_POINT and not points[-1][2]:
            points[-1][1] = e  # a short lead-in ("Dear Sir,") joins the point after it
            points[-1][2] = number
        else:
            points.append([s, e, number])
    return [_point(text, s, e, number) for s, e, number in points]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _point(text: str, start: int, end: int, number: str = "") -> Point:
    start, end = _trim(text, start, end)
    words = text[start:end]
    return Point(words, start, end, number, clause_reference(words))
