"""The one Urdu folding table: the same word typed on an Arabic or an Urdu keyboard, with
Eastern digits or ASCII ones, with or without a kashida or a zero-width joiner, compares
equal after ``fold``.

Anchoring, campaign and theme analysis, and the personal-data checks all fold through this
module, so a quote, a duplicate and a phone number are recognised the same way. Every
mapping is one character to one character (or to nothing, for ``IGNORABLE``), so offsets
stay meaningful for callers that keep their own map back to the raw text.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic code points that Urdu writes with its own letters.
LETTER_FORMS = {
    "\u064a": "\u06cc",  # Arabic yeh -> Farsi/Urdu yeh
    "\u0649": "\u06cc",  # alef maksura -> Urdu yeh
    "\u06d0": "\u06cc",  # yeh with two dots below -> Urdu yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh (Urdu kaf)
    "\u0647": "\u06c1",  # Arabic heh -> heh goal (Urdu gol heh)
    "\u06d5": "\u06c1",  # ae -> heh goal
    "\u0629": "\u06c3",  # teh marbuta -> teh marbuta goal
    "\u0623": "\u0627",  # alef with hamza above -> alef
    "\u0625": "\u0627",  # alef with hamza below -> alef
    "\u0671": "\u0627",  # alef wasla -> alef
}


def _presentation_forms() -> dict[str, str]:
    """Arabic presentation forms (positional glyphs stored as characters, as PDFs and old
    keyboards leave them) -> the letter, folded like the letter: ﻙ -> ك -> ک. Ligatures of
    several letters (ﻻ, ﷲ) are left out: each mapping here is one character to one."""
    forms = {}
    for code in [*range(0xFB50, 0xFDFF + 1), *range(0xFE70, 0xFEFF + 1)]:
        base = unicodedata.normalize("NFKC", chr(code))
        if len(base) == 1 and base != chr(code) and "\u0600" <= base <= "\u06ff":
            forms[chr(code)] = LETTER_FORMS.get(base, base)
    return forms


PRESENTATION_FORMS = _presentation_forms()

# Arabic-Indic (٠-٩) and Urdu/Persian (۰-۹) digits -> ASCII.
DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}

# Characters that carry no meaning for comparing text: tatweel (kashida), zero-width space
# and joiners, directional marks, the byte-order mark, the word joiner, the soft hyphen.
IGNORABLE = frozenset("\u0640\u200b\u200c\u200d\u200e\u200f\u061c\ufeff\u2060\u00ad")

#: ``str.translate`` table for letter forms and digits only (keeps the length).
DIGITS_TABLE = str.maketrans(DIGITS)
#: ``str.translate`` table for ``fold``: letter forms (presentation forms too), digits,
#: ignorable characters dropped.
FOLD_TABLE = str.maketrans(
    {**LETTER_FORMS, **PRESENTATION_FORMS, **DIGITS, **dict.fromkeys(IGNORABLE)}
)


def fold(text: str) -> str:
    """Urdu letter forms, ASCII digits, no ignorable characters."""
    return text.translate(FOLD_TABLE)


def fold_char(ch: str) -> str:
    """``fold`` for one character ('' when it is ignorable)."""
    if ch in IGNORABLE:
        return ""
    return DIGITS.get(ch) or LETTER_FORMS.get(ch) or PRESENTATION_FORMS.get(ch, ch)


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f]")


def is_urdu_script(text: str) -> bool:
    """Written (at least partly) in the Arabic script Urdu uses."""
    return bool(_ARABIC_SCRIPT.search(text))
