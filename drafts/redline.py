"""Clause-by-clause redline between two draft versions, word by word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drafts.models import ClauseVersion

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Piece:
    kind: str  # "same", "ins" or "del"
    text: str


@dataclass
class ClauseRedline:
    key: str
    old: ClauseVersion | None  # None: added in the new version
    new: ClauseVersion | None  # None: removed in the new version
    pieces: list[Piece] = field(default_factory=list)
    # The Urdu text's redline ([] when neither version has Urdu text).
    pieces_ur: list[Piece] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(p.kind != "same" for p in self.pieces + self.pieces_ur) or (
            self.old is not None
            and self.new is not None
            and (self.old.identifier, self.old.heading, self.old.heading_ur)
            != (self.new.identifier, self.new.heading, self.new.heading_ur)
        )

    @property
    def status(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.changed else "unchanged"


def word_diff(old: str, new: str) -> list[Piece]:
    """Insertions and deletions at word granularity (whitespace kept as its own token)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []

    def add(kind: str, text: str):
        if not text:
            return
        if pieces and pieces[-1].kind == kind:
            pieces[-1].text += text
        else:
            pieces.append(Piece(kind, text))

    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            add("same", "".join(a[i1:i2]))
        else:
            add("del", "".join(a[i1:i2]))
            add("ins", "".join(b[j1:j2]))
    return pieces


def redline(old_clauses: list, new_clauses: list) -> list[ClauseRedline]:
    """Pair clauses by stable key: new order first, then clauses the new version dropped."""
    old_by_key = {c.key: c for c in old_clauses}
    new_keys = {c.key for c in new_clauses}
    rows = []
    for clause in new_clauses:
        old = old_by_key.get(clause.key)
        rows.append(
            ClauseRedline(
                clause.key,
                old,
                clause,
                word_diff(old.text if old else "", clause.text),
                word_diff(old.text_ur if old else "", clause.text_ur),
            )
        )
    for clause in old_clauses:
        if clause.key not in new_keys:
            rows.append(
                ClauseRedline(
                    clause.key,
                    clause,
                    None,
                    word_diff(clause.text, ""),
                    word_diff(clause.text_ur, ""),
                )
            )
    return rows
