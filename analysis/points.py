"""Points, not just submissions: each published submission of a run split into its points
(``text.points``), each point matched to the clause it is about and to a theme, and stored.

A point's clause: the one it names ("clause 7", "شق 7"); else the one its words match
clearly (rare words shared with the clause's heading and text, weighted by how few clauses
use them); else the clause the submission was made on (its anchor); else the whole draft.
Its theme: the run's theme whose terms it shares most, else its submission's theme.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from text.points import split_points
from text.urdu import fold

MIN_WORD_SCORE = 5.0  # summed rarity of the words a point shares with a clause
MARGIN = 1.25  # and that much more than with the next best clause
_WORD = re.compile(r"\w+", re.U)
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "that",
        "this",
        "with",
        "from",
        "shall",
        "should",
        "have",
        "been",
        "which",
        "their",
        "there",
        "these",
        "those",
        "will",
        "would",
        "into",
        "such",
        "under",
        "other",
        "than",
        "they",
        "them",
        "also",
        "must",
        "about",
        "more",
        "only",
        "when",
        "where",
        "system",
        "systems",
        "rules",
        "rule",
        "clause",
        "section",
        "person",
        "authority",
        "artificial",
        "intelligence",
        "کے",
        "کی",
        "کا",
        "کو",
        "میں",
        "سے",
        "اور",
        "ہے",
        "ہیں",
        "کہ",
        "یہ",
        "وہ",
        "پر",
        "بھی",
        "ہو",
        "شق",
    ]
)


def words(text: str) -> set[str]:
    found = set()
    for word in _WORD.findall(fold(text).lower()):
        if len(word) < 3 or word.isdigit() or word in _STOP:
            continue
        if word.isascii() and len(word) > 4 and word.endswith("s"):
            word = word[:-1]
        found.add(word)
    return found


@dataclass
class ClauseWords:
    key: str
    identifier: str
    words: set[str]


class ClauseMatcher:
    """Matches a point to a clause of one draft version."""

    def __init__(self, clauses):
        self.clauses = [
            # Both languages' words: an Urdu point matches a clause's Urdu text.
            ClauseWords(
                c.key,
                c.identifier,
                words(
                    f"{c.heading} {c.heading} {c.heading_ur} {c.heading_ur} {c.text} {c.text_ur}"
                ),
            )
            for c in clauses
        ]
        self.by_identifier = {c.identifier.lower().replace(" ", ""): c.key for c in self.clauses}
        df = Counter(w for c in self.clauses for w in c.words)
        n = max(len(self.clauses), 1)
        self.idf = {w: math.log((n + 1) / (count + 0.5)) for w, count in df.items()}

    def by_reference(self, reference: str) -> str:
        if not reference:
            return ""
        return self.by_identifier.get(reference) or self.by_identifier.get(
            reference.split("(")[0], ""
        )

    def by_words(self, text: str) -> str:
        mine = words(text)
        scores = sorted(
            ((sum(self.idf[w] for w in mine & c.words), c.key) for c in self.clauses),
            reverse=True,
        )
        if not scores or scores[0][0] < MIN_WORD_SCORE:
            return ""
        if len(scores) > 1 and scores[0][0] < MARGIN * scores[1][0]:
            return ""
        return scores[0][1]

    def match(self, point, anchor_key: str = "") -> tuple[str, str]:
        """(clause key, how): "reference", "words", "anchor" or "none"."""
        if key := self.by_reference(point.clause_ref):
            return key, "reference"
        if key := self.by_words(point.text):
            return key, "words"
        if anchor_key:
            return anchor_key, "anchor"
        return "", "none"


def best_theme(text: str, themes: list, fallback):
    mine = words(text)
    best, best_score = None, 1  # one shared word is not enough to leave its submission's theme
    for theme in themes:
        score = len(mine & words(" ".join(theme.terms or []) + " " + theme.label))
        if score > best_score:
            best, best_score = theme, score
    return best or fallback


@transaction.atomic
def build_points(run) -> int:
    """Replace the run's points with the points of every submission in its themes; returns
    how many. Safe to repeat."""
    from analysis.models import Point, ThemeMember
    from analysis.selectors import published_submissions

    run.points.all().delete()
    version = run.consultation.current_version()
    matcher = ClauseMatcher(list(version.clauses.all()) if version else [])
    themes = list(run.themes.all())
    by_id = {t.pk: t for t in themes}
    theme_of = dict(
        ThemeMember.objects.filter(theme__run=run).values_list("submission_id", "theme_id")
    )
    rows = []
    submissions = published_submissions(run.consultation).filter(pk__in=theme_of.keys())
    for pk, text, clause_key in submissions.values_list("pk", "comment", "clause_key"):
        fallback = by_id.get(theme_of.get(pk))
        for position, point in enumerate(split_points(text), start=1):
            key, how = matcher.match(point, clause_key or "")
            rows.append(
                Point(
                    run=run,
                    submission_id=pk,
                    position=position,
                    number=point.number[:8],
                    start=point.start,
                    end=point.end,
                    text=point.text,
                    clause_key=key,
                    matched_by=how,
                    theme=best_theme(point.text, themes, fallback) if len(themes) > 1 else fallback,
                )
            )
    Point.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
