"""The words of many texts at once, found in numpy: ``TOKEN_PATTERN``'s words, no regex.

A regex over a million texts makes a Python string of every word it finds (40 s of the
campaign stage at a million submissions). Here a batch of texts is one array of code points;
a table says which code points are word characters (``str.isalnum`` or a combining mark:
exactly the pattern's ``[^\\W_]`` and marks); a word is a run of two or more of them; each
word gets a 64-bit hash of its code points, and only a *distinct* word is ever made a Python
string. tests/analysis/test_words.py holds it to the regex, on every code point and on
generated texts.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .normalise import COMBINING_MARKS

#: Letters that do not join the next one: after them a space is one typists put or leave out.
_NON_JOINING = np.array(sorted(map(ord, "اآأإدڈذرڑزژوؤے")), dtype=np.uint32)
_TEXTS_PER_BATCH = 20_000  # texts whose code points are split into words at a time
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's prime
_SHIFT = np.uint64(29)
_MIX_CHUNK = 1 << 15  # 256 kB of uint64 at a time (:func:`mix`)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_STEPS = (
    (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9)),
    (np.uint64(27), np.uint64(0x94D049BB133111EB)),
)
_LAST_SHIFT = np.uint64(31)


@functools.cache
def word_characters() -> np.ndarray:
    """Per code point: can it be part of a word? Built once per process (a third of a second)."""
    mark = re.compile(f"[{COMBINING_MARKS}]").match
    points = sys.maxunicode + 1
    return np.fromiter(
        (chr(c).isalnum() or mark(chr(c)) is not None for c in range(points)),
        dtype=bool,
        count=points,
    )


@dataclass
class Words:
    """The words of one batch of texts."""

    n_texts: int
    points: np.ndarray  # the batch's code points (texts joined by NUL)
    starts: np.ndarray  # per word: where it starts in ``points``
    lengths: np.ndarray  # per word: its code points
    text_of: np.ndarray  # per word: its text's index in the batch
    distinct: np.ndarray  # the distinct words' hashes, ascending
    first: np.ndarray  # per distinct word: its first place (an index of ``starts``)
    inverse: np.ndarray  # per word: its index in ``distinct``

    def strings(self, distinct_indices) -> list[str]:
        """The distinct words at these indices, as strings."""
        first = self.first[distinct_indices]
        return strings_at(self.points, self.starts[first], self.lengths[first])


def strings_at(points: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list[str]:
    """The strings ``points[s : s + l]``, one per (start, length)."""
    raw = points.tobytes()
    return [
        raw[4 * a : 4 * (a + size)].decode("utf-32-le", "surrogatepass")
        for a, size in zip(starts.tolist(), lengths.tolist(), strict=True)
    ]


def code_points_of(words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the words' code points joined by NUL, where each starts, its length): whole words
    given as strings, laid out as :func:`batches` lays out the words it finds."""
    points, starts = _code_points(words, join_urdu=False)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    return points, starts, lengths


def find_sorted(table: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where each value is or would go in the ascending ``table``, whether it is there)."""
    at = np.searchsorted(table, values)
    if len(table) == 0:
        return at, np.zeros(len(at), dtype=bool)
    return at, table[np.minimum(at, len(table) - 1)] == values


def batches(texts: list[str], join_urdu: bool = False) -> Iterator[tuple[int, Words]]:
    """(index of the batch's first text, its words), 20,000 texts at a time.

    ``join_urdu``: first remove Urdu's optional spaces (after a letter that does not join,
    before an Arabic-script letter), so that words typed with and without them are one."""
    for offset in range(0, len(texts), _TEXTS_PER_BATCH):
        batch = texts[offset : offset + _TEXTS_PER_BATCH]
        points, text_starts = _code_points(batch, join_urdu)
        inside = word_characters()[points].view(np.int8)
        edges = np.diff(inside, prepend=np.int8(0), append=np.int8(0))
        starts = np.flatnonzero(edges == 1)
        lengths = np.flatnonzero(edges == -1) - starts
        long_enough = lengths >= 2
        starts, lengths = starts[long_enough], lengths[long_enough]
        distinct, first, inverse = np.unique(
            _hashes(points, starts, lengths), return_index=True, return_inverse=True
        )
        text_of = np.searchsorted(text_starts, starts, side="right") - 1
        yield offset, Words(len(batch), points, starts, lengths, text_of, distinct, first, inverse)


def hashes_of(words: list[str]) -> np.ndarray:
    """The hash :func:`batches` gives each of these words (each string one whole word), so a
    fitted vocabulary can be found among a batch's distinct words by binary search."""
    if not words:
        return np.zeros(0, dtype=np.uint64)
    return _hashes(*code_points_of(words))


def _code_points(texts: list[str], join_urdu: bool) -> tuple[np.ndarray, np.ndarray]:
    """(the texts' code points, joined by NUL; where each text starts)."""
    points = np.frombuffer("\0".join(texts).encode("utf-32-le", "surrogatepass"), np.uint32)
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    starts = np.cumsum(sizes) - sizes
    if not join_urdu:
        return points, starts
    spaces = np.flatnonzero(points[1:-1] == ord(" ")) + 1
    after = points[spaces + 1]
    optional = spaces[
        np.isin(points[spaces - 1], _NON_JOINING) & (after >= 0x600) & (after <= 0x6FF)
    ]
    if len(optional):
        starts -= np.searchsorted(optional, starts)
        points = np.delete(points, optional)
    return points, starts


def _hashes(points: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each word's code points, one position at a time over the words still
    that long (longest first): xor, multiply, xor-shift (not a bare polynomial, whose
    collisions are easy to make), then mixed with the length. Two words with one hash would
    be taken for one: at a million distinct words the odds are about 1 in 30 million."""
    small = len(lengths) == 0 or lengths.max() < np.iinfo(np.int16).max
    order = np.argsort(-(lengths.astype(np.int16) if small else lengths), kind="stable")
    starts, lengths = starts[order], lengths[order]
    hashes = np.zeros(len(order), dtype=np.uint64)
    longest = int(lengths[0]) if len(lengths) else 0
    still = np.searchsorted(-lengths, -np.arange(longest), side="left")  # words longer than k
    # In place, in buffers made once: a temporary per step and position cost a fifth more.
    at, point, shifted = starts.copy(), np.empty(len(order), np.uint32), np.empty_like(hashes)
    with np.errstate(over="ignore"):
        for count in still.tolist():
            h, step = hashes[:count], shifted[:count]
            np.take(points, at[:count], out=point[:count])
            np.bitwise_xor(h, point[:count], out=h)
            np.multiply(h, _MULTIPLIER, out=h)
            np.right_shift(h, _SHIFT, out=step)
            np.bitwise_xor(h, step, out=h)
            at[:count] += 1
    out = np.empty_like(hashes)
    out[order] = mix(hashes ^ lengths.astype(np.uint64))
    return out


def mix(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """splitmix64 finaliser: spreads structured ids over 64 bits before universal hashing.

    Worked out a cache-sized chunk at a time, in place (``out``, contiguous, may be
    ``values``): on the whole array each of its nine steps wrote and re-read a temporary as
    large as the input, 4-10x slower on the tens of millions of words of a million texts."""
    values = np.asarray(values, dtype=np.uint64)
    out = np.empty(values.shape, dtype=np.uint64) if out is None else out
    if not out.flags.c_contiguous:  # its flattened view would be a copy: nothing written
        raise ValueError("mix: out must be contiguous")
    flat_in, flat_out = values.reshape(-1), out.reshape(-1)
    scratch = np.empty(min(flat_in.size, _MIX_CHUNK), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, flat_in.size, _MIX_CHUNK):
            z = flat_out[start : start + _MIX_CHUNK]
            step = scratch[: z.size]
            np.add(flat_in[start : start + _MIX_CHUNK], _GOLDEN, out=z)
            for shift, multiplier in _MIX_STEPS:
                np.right_shift(z, shift, out=step)
                np.bitwise_xor(z, step, out=z)
                np.multiply(z, multiplier, out=z)
            np.right_shift(z, _LAST_SHIFT, out=step)
            np.bitwise_xor(z, step, out=z)
    return out
