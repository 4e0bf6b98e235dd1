"""Benchmark: all automatic moderation checks over 100,000 mixed submissions, one core.

Prints, as the last line:
  moderation per_second=<n> pii_recall=<x> pii_precision=<y> spam_f1=<z>

- pii_recall / pii_precision: on a generated evaluation set of personal data in every
  format (Latin, Urdu and Arabic-Indic digits; English, Urdu script and Roman Urdu
  sentences) plus ordinary numbers that must not match (clause numbers, years, amounts,
  dates). A finding counts when its kind matches and its span overlaps the planted value.
- spam_f1: F1 of "hold" (spam or abuse) vs "publish" on the held-out templates of the
  labelled set, with the classifier trained on the other templates only, rules included.
- per_second: find_personal_data + classifier + rules over BENCH_N submissions (default
  100,000), batched 1,000 at a time, BLAS pinned to one thread; submissions per CPU-second
  of this single-threaded process (wall-clock rate printed on the line before).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CONSULT_INSECURE_DEFAULTS", "1")

import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from moderation import classifier  # noqa: E402
from text.checks import assess_texts, find_personal_data  # noqa: E402

URDU = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def _iban_pk(rng):
    bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    account = _digits(rng, 16)
    body = bank + account + "PK00"
    check = 98 - int("".join(str(int(c, 36)) for c in body)) % 97
    value = f"PK{check:02d}{bank}{account}"
    if rng.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


def make_value(kind, rng):
    if kind == "cnic":
        a, b, c = _digits(rng, 5), _digits(rng, 7), _digits(rng, 1)
        return rng.choice([f"{a}-{b}-{c}", f"{a}{b}{c}", f"{a} {b} {c}"])
    if kind == "phone":
        net, rest = f"3{rng.randint(0, 4)}{rng.randint(0, 9)}", _digits(rng, 7)
        return rng.choice(
            [
                f"0{net}-{rest}",
                f"0{net}{rest}",
                f"+92 {net} {rest}",
                f"+92{net}{rest}",
                f"0092-{net}-{rest}",
                f"0{net} {rest[:3]} {rest[3:]}",
                f"0{rng.choice(['42', '51', '21', '91'])}-{_digits(rng, rng.choice([7, 8]))}",
            ]
        )
    if kind == "email":
        user = rng.choice(["ali", "sara.k", "m_khan", "ayesha92", "info"])
        domain = rng.choice(["gmail.com", "yahoo.com", "hotmail.com", "example.pk", "ngo.org.pk"])
        return rng.choice(
            [f"{user}@{domain}", f"{user} at the rate {domain.replace('.', ' dot ')}"]
        )
    if kind == "iban":
        return _iban_pk(rng)
    house, street = rng.randint(1, 999), rng.randint(1, 60)
    sector = f"{rng.choice('EFGHI')}-{rng.randint(5, 14)}/{rng.randint(1, 4)}"
    return rng.choice(
        [
            f"House No. {house}, Street {street}, Sector {sector}",
            f"H# {house}, St# {street}, Block {rng.choice('ABCDE')}",
            f"ghar number {house} gali {street} mohalla Islampura",
            f"makan no {house}, gali no {street}",
            f"مکان نمبر {house}، گلی نمبر {street}، بلاک بی",
            f"Flat {house}, Road {street}",
        ]
    )


CARRIERS = {
    "en": [
        "Please contact me about clause {c}: {x}.",
        "My details: {x}. I oppose clause {c}.",
        "Clause {c} harms us. Reach me at {x} if needed.",
    ],
    "ur": ["شق {c} کے بارے میں مجھ سے رابطہ کریں: {x}۔", "میری معلومات {x} ہیں، شق {c} غلط ہے۔"],
    "roman": [
        "Clause {c} ke baare mein mujh se rabta karein: {x}.",
        "Meri details {x} hain, clause {c} ghalat hai.",
    ],
}
NEGATIVES = [
    "Clause {c} sets a fine of Rs. {a},000 from {y}.",
    "Since {y}, section {c} was amended twice.",
    "شق {c} کے تحت {y} سے {a},000 روپے جرمانہ ہوگا۔",
    "Clause {c} mein {y} se PKR {a},500,000 ka jurmana hai.",
    "The deadline of {d} in clause {c} is too short; give 180 days.",
]


def pii_eval_set(rng, n=3000):
    rows = []
    kinds = ["cnic", "phone", "email", "iban", "address"]
    for i in range(n):
        clause = rng.choice(["7(2)(a)", "3(1)", "12", "14(3)(b)"])
        if i % 4 == 3:
            text = rng.choice(NEGATIVES).format(
                c=clause,
                a=rng.randint(1, 999),
                y=rng.randint(1990, 2030),
                d=f"{rng.randint(1, 28)}-{rng.randint(1, 12)}-{rng.randint(2020, 2030)}",
            )
            expected = []
        else:
            kind = kinds[i % len(kinds)]
            lang = rng.choice(list(CARRIERS))
            value = make_value(kind, rng)
            if kind in ("cnic", "phone", "address") and lang == "ur" and rng.random() < 0.7:
                value = value.translate(rng.choice([URDU, ARABIC]))
            template = rng.choice(CARRIERS[lang])
            text = template.replace("{c}", clause).replace("{x}", value)
            start = text.index(value)
            expected = [(kind, start, start + len(value))]
        if rng.random() < 0.5:
            text = text.translate(URDU) if "شق" in text else text
        rows.append((text, expected))
    return rows


def pii_scores(rows):
    tp = fn = fp = 0
    for text, expected in rows:
        found = [(f["kind"], f["start"], f["end"]) for f in find_personal_data(text)]
        matched = set()
        for kind, start, end in expected:
            hit = next(
                (j for j, f in enumerate(found) if f[0] == kind and f[1] < end and start < f[2]),
                None,
            )
            if hit is None:
                fn += 1
            else:
                tp += 1
                matched.add(hit)
        fp += len(found) - len(matched)
    return tp / max(1, tp + fn), tp / max(1, tp + fp)


def spam_f1():
    rows = classifier.load_rows()
    train = [r for r in rows if not classifier.is_held_out(r)]
    test = [r for r in rows if classifier.is_held_out(r)]
    pipeline = classifier.train(train)
    data_hash = classifier.data_key()
    classifier._cached.clear()
    classifier._cached[data_hash] = pipeline  # score with the train-only model from here on
    results = assess_texts([r["text"] for r in test])
    model_only = pipeline.predict([r["text"] for r in test])
    actual = [r["label"] != "ham" for r in test]
    with_rules = _f1([bool(r["hold_reasons"]) for r in results], actual)
    without_rules = _f1([label != "ham" for label in model_only], actual)
    return with_rules, without_rules, len(train), len(test)


def _f1(predicted, actual):
    tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
    fp = sum(p and not a for p, a in zip(predicted, actual, strict=True))
    fn = sum(a and not p for p, a in zip(predicted, actual, strict=True))
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return 2 * precision * recall / max(1e-9, precision + recall)


def main():
    total = int(os.environ.get("BENCH_N", "100000"))
    rng = random.Random(8)
    pii_rows = pii_eval_set(rng)
    recall, precision = pii_scores(pii_rows)
    f1, f1_model_only, n_train, n_test = spam_f1()
    pool = [r["text"] for r in classifier.load_rows()] + [text for text, _ in pii_rows]
    submissions = [pool[rng.randrange(len(pool))] for _ in range(total)]
    assess_texts(submissions[:100])  # warm up
    started, cpu_started = time.perf_counter(), time.process_time()
    held = 0
    for offset in range(0, total, 1000):
        for result in assess_texts(submissions[offset : offset + 1000]):
            held += bool(result["hold_reasons"])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"pii_eval={len(pii_rows)} spam_train={n_train} spam_heldout={n_test} "
        f"submissions={total} held={held} wall_seconds={elapsed:.1f} cpu_seconds={cpu:.1f} "
        f"wall_per_second={total / elapsed:.0f} spam_f1_classifier_only={f1_model_only:.3f}"
    )
    # per_second is per CPU-second of this one process (one core, BLAS pinned to one
    # thread): on a shared machine wall time mostly measures the other tenants.
    print(
        f"moderation per_second={total / cpu:.0f} pii_recall={recall:.3f} "
        f"pii_precision={precision:.3f} spam_f1={f1:.3f}"
    )


if __name__ == "__main__":
    main()
