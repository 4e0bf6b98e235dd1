"""analysis/words.py finds exactly the words the regex did (``TOKEN_PATTERN``), without it.

The definition kept here: the pattern's words in the text, after (for campaign features)
removing Urdu's optional spaces, a space after a letter that does not join and before an
Arabic-script letter. Checked on every code point, on edge cases, across batch boundaries
and on generated texts; campaign features (word keys and their hashes) are checked whole.
"""

from __future__ import annotations

import random
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import words as words_module
from analysis.campaigns import _STOP_KEYS, _hash64, _token_ids, token_key
from analysis.normalise import _TOKEN_RE, TOKEN_PATTERN
from analysis.words import batches, word_characters
from bench.synthetic import _individual

_OPTIONAL_SPACE = re.compile("(?<=[اآأإدڈذرڑزژوؤے]) (?=[\u0600-\u06ff])")

EDGE_CASES = [
    [],
    [""],
    ["ab_cd e1 x2y ۱۲۳ café naïve ﻻ a\u0301b", "hello__world", "٣٤ ٥", "a b c"],
    ["ٹیسٹ\u200cکے", "ا د ر و", "ا ا", " ا ب", "ب ا ", "ra ب", "ا\x00ب", "ب  ا"],
    ["x\x00y zz\x00", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ab", "ab\ud800cd \udfff\udfff", "a" * 40_000 + " bb"],
]
_ALPHABET = "ab hqnoاآدرویےہھۂکتبنں۱٣_\u0301\u064e\u200c\u200d\x00 .،۔-\U0001d518"


def regex_words(texts: list[str], join_urdu: bool) -> list[list[str]]:
    if join_urdu:
        texts = [_OPTIONAL_SPACE.sub("", t) for t in texts]
    return [_TOKEN_RE.findall(t) for t in texts]


def found_words(texts: list[str], join_urdu: bool) -> list[list[str]]:
    found: list[list[str]] = [[] for _ in texts]
    for offset, words in batches(texts, join_urdu):
        strings = words.strings(range(len(words.distinct)))
        for text, distinct in zip(words.text_of.tolist(), words.inverse.tolist(), strict=True):
            found[offset + text].append(strings[distinct])
    return found


def assert_same_words(texts: list[str]) -> None:
    for join_urdu in (False, True):
        assert found_words(texts, join_urdu) == regex_words(texts, join_urdu)
    # Campaign features: each word's key hashed, words per text, stop words.
    expected = regex_words(texts, join_urdu=True)
    keys = [token_key(w) for text in expected for w in text]
    ids, counts, stop = _token_ids(texts)
    assert counts.tolist() == [len(w) for w in expected]
    assert ids.tolist() == _hash64(keys).tolist()
    assert stop.tolist() == [k in _STOP_KEYS or len(k) < 2 for k in keys]


def test_word_characters_are_the_patterns_for_every_code_point():
    table = word_characters()
    pattern = re.compile(TOKEN_PATTERN)
    differ = [
        hex(c) for c in range(sys.maxunicode + 1)
        if bool(pattern.fullmatch(chr(c) * 2)) != bool(table[c])
    ]  # fmt: skip
    assert differ == []


@pytest.mark.parametrize("texts", EDGE_CASES)
def test_edge_cases(texts):
    assert_same_words(texts)


def test_across_batches(monkeypatch):
    monkeypatch.setattr(words_module, "_TEXTS_PER_BATCH", 3)
    rng = random.Random(5)
    texts = [_individual(rng, "human_oversight", rng.choice(["en", "ur"])) for _ in range(10)]
    assert_same_words(texts + ["ا ب", "", "ab"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=30), max_size=6))
def test_generated_texts(texts):
    assert_same_words(texts)
