"""Pure, fast personal-data detection for English, Urdu script and Roman Urdu.

Every regex is compiled once at import. Text is first mapped digit-for-digit from Urdu
(۰-۹) and Arabic-Indic (٠-٩) digits to ASCII with ``str.translate``: the mapping keeps the
length, so offsets found in the mapped text are offsets into the original text.
"""

from __future__ import annotations

import re

from text import urdu

DIGITS_TO_ASCII = urdu.DIGITS_TABLE

KINDS = ("cnic", "phone", "email", "iban", "address")

_SEP = r"[ \-\u2010\u2011\u2013.]"  # hyphen, space, dash, dot between digit groups

# CNIC: 12345-1234567-1, 12345 1234567 1 or 13 digits together (never inside a longer number).
CNIC_RE = re.compile(rf"(?<![\d])\d{{5}}{_SEP}?\d{{7}}{_SEP}?\d(?![\d])")

# Mobile: 03xx-xxxxxxx, 03xx xxx xxxx, +92 3xx xxxxxxx, 0092-3xx-..., 92 3xx...
MOBILE_RE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)\s?92{_SEP}?\(?0?|92{_SEP}|0)3\d{{2}}\)?{_SEP}?\d{{3}}{_SEP}?\d{{4}}(?![\d])"
)
# Landline with an area code and a separator: 042-35761234, +92 51 9201234, (021) 3456789.
LANDLINE_RE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)\s?92{_SEP}?\(?|\(?0)(?:[2-9]\d{{1,3}})\)?[ \-]\d{{6,8}}(?![\d])"
)
# Words that say "my number is" in three scripts, followed by 10-11 digits however grouped.
PHONE_CUE_RE = re.compile(
    r"(?:phone|mobile|cell|whatsapp|number|nmbr|no\.|فون|موبائل|نمبر|واٹس ایپ)"
    r"[^\d\n]{0,12}((?:\d[ \-]?){10,11})(?![\d])",
    re.IGNORECASE,
)

EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# Spelled-out e-mail, common in Roman Urdu: "ali at the rate gmail dot com", "ali[at]yahoo.com".
EMAIL_SPELLED_RE = re.compile(
    r"(?<![\w.])[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[at\]|\(at\)|\s+at\s+the\s+rate\s+|\s+at\s+(?=gmail|yahoo|hotmail|outlook))"
    r"\s*[A-Za-z0-9-]+\s*(?:\.|\[dot\]|\(dot\)|\s+dot\s+)\s*(?:com|pk|org|net|edu)"
    r"(?:\s*(?:\.|\[dot\]|\(dot\)|\s+dot\s+)\s*pk)?\b",
    re.IGNORECASE,
)

# Pakistani IBAN: PK + 2 check digits + 4-letter bank code + 16 digits, grouped or not.
IBAN_PK_RE = re.compile(r"\bPK\d{2} ?[A-Z]{4}(?: ?\d{4}){4}\b", re.IGNORECASE)
# Any other IBAN: accepted only when the ISO 7064 mod-97 check passes (few false positives).
IBAN_ANY_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")

_HOUSE = (
    r"(?:house|h\s?#|h\.\s?no\.?|flat|apartment|apt\.?|plot|makan|ghar|mkn"
    r"|مکان|گھر|فلیٹ|پلاٹ)"
)
_NUM_WORD = r"(?:\s*(?:no\.?|number|nmbr|#|نمبر|نمبر:))?"
_PART = (
    r"(?:street|st\.?|st\s?#|lane|road|rd\.?|gali|gali\s?no\.?|block|sector|phase|mohall?ah?"
    r"|mohalla|colony|town|society|گلی|بلاک|سیکٹر|محلہ|کالونی|روڈ|سڑک|فیز|ٹاؤن)"
)
ADDRESS_RE = re.compile(
    rf"{_HOUSE}{_NUM_WORD}\s*[:\-]?\s*\d+[A-Za-z]?(?:/\d+)?"
    rf"(?:\s*[,،]?\s*(?:{_PART}{_NUM_WORD}\s*[:\-]?\s*[\w\-/]+|[A-Z]-\d{{1,2}}(?:/\d)?))*",
    re.IGNORECASE,
)
# "Street 5, Sector G-9/3" without a house number still pins a household closely.
STREET_SECTOR_RE = re.compile(
    r"(?:street|gali|گلی)\s*(?:no\.?|#|نمبر)?\s*\d+\s*[,،]\s*(?:sector|block|سیکٹر|بلاک)\s*[\w\-/]+",
    re.IGNORECASE,
)


DIGIT_RE = re.compile(r"\d")
AT_WORD_RE = re.compile(r"\bat\b|\[at\]|\(at\)", re.IGNORECASE)


def _iban_checksum_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def find_personal_data(text: str) -> list[dict]:
    """Personal data in ``text`` as ``{"start", "end", "kind", "text"}``, sorted, no overlaps.

    Clause numbers (7(2)(a)), years, amounts (Rs. 50,000) and dates do not match: every
    number pattern needs the digit count and grouping of a real identifier.
    """
    if not text:
        return []
    mapped = text.translate(DIGITS_TO_ASCII)
    found: list[tuple[int, int, str]] = []
    # Cheap gates first: most comments have no '@', no 'at', and few digits.
    if "@" in mapped:
        for match in EMAIL_RE.finditer(mapped):
            found.append((match.start(), match.end(), "email"))
    if AT_WORD_RE.search(mapped):
        for match in EMAIL_SPELLED_RE.finditer(mapped):
            found.append((match.start(), match.end(), "email"))
    digit_count = len(DIGIT_RE.findall(mapped))
    if digit_count < 7:  # every number-based identifier below has 7 digits or more
        if digit_count:
            for match in ADDRESS_RE.finditer(mapped):
                found.append((match.start(), match.end(), "address"))
            for match in STREET_SECTOR_RE.finditer(mapped):
                found.append((match.start(), match.end(), "address"))
        return _without_overlaps(found, text)
    for match in IBAN_PK_RE.finditer(mapped):
        found.append((match.start(), match.end(), "iban"))
    if any(ch.isupper() for ch in mapped):
        for match in IBAN_ANY_RE.finditer(mapped):
            if not match.group().upper().startswith("PK") and _iban_checksum_ok(match.group()):
                found.append((match.start(), match.end(), "iban"))
    for match in CNIC_RE.finditer(mapped):
        found.append((match.start(), match.end(), "cnic"))
    for match in MOBILE_RE.finditer(mapped):
        found.append((match.start(), match.end(), "phone"))
    for match in LANDLINE_RE.finditer(mapped):
        found.append((match.start(), match.end(), "phone"))
    for match in PHONE_CUE_RE.finditer(mapped):
        found.append((match.start(1), match.end(1), "phone"))
    for match in ADDRESS_RE.finditer(mapped):
        found.append((match.start(), match.end(), "address"))
    for match in STREET_SECTOR_RE.finditer(mapped):
        found.append((match.start(), match.end(), "address"))
    return _without_overlaps(found, text)


_PRIORITY = {"email": 0, "iban": 1, "cnic": 2, "address": 3, "phone": 4}


def _without_overlaps(found: list[tuple[int, int, str]], text: str) -> list[dict]:
    """Keep the longest finding where two overlap (an IBAN contains digit runs, etc.)."""
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), _PRIORITY[f[2]]))
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        end = _trim(text, start, end)
        if kept and start < kept[-1][1]:
            last = kept[-1]
            if end - start > last[1] - last[0]:
                kept[-1] = (start, end, kind)
            continue
        kept.append((start, end, kind))
    return [{"start": s, "end": e, "kind": k, "text": text[s:e]} for s, e, k in kept]


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " -.,،\u2010\u2011\u2013":
        end -= 1
    return end


REDACTION_LABELS = {
    "cnic": "[CNIC removed]",
    "phone": "[phone removed]",
    "email": "[e-mail removed]",
    "iban": "[bank account removed]",
    "address": "[address removed]",
}


def redact(text: str, findings: list[dict]) -> str:
    """Replace each finding with a label saying what kind of data was taken out."""
    if not findings:
        return text
    pieces: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: f["start"]):
        if finding["start"] < cursor:
            continue
        pieces.append(text[cursor : finding["start"]])
        pieces.append(REDACTION_LABELS.get(finding["kind"], "[removed]"))
        cursor = finding["end"]
    pieces.append(text[cursor:])
    return "".join(pieces)


def redact_personal_data(text: str) -> str:
    """``text`` with every finding replaced by its label: the one-step form of
    ``redact(text, find_personal_data(text))`` for short lines (names, live questions)."""
    return redact(text, find_personal_data(text))


# --- All automatic checks together -------------------------------------------------------

SPAM_HOLD_THRESHOLD = 0.5
ABUSE_HOLD_THRESHOLD = 0.5


def assess_texts(texts: list[str]) -> list[dict]:
    """Personal data, classifier scores and rule flags for each text, plus why to hold it.

    Batched so the classifier transforms many texts in one call. ``hold_reasons`` uses the
    public reason codes of ``moderation.models.Reason``; an empty list means publish.
    """
    from text.classifier import score_texts
    from text.rules import rule_flags

    scores = score_texts(texts) if texts else []
    results = []
    for text, score in zip(texts, scores, strict=True):
        findings = find_personal_data(text)
        flags = rule_flags(text)
        reasons = []  # personal data alone is redacted, not held
        spam_rule = "link_flood" in flags or "repeated_text" in flags
        if spam_rule or score.get("spam", 0) >= SPAM_HOLD_THRESHOLD:
            reasons.append("spam")
        if "slur" in flags or score.get("abuse", 0) >= ABUSE_HOLD_THRESHOLD:
            reasons.append("abuse")
        results.append(
            {
                "findings": findings,
                "flags": flags,
                "spam_score": round(score.get("spam", 0.0), 4),
                "abuse_score": round(score.get("abuse", 0.0), 4),
                "hold_reasons": reasons,
            }
        )
    return results


def assess(text: str) -> dict:
    return assess_texts([text])[0]
