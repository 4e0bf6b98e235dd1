"""The ``lang`` and ``dir`` of text people wrote, from the language stored with it.

A browser lays out and shapes text by these attributes: an Urdu comment without them shows
left-aligned in the Latin font. Scripts written right to left are known here; a code we do
not know gets ``dir="auto"`` (the browser looks at the first strong letter).
"""

from __future__ import annotations

import re

RIGHT_TO_LEFT = {"ar", "ckb", "fa", "he", "ps", "sd", "ug", "ur", "yi"}
LEFT_TO_RIGHT = {"en", "pa"}  # pa: Gurmukhi; Shahmukhi Punjabi is tagged "pnb"
_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def direction(code: str) -> str:
    base = (code or "").split("-")[0].lower()
    if base in RIGHT_TO_LEFT or base == "pnb":
        return "rtl"
    if base in LEFT_TO_RIGHT:
        return "ltr"
    return "auto"


def lang_attrs(code: str) -> str:
    """`` lang="ur" dir="rtl"`` (escaped already: only a valid code is written)."""
    if not code or not _CODE.match(code):
        return ' dir="auto"'
    return f' lang="{code}" dir="{direction(code)}"'
