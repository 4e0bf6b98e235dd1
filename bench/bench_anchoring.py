"""1,000 generated edits over the demo's real clause text; how often reanchor is right.

Each trial picks a clause from cms/demo/ai_rules.json (plus the Urdu summary), anchors a
comment on 2-6 consecutive words, applies one edit and knows where those words went (or
that they are gone). A trial is *correct* when reanchor finds the right words (overlap of
at least 70% with the truth) or orphans words that are gone; *wrong* when it points at other
words, or at anything when the words are gone; *orphaned* when it gives up on words that
still exist. Wrong is the number that must stay low (< 1%).

Then ``reanchor_per_s``: a synthetic version of 200 clauses (the demo's clauses, numbered)
with 100,000 comments on 2-6 words each; the next version edits 30% of the clauses (one of
the edits above each). Every comment is re-anchored as the background job does it (grouped
by clause, the clause text normalised once); the rate is comments per second of matching
(the database reads and writes of the job are not in it). COMMENTS=100000 by default.

Run: make bench-anchoring   (N=1000 SEED=7 COMMENTS=100000 by default)
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drafts.anchoring import reanchor  # noqa: E402

DRAFT = json.loads((ROOT / "cms" / "demo" / "ai_rules.json").read_text(encoding="utf-8"))
CONTEXT = 32
FILLER_WORDS = ["promptly", "not", "reasonably", "in writing", "at least", "publicly", "also"]
REWORDS = {
    "shall": "must",
    "may": "can",
    "any": "every",
    "Authority": "Commission",
    "system": "tool",
    "person": "individual",
    "days": "working days",
    "provider": "developer",
    "deployer": "user",
    "published": "made public",
    "high-risk": "high risk",
    "within": "no later than",
}
DIACRITICS = ["\u064e", "\u0650", "\u064f"]  # zabar, zer, pesh


def selector(text, start, end):
    return {
        "exact": text[start:end],
        "prefix": text[max(0, start - CONTEXT) : start],
        "suffix": text[end : end + CONTEXT],
        "start": start,
        "end": end,
    }


def sentences(text):
    """(start, end) of each sentence or sub-rule, without the trailing space."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n.;]+[.;]?", text) if m.group().strip()]


def words(text):
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def splice(text, a, b, rep, span):
    """Replace text[a:b] by rep; where does span go? None when the span is destroyed."""
    s, e = span
    delta = len(rep) - (b - a)
    new = text[:a] + rep + text[b:]
    if b <= s:
        return new, (s + delta, e + delta)
    if a >= e:
        return new, (s, e)
    if a >= s and b <= e and e + delta > s:
        return new, (s, e + delta)
    return new, None


def pick_anchor(rng, text):
    ws = words(text)
    k = rng.randint(2, min(6, len(ws)))
    i = rng.randrange(0, len(ws) - k + 1)
    return ws[i][0], ws[i + k - 1][1], ws[i : i + k]


def other_sentence(rng, exclude):
    clause = rng.choice(DRAFT["clauses"])["text"]
    a, b = rng.choice(sentences(clause))
    sentence = clause[a:b].strip()
    return sentence if sentence not in exclude else "This sub-rule is new."


def edit(rng, kind, text, span, anchor_words):
    s, e = span
    sents = sentences(text)
    outside = [(a, b) for a, b in sents if b <= s or a >= e]
    if kind == "insert_outside":
        a, _ = rng.choice(sents)
        if s < a < e:
            a = s
        if a == s and rng.random() < 0.5:
            a = sents[-1][1]
        return splice(text, a, a, other_sentence(rng, text) + " ", span)
    if kind == "insert_inside":
        if len(anchor_words) < 2:
            return None
        at = rng.choice(anchor_words[1:])[0]
        return splice(text, at, at, rng.choice(FILLER_WORDS) + " ", span)
    if kind == "delete_outside":
        if not outside:
            return None
        a, b = rng.choice(outside)
        while b < len(text) and text[b] == " ":
            b += 1
        return splice(text, a, b, "", span)
    if kind == "delete_anchor_sentence":
        containing = [(a, b) for a, b in sents if a <= s and b >= e]
        if not containing:
            return None
        a, b = containing[0]
        return splice(text, a, b, "", span)
    if kind == "delete_inside":
        if len(anchor_words) < 3:
            return None
        a, b = rng.choice(anchor_words[1:-1])
        return splice(text, a, b + 1, "", span)
    if kind == "reword_inside":
        options = [(a, b) for a, b in anchor_words if text[a:b].strip(",.;") in REWORDS]
        if not options:
            a, b = rng.choice(anchor_words)
            return splice(text, a, b, "something-else", span)
        a, b = rng.choice(options)
        word = text[a:b].strip(",.;")
        return splice(text, a, a + len(word), REWORDS[word], span)
    if kind == "reword_context":
        near = [
            (a, b) for a, b in words(text) if (s - CONTEXT <= a < s - 1) or (e < a <= e + CONTEXT)
        ]
        if not near:
            return None
        a, b = rng.choice(near)
        return splice(text, a, b, rng.choice(list(REWORDS.values())), span)
    if kind == "move_sentence":
        containing = [(a, b) for a, b in sents if a <= s and b >= e]
        if not containing or len(sents) < 3:
            return None
        a, b = containing[0]
        moved = text[a:b]
        rest = (text[:a] + text[b:]).replace("  ", " ")
        rest_sents = sentences(rest)
        p = rng.choice([x for x, _ in rest_sents] + [len(rest)])
        piece = moved.strip()
        insert = (" " + piece) if p == len(rest) else (piece + " ")
        new = rest[:p] + insert + rest[p:]
        offset = new.index(piece, max(0, p - 1))
        lead = len(moved) - len(moved.lstrip())
        return new, (offset + s - a - lead, offset + e - a - lead)
    if kind == "repeat_phrase":
        quote = text[s:e]
        copy = f"Notwithstanding the above, {quote} shall be read with the Schedule. "
        a = rng.choice([x for x, _ in sents])
        if s < a < e:
            a = s
        return splice(text, a, a, copy, span)
    raise ValueError(kind)


KINDS = [
    "insert_outside",
    "insert_inside",
    "delete_outside",
    "delete_anchor_sentence",
    "delete_inside",
    "reword_inside",
    "reword_context",
    "move_sentence",
    "repeat_phrase",
    "urdu_forms",
]


def urdu_trial(rng):
    """Anchor in the Urdu summary; the new version adds zer/zabar/pesh, writes Arabic yeh and
    kaf, and inserts a sentence before the anchor."""
    text = DRAFT["summary_ur"]
    start, end, _ = pick_anchor(rng, text)
    new_chars, index = [], []
    for ch in text:
        index.append(len("".join(new_chars)))
        ch2 = {"ی": "ي", "ک": "ك"}.get(ch, ch) if rng.random() < 0.7 else ch
        new_chars.append(ch2)
        if "\u0621" <= ch <= "\u06ff" and rng.random() < 0.15:
            new_chars.append(rng.choice(DIACRITICS))
    new = "".join(new_chars)
    index.append(len(new))
    truth_start = index[start]
    truth_end = index[end]
    # Diacritics written after the last letter belong to the span.
    while truth_end < len(new) and new[truth_end] in DIACRITICS:
        truth_end += 1
    prefix = "نئی شق۔ "
    return (
        selector(text, start, end),
        prefix + new,
        (truth_start + len(prefix), truth_end + len(prefix)),
    )


def run(n, seed):
    rng = random.Random(seed)
    texts = [c["text"] for c in DRAFT["clauses"]]
    outcomes = Counter()
    by_kind = defaultdict(Counter)
    examples = []
    elapsed = 0.0
    done = 0
    while done < n:
        kind = KINDS[done % len(KINDS)]
        if kind == "urdu_forms":
            sel, new, truth = urdu_trial(rng)
        else:
            text = rng.choice(texts)
            start, end, anchor_words = pick_anchor(rng, text)
            made = edit(rng, kind, text, (start, end), anchor_words)
            if made is None:
                continue
            new, truth = made
            sel = selector(text, start, end)
        t0 = time.perf_counter()
        result = reanchor(sel, new)
        elapsed += time.perf_counter() - t0
        if result["status"] == "orphaned":
            outcome = "correct" if truth is None else "orphaned"
        elif truth is None:
            outcome = "wrong"
        else:
            a, b = result["start"], result["end"]
            overlap = max(0, min(b, truth[1]) - max(a, truth[0]))
            union = max(b, truth[1]) - min(a, truth[0])
            outcome = "correct" if overlap / union >= 0.7 else "wrong"
        if outcome == "wrong" and len(examples) < 5:
            examples.append(
                (
                    kind,
                    sel["exact"],
                    truth and new[truth[0] : truth[1]],
                    new[result["start"] : result["end"]],
                )
            )
        outcomes[outcome] += 1
        by_kind[kind][outcome] += 1
        done += 1
    for kind in KINDS:
        c = by_kind[kind]
        total = sum(c.values())
        print(
            f"  {kind:24s} n={total:4d} correct={c['correct'] / total:.3f} "
            f"wrong={c['wrong'] / total:.3f} orphaned={c['orphaned'] / total:.3f}"
        )
    for example in examples:
        print("  wrong:", example)
    print(f"  mean reanchor time {1000 * elapsed / n:.2f} ms")
    return (
        f"anchoring correct={outcomes['correct'] / n:.3f} wrong={outcomes['wrong'] / n:.3f} "
        f"orphaned={outcomes['orphaned'] / n:.3f}"
    )


def synthetic_version(rng, clauses=200, comments=100_000, edited=0.3):
    """(old texts, new texts, [(clause index, selector)]) of a large version."""
    base = [c["text"] for c in DRAFT["clauses"]]
    old = [f"({i + 1}) {base[i % len(base)]}" for i in range(clauses)]
    new = []
    kinds = [k for k in KINDS if k != "urdu_forms"]
    for text in old:
        made = None
        while rng.random() < edited and made is None:
            start, end, anchor_words = pick_anchor(rng, text)
            made = edit(rng, rng.choice(kinds), text, (start, end), anchor_words)
        new.append(made[0] if made else text)
    selectors = []
    for _ in range(comments):
        i = rng.randrange(clauses)
        start, end, _words = pick_anchor(rng, old[i])
        selectors.append((i, selector(old[i], start, end)))
    return old, new, selectors


def version_rate(comments, seed):
    rng = random.Random(seed)
    _old, new, selectors = synthetic_version(rng, comments=comments)
    selectors.sort(key=lambda item: item[0])  # the job reads comments clause by clause
    statuses = Counter()
    t0 = time.perf_counter()
    for i, sel in selectors:
        statuses[reanchor(sel, new[i])["status"]] += 1
    elapsed = time.perf_counter() - t0
    print(
        f"  version: {comments} comments on 200 clauses, 30% of clauses edited: "
        + " ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
        + f" in {elapsed:.1f} s"
    )
    return comments / elapsed


if __name__ == "__main__":
    seed = int(os.environ.get("SEED", "7"))
    quality = run(int(os.environ.get("N", "1000")), seed)
    rate = version_rate(int(os.environ.get("COMMENTS", "100000")), seed)
    print(f"{quality} reanchor_per_s={rate:.0f}")
