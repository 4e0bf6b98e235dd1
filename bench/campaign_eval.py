# ruff: noqa: E501  (letters and clauses are data: one sentence per line reads best)
"""A labelled campaign evaluation set: form letters that vary the way real copies do, next to
independent comments that quote the draft. Deterministic for a seed.

Campaigns (``campaign`` is the truth label; ``variant`` says how each copy differs):

* ``en-letter``: an English form letter; copies add an opener or a signature, some are cut
  short (``truncated``) at 35-80 % of their words;
* ``en-quoting``: an English form letter that itself quotes sub-rule 14(2) before its own
  demands (the quote must not stop the copies from being found);
* ``en-reworded``: one message, five points, each written in four or five different ways
  (``reworded``): members rarely share a sentence word for word;
* ``ur-letter``: an Urdu-script letter; copies carry zero-width characters (ZWNJ, ZWJ, ZWSP,
  in words and in place of spaces: ``zero-width``), Arabic letter forms (ي ك ه for ی ک ہ/ھ)
  and Arabic presentation forms (``arabic-forms``), or are cut short (``truncated``);
* ``roman-letter``: a Roman-Urdu letter copied nearly as is;
* ``roman-respelled``: a Roman-Urdu letter whose copies respell about half of the words
  (hai/hay/he, nahin/nahi/nai, q/k, doubled vowels: ``respelled``), some also cut short.

Independent comments (``campaign`` ''): ``draft-quote``: 16 comments that quote sub-rule
14(2) (English, or its Urdu text) verbatim, some in support, some against, each with its own
reasons (many in a few words only); ``independent``: comments on the same and other clauses in English, Urdu and Roman
Urdu (from ``bench.synthetic``'s phrase banks, and Roman-Urdu ones written here).

The draft's clause texts (``DRAFT``) go to the pipeline so quoted passages can be discounted.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bench.synthetic import THEMES, _individual

# The draft's clauses the comments are about (English from cms/demo/ai_rules.json; the Urdu
# text written for this set).
DRAFT = [
    {
        "key": "c-14",
        "text": "(1) A provider of an artificial intelligence system that generates synthetic media shall ensure that the outputs of the system are marked in a machine-readable format and are detectable as artificially generated or manipulated.\n(2) A person who publishes or disseminates synthetic media depicting a real person, place or event shall attach to it a clear and conspicuous label stating that the content has been artificially generated or altered.\n(3) Where synthetic media forms part of an evidently artistic, satirical or fictional work, the obligation in sub-rule (2) shall be limited to disclosure in an appropriate manner that does not hamper the display or enjoyment of the work.\n(4) During the period of an election schedule announced by the Election Commission of Pakistan, any synthetic media relating to a candidate or political party shall carry a clear and conspicuous label in Urdu and in English throughout its display.\n(5) The removal or alteration of a marking or label required under this rule shall be treated as a contravention of these Rules.",
        "text_ur": "(۱) مصنوعی مواد تیار کرنے والے مصنوعی ذہانت کے نظام کا فراہم کنندہ یقینی بنائے گا کہ نظام کے نتائج مشین کے پڑھنے کے قابل شکل میں نشان زد ہوں اور مصنوعی طور پر تیار یا تبدیل شدہ کے طور پر پہچانے جا سکیں۔\n(۲) جو شخص کسی حقیقی شخص، جگہ یا واقعے کی عکاسی کرنے والا مصنوعی مواد شائع یا نشر کرے، وہ اس کے ساتھ ایک واضح اور نمایاں لیبل لگائے گا جس میں لکھا ہو کہ یہ مواد مصنوعی طور پر تیار یا تبدیل کیا گیا ہے۔\n(۳) جہاں مصنوعی مواد کسی واضح فنکارانہ، طنزیہ یا افسانوی کام کا حصہ ہو، وہاں ذیلی قاعدہ (۲) کی ذمہ داری مناسب انداز میں انکشاف تک محدود ہوگی۔",
    },
    {
        "key": "c-17",
        "text": "(1) The use of real-time remote biometric identification systems in publicly accessible spaces for the purposes of law enforcement is prohibited, except where strictly necessary for the targeted search for a specific victim of abduction, human trafficking or sexual exploitation, or for a missing child.\n(2) Each use under sub-rule (1) shall require the prior authorisation of the Sessions Judge having jurisdiction, save that in a duly justified situation of urgency the use may commence without authorisation, provided that authorisation is sought within twenty-four hours.",
        "text_ur": "(۱) قانون نافذ کرنے کے مقاصد کے لیے عوامی مقامات پر حقیقی وقت میں دور سے بائیومیٹرک شناخت کے نظام کا استعمال ممنوع ہے۔\n(۲) ذیلی قاعدہ (۱) کے تحت ہر استعمال کے لیے متعلقہ سیشن جج کی پیشگی اجازت درکار ہوگی۔",
    },
    {
        "key": "c-18",
        "text": "(1) Every notice, disclosure, label and explanation required under these Rules shall be made available in Urdu and in English.\n(3) An artificial intelligence system that interacts directly with the public through voice or text on behalf of a public body shall be capable of understanding and responding in Urdu.",
        "text_ur": "(۱) ان قواعد کے تحت درکار ہر نوٹس، انکشاف، لیبل اور وضاحت اردو اور انگریزی میں دستیاب کی جائے گی۔",
    },
    {
        "key": "c-21",
        "text": "(1) Any person who believes that a decision concerning that person has been taken in contravention of these Rules may lodge a complaint with the deployer, which shall acknowledge it within seven days and decide it within thirty days.",
        "text_ur": "",
    },
]

SUB_RULE_EN = "A person who publishes or disseminates synthetic media depicting a real person, place or event shall attach to it a clear and conspicuous label stating that the content has been artificially generated or altered."
SUB_RULE_UR = "جو شخص کسی حقیقی شخص، جگہ یا واقعے کی عکاسی کرنے والا مصنوعی مواد شائع یا نشر کرے، وہ اس کے ساتھ ایک واضح اور نمایاں لیبل لگائے گا جس میں لکھا ہو کہ یہ مواد مصنوعی طور پر تیار یا تبدیل کیا گیا ہے۔"

EN_LETTER = (
    "We the undersigned call on the Ministry to ban live facial recognition cameras in markets, "
    "bus stations and outside mosques. Scanning the faces of ordinary people who are suspected of "
    "nothing treats every citizen as a criminal. The exceptions in rule 17 are so wide that the police "
    "could justify almost any use after the fact. A judge must approve each search in advance, with no "
    "urgency loophole, and every use must be reported to Parliament every year. Until these safeguards "
    "exist, the cameras should be switched off."
)
EN_QUOTING = (
    'Rule 14(2) says: "{quote}" This is a start, but it is not enough. Platforms, not only the person '
    "who posts, must be made responsible for removing unlabelled deepfakes of candidates within one "
    "hour. The label must be in the language of the video itself, and repeat offenders must lose "
    "their accounts during the election period."
)
UR_LETTER = (
    "ہم وزارت سے مطالبہ کرتے ہیں کہ سرکاری دفاتر میں مصنوعی ذہانت کے چیٹ بوٹ کے ساتھ ساتھ ہر شہری کو کسی انسان سے بات کرنے کا حق بھی دیا جائے۔ "
    "بزرگ اور کم پڑھے لکھے لوگ مشین کو اپنی بات نہیں سمجھا سکتے اور ان کی شکایت ادھوری رہ جاتی ہے۔ "
    "ہر شکایت کا جواب اردو میں اور سات دن کے اندر ملنا چاہیے، اور جواب دینے والے افسر کا نام بھی لکھا جائے۔ "
    "یہ قواعد عوام کی سہولت کے لیے ہیں، اس لیے عوام کی ضرورت کو سب سے پہلے رکھا جائے۔"
)
ROMAN_LETTER = (
    "Hum mutalba karte hain ke sarkari daftaron mein AI chatbot ke saath saath insaan se baat karne "
    "ka haq bhi diya jaye. Buzurg aur anparh log machine ko apni baat nahin samjha sakte. Har "
    "shikayat ka jawab Urdu mein aur saat din ke andar milna chahiye. Yeh qawaid awaam ke liye hain, "
    "is liye awaam ki zaroorat ko pehle rakha jaye."
)
ROMAN_RESPELLED = (
    "Hamara mutalba hai ke chehra pehchanne wale camere bazaaron aur masjidon ke bahar nahin lagne "
    "chahiye. Police ko baghair adalati hukm ke kisi ka chehra scan karne ki ijazat nahin honi "
    "chahiye. Yeh hamari azaadi aur izzat ka sawal hai aur hum is par khamosh nahin rahenge. Qanoon "
    "mein saaf likha jaye ke aisi nigrani par mukammal pabandi hogi."
)
# Common respellings of Roman Urdu words (the first is the letter's spelling).
RESPELLINGS = {
    "hai": ["hai", "hay", "he", "hae"], "hain": ["hain", "hein", "hai"],
    "nahin": ["nahin", "nahi", "nai", "nahen"], "ke": ["ke", "k", "kay"], "ki": ["ki", "kee"],
    "ka": ["ka", "kaa"], "chahiye": ["chahiye", "chahye", "chahiay", "chaahiye"],
    "qanoon": ["qanoon", "kanoon", "qanun", "kanun"], "mutalba": ["mutalba", "mutaalba", "mutalbah"],
    "hamara": ["hamara", "hmara", "humara"], "hamari": ["hamari", "hmari", "humari"],
    "bahar": ["bahar", "baahar", "bahir"], "izzat": ["izzat", "izat", "ezzat"],
    "azaadi": ["azaadi", "azadi", "aazadi"], "saaf": ["saaf", "saf"],
    "pabandi": ["pabandi", "paabandi", "pabndi"], "mukammal": ["mukammal", "mukamal", "mukmal"],
    "hukm": ["hukm", "hukam", "hokam"], "adalati": ["adalati", "adaalati", "adalti"],
    "ijazat": ["ijazat", "ijaazat", "ejazat"], "baghair": ["baghair", "bagair", "beghair"],
    "sawal": ["sawal", "swal", "sawaal"], "lagne": ["lagne", "lagnay"], "honi": ["honi", "hooni"],
    "jaye": ["jaye", "jae", "jaey"], "likha": ["likha", "lekha"],
    "nigrani": ["nigrani", "nigraani", "nigarani"], "masjidon": ["masjidon", "masjido"],
    "camere": ["camere", "camray", "camre"], "pehchanne": ["pehchanne", "pehchane", "pahchanne"],
    "chehra": ["chehra", "chehara", "chehrah"], "wale": ["wale", "waale", "waly"],
    "karne": ["karne", "karnay", "krne"], "aur": ["aur", "or", "aor"], "par": ["par", "per"],
    "mein": ["mein", "main", "men"], "bazaaron": ["bazaaron", "bazaron", "bazaroon"],
    "khamosh": ["khamosh", "khamoosh", "khamush"], "rahenge": ["rahenge", "rahen ge", "rahain ge"],
    "hogi": ["hogi", "ho gi"], "aisi": ["aisi", "aesi", "esi"], "kisi": ["kisi", "kissi"],
    "police": ["police", "polees"], "hum": ["hum", "ham"], "yeh": ["yeh", "ye", "yah"],
}  # fmt: skip

# The reworded campaign: five points, each in several wordings.
REWORDED = [
    [
        "No one should lose a pension or a benefit because a computer said so.",
        "A machine must never be the one that cuts off somebody's welfare payment.",
        "Automated systems should not be allowed to stop a person's benefits on their own.",
        "Do not let software decide by itself to end a family's support payments.",
        "Stopping someone's pension or welfare money cannot be left to an algorithm.",
    ],
    [
        "A trained officer has to look at every case before any money is withheld.",
        "Every such decision needs to be checked by a real official who can overrule the system.",
        "There must be a human officer who reviews the file and signs off on the decision.",
        "Put a qualified official, not the algorithm, in charge of the final call on each case.",
    ],
    [
        "People need a simple way to appeal, in Urdu, within thirty days.",
        "Give citizens an easy appeal in their own language and a month to file it.",
        "An appeal that ordinary people can use, in Urdu and the regional languages, is essential.",
        "Those affected must be able to challenge the decision quickly and in Urdu.",
    ],
    [
        "The poorest families cannot survive even one missed payment.",
        "Mistakes by these systems hit the most vulnerable households hardest.",
        "When the algorithm gets it wrong, widows and pensioners pay the price.",
        "A single wrong cut-off can push a poor household into debt.",
    ],
    [
        "Please amend rule 21 to say this plainly.",
        "I urge the committee to rewrite rule 21 along these lines.",
        "Rule 21 should state this clearly before it becomes law.",
        "Fix rule 21 so that these protections are written into it.",
    ],
]
REWORDED_OPENERS = [
    "",
    "",
    "Dear committee,",
    "As a citizen of Pakistan:",
    "My view on the benefits rules.",
    "Salaam.",
]

# Independent comments that quote sub-rule 14(2): the frame, the stance and the writer's own
# reasons, each reason used once.
QUOTE_FRAMES_EN = [
    'Sub-rule 14(2) reads: "{q}" {r}',
    'On rule 14(2), "{q}" {r}',
    'The draft says that "{q}" {r}',
    '"{q}" {r}',
    'I am commenting on this sentence of rule 14: "{q}" {r}',
]
QUOTE_REASONS_EN = [
    ("support", "I fully support this."),
    ("support", "Good, keep it exactly as written."),
    ("support", "Agreed. Voters deserve to know."),
    ("support", "Yes, and enforce it during elections."),
    (
        "support",
        "As a journalist I see doctored clips every week, and a visible label would save our fact-checkers hours of work.",
    ),
    (
        "support",
        "Strongly in favour. Schoolchildren in Multan are already being bullied with edited photos of their faces.",
    ),
    ("oppose", "This goes too far; delete it."),
    ("oppose", "I object. Satire will suffer."),
    ("oppose", "Unworkable for small studios."),
    ("oppose", "Too vague: who decides what is conspicuous?"),
    (
        "oppose",
        "A cartoonist in Karachi would have to stamp a warning on every satirical drawing of a politician.",
    ),
    (
        "oppose",
        "Delete this. It will be used against opposition activists who share memes, while state media is never checked.",
    ),
]
QUOTE_FRAMES_UR = [
    'ذیلی قاعدہ ۱۴(۲) میں لکھا ہے: "{q}" {r}',
    'قاعدہ ۱۴ کہتا ہے کہ "{q}" {r}',
    '"{q}" {r}',
]
QUOTE_REASONS_UR = [
    ("support", "میں اس کی حمایت کرتا ہوں۔"),
    ("support", "یہ بہت ضروری ہے کیونکہ انتخابات میں جھوٹی آوازیں اور تصویریں تیزی سے پھیلتی ہیں۔"),
    ("oppose", "یہ شرط بہت سخت ہے۔"),
    ("oppose", "چھوٹے فوٹو اسٹوڈیو ہر تصویر پر لیبل نہیں لگا سکتے، اس شق کو نرم کیا جائے۔"),
]

ROMAN_INDEPENDENT = [
    "Mera khayal hai ke AI ki registry har shehri ke liye muft honi chahiye taake log khud dekh saken.",
    "Jurmana company ki aamdani ke hisaab se hona chahiye, warna bari companiyan parwah nahin karengi.",
    "Main Hyderabad se teacher hoon, school ke bachon ka data kisi app ko nahin diya jana chahiye.",
    "Sindhi aur Pashto mein bhi shikayat darj karne ki sahulat honi chahiye, sirf Urdu kaafi nahin.",
    "Startups ke liye sandbox acha idea hai lekin is ki muddat do saal honi chahiye.",
    "Deepfake videos par label zaroori hai magar satire aur cartoon ko is se bahar rakha jaye.",
    "Police ke camere sirf adalat ki ijazat se chalne chahiyen, yeh meri guzarish hai.",
    "Bank loan ka faisla machine kare to wajah bhi batai jaye ke loan kyun radd hua.",
    "Hospital mein AI use ho raha hai to mareez ko pehle batana chahiye aur ijazat leni chahiye.",
    "Authority ke board mein aurton aur subon ki numainda shamil honi chahiye.",
]

# Arabic letter forms typed for the Urdu ones (what an Arabic keyboard gives).
ARABIC_FORMS = {"ی": "ي", "ک": "ك", "ہ": "ه", "ھ": "ه"}
# A few Arabic presentation forms (isolated/final/initial glyphs stored as characters).
PRESENTATION = {
    "ب": "\ufe8f",
    "ت": "\ufe95",
    "ر": "\ufead",
    "م": "\ufee1",
    "ن": "\ufee5",
    "ل": "\ufedd",
}
NON_JOINING = set("اآدڈذرڑزژوے")

CAMPAIGNS = [
    "en-letter",
    "en-quoting",
    "en-reworded",
    "ur-letter",
    "roman-letter",
    "roman-respelled",
]
STAKES = ["individual", "individual", "individual", "civil_society", "business", "academia"]


def _truncate(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    keep = max(8, int(len(words) * rng.uniform(0.35, 0.8)))
    return " ".join(words[:keep])


def _zero_width(rng: random.Random, text: str) -> str:
    """Invisible characters as keyboards and web pages leave them: ZWNJ in place of the space
    after a letter that does not join (Urdu typists often leave that space out), ZWNJ or ZWSP
    after such letters inside words, ZWJ anywhere in a word, ZWSP after some spaces."""
    out = []
    chars = list(text)
    for i, ch in enumerate(chars):
        prev = chars[i - 1] if i else ""
        if ch == " " and prev in NON_JOINING and rng.random() < 0.5:
            out.append("\u200c")
            continue
        out.append(ch)
        if ch == " " and rng.random() < 0.15:
            out.append("\u200b")
        elif ch in NON_JOINING and rng.random() < 0.15:
            out.append(rng.choice(["\u200c", "\u200b"]))
        elif "\u0600" <= ch <= "\u06ff" and rng.random() < 0.04:
            out.append("\u200d")
    return "".join(out)


def _arabic_forms(rng: random.Random, text: str) -> str:
    out = []
    for ch in text:
        if ch in ARABIC_FORMS and rng.random() < 0.8:
            out.append(ARABIC_FORMS[ch])
        elif ch in PRESENTATION and rng.random() < 0.3:
            out.append(PRESENTATION[ch])
        else:
            out.append(ch)
    return "".join(out)


def _respell(rng: random.Random, text: str, p: float = 0.55) -> str:
    words = []
    for word in text.split(" "):
        core = word.rstrip(".,")
        tail = word[len(core) :]
        variants = RESPELLINGS.get(core.lower())
        if variants and rng.random() < p:
            choice = rng.choice(variants)
            core = choice.capitalize() if core[:1].isupper() else choice
        words.append(core + tail)
    return " ".join(words)


def _with_extras(rng: random.Random, text: str, openers: list[str], closers: list[str]) -> str:
    parts = [rng.choice(openers), text, rng.choice(closers)]
    return " ".join(p for p in parts if p)


EN_OPENERS = ["", "", "", "Dear Sir or Madam,", "To the Ministry:", "Please read this."]
EN_CLOSERS = [
    "",
    "",
    "Sincerely, a resident of Lahore.",
    "Regards.",
    "Thank you.",
    "Signed, Ayesha K.",
]
UR_OPENERS = ["", "", "", "جناب عالی،", "محترم وزارت،"]
UR_CLOSERS = ["", "", "شکریہ۔", "والسلام۔"]
ROMAN_OPENERS = ["", "", "", "Janab,", "Assalam o alaikum."]
ROMAN_CLOSERS = ["", "", "Shukriya.", "Meherbani."]


def _campaign(rng, name, language, clause, stance, size, make):
    records = []
    for n in range(size):
        text, variant = make(n)
        records.append(
            {"text": text, "campaign": name, "variant": variant, "language": language,
             "clause": clause, "stance": stance}
        )  # fmt: skip
    return records


def generate(seed: int = 2027) -> list[dict]:
    rng = random.Random(seed)
    records: list[dict] = []

    def en_letter(n):
        text = _with_extras(rng, EN_LETTER, EN_OPENERS, EN_CLOSERS)
        if n % 4 == 3:
            return _truncate(rng, text), "truncated"
        return text, "copy"

    def en_quoting(n):
        return _with_extras(
            rng, EN_QUOTING.format(quote=SUB_RULE_EN), EN_OPENERS, EN_CLOSERS
        ), "copy"

    def en_reworded(n):
        points = [rng.choice(variants) for variants in REWORDED]
        middle = points[1:4]
        rng.shuffle(middle)
        body = [points[0], *middle, points[4]]
        if rng.random() < 0.3:  # some leave a point out
            del body[rng.randrange(1, 4)]
        return " ".join(p for p in [rng.choice(REWORDED_OPENERS), *body] if p), "reworded"

    def ur_letter(n):
        text = _with_extras(rng, UR_LETTER, UR_OPENERS, UR_CLOSERS)
        kind = n % 5
        if kind == 1:
            return _zero_width(rng, text), "zero-width"
        if kind == 2:
            return _arabic_forms(rng, text), "arabic-forms"
        if kind == 3:
            return _arabic_forms(rng, _zero_width(rng, text)), "zero-width+arabic-forms"
        if kind == 4:
            return _truncate(rng, text), "truncated"
        return text, "copy"

    def roman_letter(n):
        return _with_extras(rng, ROMAN_LETTER, ROMAN_OPENERS, ROMAN_CLOSERS), "copy"

    def roman_respelled(n):
        text = _with_extras(rng, _respell(rng, ROMAN_RESPELLED), ROMAN_OPENERS, ROMAN_CLOSERS)
        if n % 5 == 4:
            return _truncate(rng, text), "respelled+truncated"
        return text, "respelled"

    records += _campaign(rng, "en-letter", "en", "c-17", "oppose", 24, en_letter)
    records += _campaign(rng, "en-quoting", "en", "c-14", "amend", 16, en_quoting)
    records += _campaign(rng, "en-reworded", "en", "c-21", "amend", 18, en_reworded)
    records += _campaign(rng, "ur-letter", "ur", "c-18", "amend", 25, ur_letter)
    records += _campaign(rng, "roman-letter", "ur", "c-18", "amend", 12, roman_letter)
    records += _campaign(rng, "roman-respelled", "ur", "c-17", "oppose", 20, roman_respelled)

    for stance, reason in QUOTE_REASONS_EN:
        frame = rng.choice(QUOTE_FRAMES_EN)
        records.append(
            {"text": frame.format(q=SUB_RULE_EN, r=reason), "campaign": "", "variant": "draft-quote",
             "language": "en", "clause": "c-14", "stance": stance}
        )  # fmt: skip
    for stance, reason in QUOTE_REASONS_UR:
        frame = rng.choice(QUOTE_FRAMES_UR)
        records.append(
            {"text": frame.format(q=SUB_RULE_UR, r=reason), "campaign": "", "variant": "draft-quote",
             "language": "ur", "clause": "c-14", "stance": stance}
        )  # fmt: skip
    themes = sorted(THEMES)
    for n in range(70):
        theme = themes[n % len(themes)]
        language = "ur" if n % 5 in (1, 3) else "en"
        records.append(
            {"text": _individual(rng, theme, language), "campaign": "", "variant": "independent",
             "language": language, "clause": THEMES[theme]["clauses"][0],
             "stance": rng.choice(["support", "oppose", "amend", "question"])}
        )  # fmt: skip
    for text in ROMAN_INDEPENDENT:
        records.append(
            {"text": text, "campaign": "", "variant": "independent", "language": "ur",
             "clause": "", "stance": rng.choice(["support", "oppose", "amend"])}
        )  # fmt: skip

    # Independent comments arrive over the 20 days of the consultation; each campaign's copies
    # within three days of its launch (as campaigns do, and as bench.synthetic has them); the
    # comments quoting sub-rule 14(2) within three days of a news story about it.
    start = datetime(2026, 11, 2, 9, 0)
    launched = {name: start + timedelta(days=rng.randrange(17)) for name in CAMPAIGNS}
    news = start + timedelta(days=rng.randrange(17))
    for record in records:
        if record["campaign"]:
            moment = launched[record["campaign"]] + timedelta(minutes=rng.randrange(60 * 24 * 3))
        elif record["variant"] == "draft-quote":
            moment = news + timedelta(minutes=rng.randrange(60 * 24 * 3))
        else:
            moment = start + timedelta(minutes=rng.randrange(60 * 24 * 20))
        record["created"] = moment.isoformat(timespec="minutes")
    rng.shuffle(records)
    return [
        {
            "id": f"k{n:04d}",
            **record,
            "stakeholder": rng.choice(STAKES),
            "anonymous": rng.random() < 0.5,
        }
        for n, record in enumerate(records, start=1)
    ]


def draft_texts() -> list[str]:
    """The clause texts the pipeline discounts (English and Urdu, one string each)."""
    return [t for clause in DRAFT for t in (clause["text"], clause["text_ur"]) if t]
