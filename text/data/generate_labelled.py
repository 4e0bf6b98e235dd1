"""Writes text/data/labelled.jsonl: the spam/abuse training and evaluation set.

Deterministic (fixed seed, sorted output) so the committed file can be regenerated and
diffed. Each row: text, label (ham / spam / abuse), lang (en / ur / roman) and group (the
template it came from). The benchmark holds out whole templates, so the held-out score is
measured on sentence shapes the classifier never saw.

Ham deliberately includes harsh criticism of the government and the draft: criticism is
not abuse, and a classifier that learns otherwise would silence exactly the critics this
platform exists for.

Run: python text/data/generate_labelled.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("labelled.jsonl")

CLAUSES = ["7(2)(a)", "3(1)", "12", "5(4)(b)", "9", "14(3)", "2(1)(k)", "21"]
TOPICS_EN = [
    "facial recognition",
    "data retention",
    "the regulator's powers",
    "algorithmic audits",
    "high-risk systems",
    "the penalty schedule",
    "public-sector AI",
    "consent for training data",
    "the appeals tribunal",
    "small startups",
    "deepfakes in elections",
    "automated hiring",
]
TOPICS_UR = [
    "چہرے کی شناخت",
    "ڈیٹا کو محفوظ رکھنے کی مدت",
    "ریگولیٹر کے اختیارات",
    "الگورتھم کا آڈٹ",
    "زیادہ خطرے والے نظام",
    "جرمانوں کی فہرست",
    "سرکاری اداروں میں مصنوعی ذہانت",
    "تربیتی ڈیٹا کے لیے رضامندی",
    "اپیل ٹربیونل",
    "چھوٹی کمپنیاں",
    "انتخابات میں ڈیپ فیک",
]
TOPICS_RO = [
    "facial recognition",
    "data ka record",
    "regulator ke ikhtiyarat",
    "AI audit",
    "high risk systems",
    "jurmane",
    "sarkari idaron mein AI",
    "training data ki ijazat",
    "appeal tribunal",
    "choti companiyan",
    "election mein deepfake",
]

HAM = {
    "en": [
        "Clause {c} on {t} is too vague; define who decides what counts as high risk.",
        "I support clause {c}. Independent audits of {t} are long overdue.",
        "The government is using this draft to expand surveillance. Clause {c} must be deleted.",
        "This ministry has ignored every consultation before; why should we trust clause {c}?",
        "Replace 'may' with 'shall' in clause {c} so that rules on {t} are binding.",
        "Clause {c} gives the regulator unchecked power over {t}. This is authoritarian and wrong.",
        "As a small developer I worry that {t} compliance costs will shut us down.",
        "Who appoints the members mentioned in clause {c}? Parliament should confirm them.",
        "The penalties in clause {c} are far too weak for abuses of {t}.",
        "Shameful drafting. Clause {c} protects officials, not citizens, when it comes to {t}.",
        "Please add a sunset clause for {t}; review the rule after three years.",
        "I oppose clause {c}. It was written without asking the people affected by {t}.",
        "Good start, but clause {c} needs a right to an explanation of automated decisions.",
        "The definition in clause {c} excludes {t}, which is where the real harm happens.",
        "This draft is a disgrace and the minister should resign over clause {c}.",
        "Clause {c} conflicts with the data protection bill; align the wording on {t}.",
    ],
    "ur": [
        "شق {c} میں {t} کے بارے میں الفاظ مبہم ہیں، واضح تعریف شامل کی جائے۔",
        "میں شق {c} کی حمایت کرتا ہوں، {t} کا آزادانہ آڈٹ ضروری ہے۔",
        "حکومت اس مسودے کے ذریعے نگرانی بڑھانا چاہتی ہے، شق {c} ختم کی جائے۔",
        "وزارت نے پہلے بھی عوام کی رائے نظرانداز کی، شق {c} پر کیسے اعتماد کریں؟",
        "شق {c} میں {t} کے لیے سزائیں بہت کم ہیں۔",
        "یہ شق {c} شہریوں کے بجائے افسران کو تحفظ دیتی ہے، یہ ناانصافی ہے۔",
        "{t} کے بارے میں تین سال بعد نظرثانی کی شرط شامل کریں۔",
        "شق {c} میں 'کر سکتا ہے' کی جگہ 'کرے گا' لکھا جائے۔",
        "میں شق {c} کی مخالفت کرتی ہوں کیونکہ {t} سے متاثر لوگوں سے مشورہ نہیں کیا گیا۔",
        "یہ مسودہ شرمناک ہے، وزیر کو شق {c} پر جواب دینا چاہیے۔",
        "چھوٹے کاروبار کے لیے {t} کی شرائط بہت مہنگی ہوں گی۔",
        "شق {c} کی تعریف میں {t} شامل نہیں، اصل نقصان وہیں ہے۔",
    ],
    "roman": [
        "Clause {c} mein {t} ki definition wazeh nahi, isay behtar likhein.",
        "Main clause {c} ki himayat karta hoon, {t} ka audit zaroori hai.",
        "Hukumat is draft se nigrani barhana chahti hai, clause {c} khatam karein.",
        "Wazarat ne pehle bhi awam ki baat nahi suni, clause {c} par kaise yaqeen karein?",
        "Clause {c} mein {t} ke liye saza bohat kam hai.",
        "Yeh clause {c} afsaron ko bachati hai, shehriyon ko nahi. Bilkul ghalat hai.",
        "{t} par teen saal baad review ki shart dalein.",
        "Main clause {c} ke khilaf hoon, {t} se mutasir logon se poocha hi nahi gaya.",
        "Yeh draft sharamnak hai, minister ko clause {c} ka jawab dena hoga.",
        "Choti companiyon ke liye {t} ki compliance bohat mehngi hogi.",
        "Clause {c} mein 'may' ki jagah 'shall' likhein taake {t} ke qawaid lazmi hon.",
        "Regulator ko {t} par itne ikhtiyarat dena khatarnak hai.",
    ],
}

PRODUCTS = [
    "crypto signals",
    "weight loss pills",
    "cheap followers",
    "forex trading",
    "loans",
    "replica watches",
    "betting tips",
    "web hosting",
    "SEO services",
    "iPhone giveaway",
]
DOMAINS = [
    "bit.ly/x{n}",
    "win-big{n}.biz",
    "cheapdeal{n}.top",
    "earn-fast{n}.xyz",
    "promo{n}.click",
    "t.me/deals{n}",
]

SPAM = {
    "en": [
        "Best {p} in Pakistan!!! Visit http://{d} now, limited offer",
        "EARN 50000 DAILY from home with {p}. WhatsApp now. http://{d}",
        "Buy {p} cheap cheap cheap http://{d} http://{d2} http://{d3}",
        "Congratulations you have won {p}! Claim at http://{d}",
        "Check my channel for {p}, subscribe and share!!! http://{d}",
        "{p} {p} {p} best price best price best price",
        "asdkjh qwe zxcmnb qwpoeiru lkjasd {n}",
        "Great post. Also see {p} at http://{d} thanks",
        "Hot singles near you, click http://{d}",
        "Guaranteed {p} profit 300% in one week, DM me",
    ],
    "ur": [
        "سستے {p} کے لیے ابھی رابطہ کریں http://{d}",
        "گھر بیٹھے روزانہ 50000 کمائیں، {p}، لنک http://{d}",
        "مبارک ہو آپ نے {p} جیت لیا، یہاں کلک کریں http://{d}",
        "بہترین {p} بہترین قیمت بہترین قیمت بہترین قیمت",
        "ہمارا چینل سبسکرائب کریں {p} کے لیے http://{d} http://{d2}",
        "آن لائن کمائی کا آسان طریقہ، {p}، واٹس ایپ کریں",
    ],
    "roman": [
        "Ghar baithe rozana 50000 kamayen {p} se, link http://{d}",
        "Sasta {p} sirf aaj, abhi click karein http://{d}",
        "Mubarak ho aap ne {p} jeet liya, claim karein http://{d}",
        "Mera channel subscribe karein {p} ke liye http://{d} http://{d2}",
        "{p} best rate best rate best rate jaldi karein",
        "Online earning ka asaan tareeqa {p}, WhatsApp karein",
    ],
}

TARGETS_EN = ["you", "the commenter above", "this moderator", "that activist", "the drafter"]
ABUSE = {
    "en": [
        "Shut up {x}, you idiot, nobody wants your opinion.",
        "I know where {x} lives and I will hurt you.",
        "{x} is a worthless bastard and should be beaten.",
        "People like {x} deserve to be shot.",
        "Kill {x} and everyone who supports clause {c}.",
        "{x}, you stupid moron, go back where you came from.",
        "We will find {x} and make you pay, watch your back.",
        "{x} is filth, vermin, subhuman trash.",
    ],
    "ur": [
        "{x} تم حرامی ہو، چپ رہو۔",
        "میں {x} کو جان سے مار دوں گا۔",
        "{x} بے غیرت کتے، تمہیں سبق سکھائیں گے۔",
        "{x} کا گھر معلوم ہے، بچ کر رہنا۔",
        "{x} گدھے، تمہاری ٹانگیں توڑ دیں گے۔",
        "ایسے غداروں کو گولی مار دینی چاہیے، {x} بھی۔",
    ],
    "roman": [
        "{x} tum harami ho, chup raho.",
        "Main {x} ko jaan se maar dunga.",
        "{x} beghairat kuttay, tumhe sabaq sikhayenge.",
        "{x} ka ghar pata hai, bach ke rehna.",
        "{x} gadhay, tumhari tangen tor denge.",
        "Aise ghaddaron ko goli maar deni chahiye, {x} ko bhi.",
        "{x} ullu ka pattha hai, dafa ho jao.",
    ],
}
TARGETS_UR = ["تم", "اوپر والا", "یہ موڈریٹر", "وہ کارکن"]
TARGETS_RO = ["tum", "upar wala", "yeh moderator", "woh activist"]


def _fill(template: str, rng: random.Random, lang: str) -> str:
    topics = {"en": TOPICS_EN, "ur": TOPICS_UR, "roman": TOPICS_RO}[lang]
    targets = {"en": TARGETS_EN, "ur": TARGETS_UR, "roman": TARGETS_RO}[lang]
    n = rng.randint(1, 999)
    return template.format(
        c=rng.choice(CLAUSES),
        t=rng.choice(topics),
        p=rng.choice(PRODUCTS),
        d=rng.choice(DOMAINS).format(n=n),
        d2=rng.choice(DOMAINS).format(n=n + 1),
        d3=rng.choice(DOMAINS).format(n=n + 2),
        x=rng.choice(targets),
        n=n,
    )


def generate(per_template: int = 8, seed: int = 8) -> list[dict]:
    rng = random.Random(seed)
    rows: dict[str, dict] = {}
    for label, table in (("ham", HAM), ("spam", SPAM), ("abuse", ABUSE)):
        for lang, templates in table.items():
            for index, template in enumerate(templates):
                group = f"{label}-{lang}-{index}"
                for _ in range(per_template * 3):
                    text = _fill(template, rng, lang)
                    if text not in rows:
                        rows[text] = {"text": text, "label": label, "lang": lang, "group": group}
                    if sum(r["group"] == group for r in rows.values()) >= per_template:
                        break
    return sorted(rows.values(), key=lambda r: (r["group"], r["text"]))


def main() -> None:
    rows = generate()
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
