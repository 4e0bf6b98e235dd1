"""Re-anchoring a comment's quote onto a new version of a clause's text.

A comment stores a W3C TextQuoteSelector (``exact``, ``prefix``, ``suffix``) and a
TextPositionSelector (``start``, ``end``). When a revised draft is published, ``reanchor``
finds where those words went. Wrong is worse than orphaned: when the evidence is thin or two
places fit equally well, the answer is ``orphaned`` and a moderator decides.

Matching runs on a normalised copy of the text (case, whitespace, quotes, Urdu combining marks,
Arabic vs Urdu letter forms, Eastern-Arabic digits) with a map back to the raw offsets, so a
highlight lands on the raw characters the reader sees.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Indel

from text import urdu

CONFIDENCE_THRESHOLD = 0.6
# Two candidates closer than this in score are a coin toss: orphan rather than guess.
AMBIGUITY_MARGIN = 0.08

# Punctuation people type in several forms; letters, digits and ignorable characters fold
# through the one Urdu table (text.urdu).
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u060c": ",",  # Arabic comma
    "\u06d4": ".",  # Urdu full stop
}
_LETTER_FORMS = {**urdu.LETTER_FORMS, **_PUNCTUATION}
_DIGITS = urdu.DIGITS
_DROP = urdu.IGNORABLE


@lru_cache(maxsize=8192)
def _normal_chars(ch: str) -> str:
    """The normalised form of one raw character ('' when it is dropped); cached, as texts
    reuse a few hundred characters."""
    if ch in _DROP or unicodedata.category(ch) == "Mn":  # zer, zabar, pesh, shadda...
        return ""
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _LETTER_FORMS:
        return _LETTER_FORMS[ch]
    out = []
    for part in unicodedata.normalize("NFKC", ch):  # presentation forms, ligatures
        if unicodedata.category(part) == "Mn" or part in _DROP:
            continue
        part = _DIGITS.get(part, _LETTER_FORMS.get(part, part))
        lowered = part.lower()
        out.append(lowered if len(lowered) == 1 else part)
    return "".join(out)


def normalise_with_map(text: str) -> tuple[str, tuple[int, ...]]:
    """Normalised text and, for each of its characters, the raw index it came from."""
    chars: list[str] = []
    index: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space and chars:
                chars.append(" ")
                index.append(i)
            in_space = True
            continue
        normal = _normal_chars(ch)
        if not normal:
            continue
        in_space = False
        for part in normal:
            chars.append(part)
            index.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    return "".join(chars), tuple(index)


# Re-anchoring a version asks for the same clause text once per comment on it.
_clause_text = lru_cache(maxsize=256)(normalise_with_map)


def normalise(text: str) -> str:
    if text.isascii():
        # The same result, fast: no ASCII character is dropped, mapped or decomposed
        # (tests/drafts: test_ascii_fast_path_normalises_as_the_full_path).
        return " ".join(text.split()).lower()
    return normalise_with_map(text)[0]


def _orphaned() -> dict:
    return {"status": "orphaned", "start": None, "end": None, "confidence": 0.0}


def _similarity(a, b) -> float:
    """2 × common subsequence / total length (rapidfuzz's Indel, in C); strings or lists."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return Indel.normalized_similarity(a, b)


def _common_prefix_len(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _above_chance(ratio: float) -> float:
    """Any two stretches of legal prose share about half their letters; only more counts."""
    return 0.9 * max(0.0, (ratio - 0.5) / 0.5)


class _Context:
    """Scores how well the text around a candidate span matches the stored prefix/suffix."""

    def __init__(self, text: str, prefix: str, suffix: str):
        self.text, self.prefix, self.suffix = text, prefix, suffix

    def prefix_score(self, start: int) -> float:
        if not self.prefix:
            return 1.0 if start == 0 else 0.4
        before = self.text[max(0, start - len(self.prefix)) : start].lstrip()
        prefix = self.prefix.lstrip()
        adjacent = _common_prefix_len(before[::-1], prefix[::-1]) / max(1, len(prefix))
        if adjacent >= 0.9:  # _above_chance never exceeds 0.9
            return adjacent
        return max(adjacent, _above_chance(_similarity(prefix, before)))

    def suffix_score(self, end: int) -> float:
        if not self.suffix:
            return 1.0 if end >= len(self.text) else 0.4
        after = self.text[end : end + len(self.suffix)].rstrip()
        suffix = self.suffix.rstrip()
        adjacent = _common_prefix_len(after, suffix) / max(1, len(suffix))
        if adjacent >= 0.9:
            return adjacent
        return max(adjacent, _above_chance(_similarity(suffix, after)))

    def score(self, start: int, end: int) -> float:
        return (self.prefix_score(start) + self.suffix_score(end)) / 2


def _raw_span(index: tuple[int, ...], raw: str, start: int, end: int) -> tuple[int, int]:
    """Map a normalised span back to raw offsets, keeping trailing combining marks."""
    raw_start = index[start]
    raw_end = index[end - 1] + 1
    while raw_end < len(raw) and unicodedata.category(raw[raw_end]) == "Mn":
        raw_end += 1
    return raw_start, raw_end


def _length_weight(exact: str) -> float:
    """How much a bare match of the quote is worth on its own: short quotes recur by chance."""
    return min(0.75, 0.1 + len(exact) / 80)


def _find_all(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def reanchor(selector: dict, new_text: str) -> dict:
    """Where the selected words are in ``new_text``.

    Returns ``{"status", "start", "end", "confidence"}``; status is ``exact`` (same words at the
    same offsets), ``moved`` (same words elsewhere), ``changed`` (the words were edited) or
    ``orphaned`` (start/end None: not found, or not found with enough confidence).
    """
    exact_raw = selector.get("exact") or ""
    old_start = selector.get("start")
    exact = normalise(exact_raw)
    if not exact or not new_text:
        return _orphaned()
    text, index = _clause_text(new_text)
    context = _Context(
        text, normalise(selector.get("prefix") or ""), normalise(selector.get("suffix") or "")
    )
    # Keep context attached to the quote: "word " + "quote" shares the space.
    if (selector.get("prefix") or "")[-1:].isspace():
        context.prefix += " "
    if (selector.get("suffix") or "")[:1].isspace():
        context.suffix = " " + context.suffix

    # Every place the words could now be: verbatim copies, and edited look-alikes. They
    # compete on one score, so a verbatim copy elsewhere cannot beat the edited original.
    old_start = selector.get("start")
    candidates: dict[tuple[int, int], float] = {}
    for at in _find_all(text, exact):
        candidates[(at, at + len(exact))] = 1.0
    best_verbatim = max((context.score(a, b) for a, b in candidates), default=0.0)
    gaps: set[tuple[int, int]] = set()
    if best_verbatim < 0.9:
        spans, gaps = _candidates(text, exact, context)
        for a, b in spans | gaps:
            if (a, b) not in candidates:
                quote = _similarity(exact, text[a:b])
                if quote >= (0.3 if (a, b) in gaps else 0.5):
                    candidates[(a, b)] = quote
    scored = []
    for (a, b), quote in candidates.items():
        ctx = context.score(a, b)
        position = _position_score(index[a], old_start, len(new_text))
        scored.append((0.55 * quote + 0.45 * ctx + 0.02 * position, quote, ctx, a, b))
    if not scored:
        return _orphaned()
    scored.sort(reverse=True)
    score, quote, ctx, a, b = scored[0]
    rivals = [s for s in scored[1:] if s[4] <= a or s[3] >= b]  # not overlapping the best
    margin = score - rivals[0][0] if rivals else 1.0
    if margin < AMBIGUITY_MARGIN:
        return _orphaned()  # two places fit about as well: a person decides
    if quote < 1.0:
        # The words standing exactly between the unchanged prefix and suffix are the edited
        # quote: prefer them to a look-alike fragment inside them.
        around = [(x, y) for x, y in gaps if x <= a and b <= y and (x, y) in candidates]
        if around:
            a, b = around[0]
            quote, ctx = candidates[(a, b)], context.score(a, b)
    if quote == 1.0:
        weight = _length_weight(exact)
        confidence = weight + (1 - weight) * ctx
    elif quote >= 0.75:
        confidence = 0.95 * (0.5 * quote + 0.5 * ctx)
    elif ctx >= 0.9:  # reworded, but exactly where the old words stood
        confidence = 0.95 * (0.3 * quote + 0.5 * ctx)
    else:
        return _orphaned()
    confidence = min(1.0, confidence) * min(1.0, 0.5 + 2 * margin)
    if confidence < CONFIDENCE_THRESHOLD:
        return _orphaned()
    start, end = _raw_span(index, new_text, a, b)
    if quote < 1.0:
        status = "changed"
    else:
        if new_text[start:end] != exact_raw:
            confidence *= 0.97  # equal only after normalisation (diacritics, letter forms)
        status = "exact" if old_start is not None and start == int(old_start) else "moved"
    return {"status": status, "start": start, "end": end, "confidence": round(confidence, 3)}


def _position_score(candidate_raw: int, old_start, length: int) -> float:
    if old_start is None:
        return 0.5
    return max(0.0, 1.0 - abs(candidate_raw - int(old_start)) / max(1, length))


_WORD = re.compile(r"\S+")


def _candidates(text: str, exact: str, context: _Context) -> tuple[set, set]:
    """Spans of ``text`` that could be the edited quote: word windows near its length, and
    the gap between where the prefix ends and the suffix begins."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    quote_words = exact.split()
    n = len(quote_words)
    spans: set[tuple[int, int]] = set()
    gaps: set[tuple[int, int]] = set()
    if words and quote_words:
        lowest = max(1, n - max(2, n // 3))
        highest = n + max(2, n // 3)
        quote_set = set(quote_words)
        tokens = [text[a:b] for a, b in words]
        for i in range(len(words)):
            for m in range(lowest, highest + 1):
                if i + m > len(words):
                    break
                window = tokens[i : i + m]
                if not quote_set.intersection(window):
                    continue
                if _similarity(quote_words, window) >= 0.4:
                    spans.add((words[i][0], words[i + m - 1][1]))
    # The words now standing between the old prefix and suffix.
    if len(context.prefix.strip()) >= 8 and len(context.suffix.strip()) >= 8:
        for p in _find_all(text, context.prefix.strip()[-16:]):
            gap_start = p + len(context.prefix.strip()[-16:])
            tail = text[gap_start : gap_start + 3 * len(exact) + 40]
            s = tail.find(context.suffix.strip()[:16])
            if s > 0:
                a, b = gap_start, gap_start + s
                while a < b and text[a] == " ":
                    a += 1
                while b > a and text[b - 1] == " ":
                    b -= 1
                if b > a:
                    gaps.add((a, b))
    return spans, gaps
