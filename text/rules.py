"""Hand-written rules that catch what a small classifier misses: link floods, repeated text,
gibberish and a short list of slurs and threats (English, Urdu script, Roman Urdu)."""

from __future__ import annotations

import re

URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:biz|xyz|top|click|ru|tk)\b", re.I)
LINK_FLOOD_MIN = 3
REPEATED_CHAR_RE = re.compile(r"(.)\1{9,}")
WORD_RE = re.compile(r"\w+", re.UNICODE)

# Kept short on purpose: slurs and threat phrases, not rude words; criticism must pass.
SLURS_AND_THREATS = [
    "bastard",
    "subhuman",
    "vermin",
    "kill you",
    "i will hurt you",
    "deserve to be shot",
    "watch your back",
    "harami",
    "beghairat",
    "kuttay",
    "kutte",
    "ullu ka pattha",
    "jaan se maar",
    "goli maar",
    "tangen tor",
    "حرامی",
    "بے غیرت",
    "کتے",
    "جان سے مار",
    "گولی مار",
    "ٹانگیں توڑ",
    "ghar pata hai",
    "گھر معلوم ہے",
]
# "kill switch" is a real term in AI regulation; only killing a person is a threat.
THREAT_RE = re.compile(
    r"\bkill\s+(?:you|him|her|them|everyone|all|the|that|this)\b(?!\s+switch)", re.IGNORECASE
)
SLURS_LOWER = tuple(s.lower() for s in SLURS_AND_THREATS)


def rule_flags(text: str) -> list[str]:
    """Names of the rules ``text`` trips: 'link_flood', 'repeated_text', 'slur'."""
    flags = []
    if ("." in text or "/" in text) and len(URL_RE.findall(text)) >= LINK_FLOOD_MIN:
        flags.append("link_flood")
    lower = text.lower()
    words = WORD_RE.findall(lower)
    if REPEATED_CHAR_RE.search(text) or (len(words) >= 8 and len(set(words)) / len(words) < 0.35):
        flags.append("repeated_text")
    if any(s in lower for s in SLURS_LOWER) or ("kill" in lower and THREAT_RE.search(text)):
        flags.append("slur")
    return flags
