"""Step 1: text normalisation and a tokenizer that keeps Urdu words whole.

Urdu typed on Arabic keyboards mixes Arabic letter forms (yeh, kaf, heh) with the Urdu
ones; without folding them, the same word counts as two. sklearn's default token pattern
``(?u)\\b\\w\\w+\\b`` treats combining marks (zer, zabar, pesh, shadd) as word boundaries and
splits a vocalised Urdu word in pieces, so the tokenizer below accepts marks inside words.
Roman Urdu is plain Latin text and only gets case folding.

Zero-width characters: a ZWNJ or a zero-width space stands where a word visually ends (Urdu
typists put one, or a space, or nothing after a letter that does not join), so it becomes a
space; a ZWJ, a word joiner or a soft hyphen is dropped (``text.urdu.IGNORABLE``). Arabic
presentation forms fold to their letters, ligatures of several letters (ﻻ) included.
"""

from __future__ import annotations

import re
import unicodedata

from text import urdu

# Arabic letter forms, Eastern digits and ignorable characters: the one table (text.urdu).
URDU_LETTER_MAP = urdu.FOLD_TABLE

# Arabic-script combining marks (harakat, superscript alef, Quranic marks) and Latin ones.
COMBINING_MARKS = (
    "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
    "\u06ea-\u06ed\u200c\u200d"
)
_DIACRITICS_RE = re.compile(f"[{COMBINING_MARKS.replace(chr(0x200C) + chr(0x200D), '')}]")
_WORD_CHAR = rf"(?:[^\W_]|[{COMBINING_MARKS}])"
#: A word is two or more letters/digits, combining marks included (unlike sklearn's default).
TOKEN_PATTERN = rf"(?u){_WORD_CHAR}{_WORD_CHAR}+"
_TOKEN_RE = re.compile(TOKEN_PATTERN)
_FOLD_RE = re.compile("[" + "".join(chr(c) for c in URDU_LETTER_MAP) + "]")
#: Invisible word breaks: read as spaces (before the fold drops what is left).
WORD_BREAKS = str.maketrans({"\u200b": " ", "\u200c": " "})
_LIGATURE_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def normalise(text: str, *, strip_diacritics: bool = True) -> str:
    """NFC, Urdu letter forms, optional diacritics removal, case folding, single spaces."""
    text = unicodedata.normalize("NFC", text or "")
    if _FOLD_RE.search(text):  # str.translate walks every character: only when needed
        if _LIGATURE_RE.search(text):
            text = _LIGATURE_RE.sub(lambda m: urdu.fold(unicodedata.normalize("NFKC", m[0])), text)
        text = text.translate(WORD_BREAKS).translate(URDU_LETTER_MAP)
    if strip_diacritics:
        text = _DIACRITICS_RE.sub("", text)
    return " ".join(text.casefold().split())


# Very frequent function words: kept out of theme labels (not out of the vectors' char grams).
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "must",
        "shall",
        "may",
        "rule",
        "rules",
        "clause",
        "draft",
        "please",
        "also",
        "کا",
        "کی",
        "کے",
        "کو",
        "سے",
        "میں",
        "ہے",
        "ہیں",
        "اور",
        "یہ",
        "وہ",
        "پر",
        "نے",
        "بھی",
        "تو",
        "کہ",
        "جو",
        "ہو",
        "ہوں",
        "گا",
        "گی",
        "گے",
        "تھا",
        "تھی",
        "تھے",
        "کر",
        "کرنا",
        "کریں",
        "کیا",
        "ایک",
        "اس",
        "ان",
        "نہیں",
        "لیے",
        "لئے",
        "جائے",
        "چاہیے",
        "چاہئے",
        "ہونا",
        "ہوگا",
        "ساتھ",
        "بہت",
        "کوئی",
        "تک",
        "یا",
        "اگر",
        "مگر",
        "hai",
        "hain",
        "ka",
        "ki",
        "ke",
        "ko",
        "se",
        "mein",
        "aur",
        "ye",
        "yeh",
        "woh",
        "par",
        "ne",
        "bhi",
        "nahi",
        "chahiye",
        "kya",
    ]
)
