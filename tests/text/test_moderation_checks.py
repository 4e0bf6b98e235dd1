"""Personal-data detection in English, Urdu script and Roman Urdu; spam/abuse checks."""

from __future__ import annotations

import pytest

from text.checks import assess, find_personal_data, redact

URDU = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

PII_CASES = [
    ("cnic", "My CNIC is {x}, please verify.", "35202-1234567-1"),
    ("cnic", "CNIC {x}", "3520212345671"),
    ("cnic", "CNIC {x} hai", "35202 1234567 1"),
    ("phone", "Call me at {x} tomorrow.", "0300-1234567"),
    ("phone", "Call {x}", "03001234567"),
    ("phone", "whatsapp {x}", "+92 300 1234567"),
    ("phone", "number {x}", "+923211234567"),
    ("phone", "ph {x}", "0092-333-1234567"),
    ("phone", "office {x}", "042-35761234"),
    ("phone", "call {x}", "0333 123 4567"),
    ("email", "Write to {x} please", "ali.khan@gmail.com"),
    ("email", "mera email {x} hai", "ali_k at the rate gmail dot com"),
    ("email", "mail {x}", "sara[at]yahoo.com"),
    ("iban", "Send to {x} now", "PK36SCBL0000001123456702"),
    ("iban", "IBAN {x}", "PK36 SCBL 0000 0011 2345 6702"),
    ("iban", "IBAN {x}", "GB82 WEST 1234 5698 7654 32"),
    ("address", "I live at {x}, Islamabad", "House No. 12, Street 5, Sector G-9/3"),
    ("address", "mera pata {x} hai", "ghar number 45 gali 3 mohalla Islampura"),
    ("address", "visit {x}", "H# 23, St# 4, Block C"),
]
URDU_CASES = [
    ("cnic", "میرا شناختی کارڈ نمبر {x} ہے۔", "35202-1234567-1"),
    ("phone", "میرا فون نمبر {x} ہے۔", "0300-1234567"),
    ("phone", "رابطہ {x}", "+92 300 1234567"),
    ("address", "میرا پتہ {x} لاہور", "مکان نمبر 12، گلی نمبر 5، بلاک بی"),
    ("email", "ای میل {x} پر بھیجیں", "ali.khan@gmail.com"),
    ("iban", "آئی بین {x} ہے", "PK36SCBL0000001123456702"),
]


def _assert_found(template: str, value: str, kind: str) -> None:
    text = template.format(x=value)
    findings = find_personal_data(text)
    start = text.index(value)
    assert [(f["kind"], f["start"], f["end"]) for f in findings] == [
        (kind, start, start + len(value))
    ], findings


@pytest.mark.parametrize(("kind", "template", "value"), PII_CASES)
def test_pii_formats_latin_digits(kind, template, value):
    _assert_found(template, value, kind)


@pytest.mark.parametrize(("kind", "template", "value"), URDU_CASES + PII_CASES[:10])
@pytest.mark.parametrize("digits", [URDU, ARABIC], ids=["urdu-digits", "arabic-indic-digits"])
def test_pii_formats_in_urdu_script_and_eastern_digits(kind, template, value, digits):
    _assert_found(template, value.translate(digits) if kind != "iban" else value, kind)


@pytest.mark.parametrize(
    "text",
    [
        "Clause 7(2)(a) and section 12(3)(b)(ii) should be merged.",
        "Since 1998, and again in 2026, the rule changed.",
        "The fine of Rs. 50,000 is too low; make it Rs 5,000,000 or PKR 1,500,000.",
        "Closes on 23-11-2026 (2026-11-23, 23/11/2026) at 17:00.",
        "Only 300 days, 03 members and 10 percent; 12345 people signed.",
        "The kill switch in clause 9 must be tested every 6 months.",
        "شق ۷(۲)(الف) میں ۵۰,۰۰۰ روپے جرمانہ اور سال ۲۰۲۶ درج ہے۔",
        "Clause 14(3) mein Rs. 20,000 ka jurmana 2025 se hai.",
        "The House of Assembly passed 3 bills in 2024; Sector regulators number 12.",
    ],
)
def test_no_false_positives_on_ordinary_numbers(text):
    assert find_personal_data(text) == []


def test_redact_replaces_each_finding_and_keeps_the_rest():
    text = "Call 0300-1234567 or mail ali@example.com about clause 7(2)(a)."
    redacted = redact(text, find_personal_data(text))
    assert redacted == "Call [phone removed] or mail [e-mail removed] about clause 7(2)(a)."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Buy cheap followers http://a.biz http://b.xyz http://c.top now", "spam"),
        (
            "Best weight loss pills in Pakistan!!! Visit http://win-big7.biz now, limited offer",
            "spam",
        ),
        ("I know where you live and I will hurt you.", "abuse"),
        ("Main tumhe jaan se maar dunga.", "abuse"),
        ("تم حرامی ہو", "abuse"),
    ],
)
def test_spam_and_abuse_are_held(text, reason):
    assert reason in assess(text)["hold_reasons"]


@pytest.mark.parametrize(
    "text",
    [
        "This government is corrupt and clause 9 is a shameful power grab. Delete it.",
        "Yeh hukumat awam ki awaz dabana chahti hai, clause 3(1) bilkul ghalat hai.",
        "یہ مسودہ شرمناک ہے اور وزیر کو استعفیٰ دینا چاہیے۔",
    ],
)
def test_harsh_criticism_is_not_held(text):
    assert assess(text)["hold_reasons"] == []
