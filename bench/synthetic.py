# ruff: noqa: E501  (phrase banks are data: one sentence per line reads best)
"""Synthetic submissions about the demo draft (AI rules): the labelled evaluation set and
the scale benchmark's input. Deterministic for a seed.

Each theme has English and Urdu phrase banks (openers, claims, reasons, asks) tied to the
clauses of ``cms/demo/ai_rules.json``; a submission combines a random subset, so individual
submissions on one theme share vocabulary but are not near-copies. Campaigns are a base
text copied with synonym swaps, reordered sentences and small additions, as organised
campaigns look in practice.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

STAKEHOLDERS = ["individual", "civil_society", "business", "academia", "government", "media"]
STAKEHOLDER_WEIGHTS = [0.55, 0.13, 0.12, 0.09, 0.06, 0.05]

# theme -> clauses, stance weights (support, oppose, amend, question), phrase banks.
THEMES: dict[str, dict] = {
    "authority_independence": {
        "clauses": ["c-4", "c-5"],
        "stances": [1, 2, 5, 1],
        "en": {
            "claims": [
                "The Authority must be independent of the ministry it is supposed to check.",
                "Members of the Authority should not all be government officials.",
                "Civil society and the provinces need seats on the Authority board.",
                "The chairperson should be chosen through open hearings in parliament.",
                "An independent regulator needs its own budget, not a grant from the ministry.",
                "The Authority board must include at least one person from each province.",
                "Independence of the Authority has to be written into the rule itself.",
            ],
            "reasons": [
                "Otherwise the regulator will simply protect government projects.",
                "A captured regulator is worse than none at all.",
                "Public trust depends on who sits on the board.",
                "Other regulators in Pakistan lost credibility exactly this way.",
            ],
        },
        "ur": {
            "claims": [
                "اتھارٹی کو وزارت سے مکمل طور پر آزاد ہونا چاہیے۔",
                "اتھارٹی کے تمام ارکان سرکاری افسر نہیں ہونے چاہئیں۔",
                "سول سوسائٹی اور صوبوں کو اتھارٹی کے بورڈ میں نمائندگی دی جائے۔",
                "چیئرپرسن کا انتخاب پارلیمان میں کھلی سماعت کے ذریعے ہو۔",
                "آزاد ریگولیٹر کا اپنا بجٹ ہونا چاہیے۔",
                "اتھارٹی کی خودمختاری قاعدے میں واضح طور پر لکھی جائے۔",
            ],
            "reasons": [
                "ورنہ ریگولیٹر صرف حکومتی منصوبوں کا تحفظ کرے گا۔",
                "عوام کا اعتماد اس بات پر منحصر ہے کہ بورڈ میں کون بیٹھا ہے۔",
                "دوسرے اداروں کی ساکھ بھی اسی طرح ختم ہوئی۔",
            ],
        },
        "roman": [
            "Authority ko ministry se azad hona chahiye, warna ye sirf sarkari idara ban jayega.",
            "Board mein civil society aur subon ke log bhi hone chahiye.",
        ],
    },
    "registry_transparency": {
        "clauses": ["c-6", "c-13"],
        "stances": [5, 1, 3, 1],
        "en": {
            "claims": [
                "The public registry of high-risk systems should be searchable online by anyone.",
                "The registry must list which government departments use each system.",
                "Registry entries should show the purpose, the vendor and the risk assessment.",
                "Please publish the registry as open data that journalists can download.",
                "Every high-risk system in the registry should have a plain-language summary.",
                "The registry should record when a system was withdrawn and why.",
            ],
            "reasons": [
                "Transparency is the first step to accountability.",
                "People cannot challenge a system they do not know exists.",
                "Researchers need the registry data to study harms.",
            ],
        },
        "ur": {
            "claims": [
                "زیادہ خطرے والے نظاموں کی رجسٹری ہر شہری کے لیے آن لائن دستیاب ہو۔",
                "رجسٹری میں لکھا جائے کہ کون سا سرکاری محکمہ کون سا نظام استعمال کر رہا ہے۔",
                "رجسٹری میں نظام کا مقصد، فراہم کنندہ اور خطرے کا جائزہ شائع کیا جائے۔",
                "رجسٹری کو اوپن ڈیٹا کے طور پر شائع کیا جائے۔",
                "ہر نظام کا آسان زبان میں خلاصہ رجسٹری میں موجود ہو۔",
            ],
            "reasons": [
                "شفافیت ہی جواب دہی کی پہلی شرط ہے۔",
                "لوگ اس نظام کو چیلنج نہیں کر سکتے جس کا انہیں علم ہی نہ ہو۔",
            ],
        },
        "roman": [
            "Registry sab ke liye online honi chahiye taake pata chale kaun sa system kahan chal raha hai."
        ],
    },
    "deepfake_labelling": {
        "clauses": ["c-14"],
        "stances": [6, 1, 3, 1],
        "en": {
            "claims": [
                "Deepfakes must carry a clear label, especially before elections.",
                "Labels on synthetic media should also be shown in Urdu, not only English.",
                "Platforms must remove unlabelled deepfake videos of candidates quickly.",
                "AI-generated images and voices should carry a visible watermark.",
                "The label should stay on the video when it is forwarded on WhatsApp.",
                "Synthetic audio of politicians needs a spoken disclaimer at the start.",
                "Satire and parody should be exempt from the deepfake labelling duty.",
            ],
            "reasons": [
                "Fake videos of candidates spread faster than any correction.",
                "Most voters watch videos on their phones without reading captions.",
                "Women are the main victims of fake intimate images.",
            ],
        },
        "ur": {
            "claims": [
                "ڈیپ فیک ویڈیوز پر واضح لیبل لازمی ہونا چاہیے، خاص طور پر انتخابات سے پہلے۔",
                "مصنوعی مواد پر لیبل اردو میں بھی ہو، صرف انگریزی میں نہیں۔",
                "امیدواروں کی جعلی ویڈیوز کو پلیٹ فارم فوری طور پر ہٹائیں۔",
                "مصنوعی ذہانت سے بنی تصاویر اور آوازوں پر واٹر مارک ہونا چاہیے۔",
                "واٹس ایپ پر آگے بھیجنے پر بھی ویڈیو کا لیبل برقرار رہنا چاہیے۔",
            ],
            "reasons": [
                "جعلی ویڈیوز تردید سے زیادہ تیزی سے پھیلتی ہیں۔",
                "خواتین جعلی تصاویر کا سب سے زیادہ نشانہ بنتی ہیں۔",
            ],
        },
        "roman": [
            "Deepfake video par label zaroori hona chahiye, khaas tor par election se pehle."
        ],
    },
    "data_protection": {
        "clauses": ["c-15", "c-10"],
        "stances": [2, 2, 5, 1],
        "en": {
            "claims": [
                "Personal data used to train AI systems must only be collected with consent.",
                "People should have the right to know what personal data an AI system holds about them.",
                "Health and biometric data should never be used for training without explicit permission.",
                "This rule must wait for a proper personal data protection law.",
                "Companies should delete training data they no longer need.",
                "Data about children needs special protection in AI training sets.",
            ],
            "reasons": [
                "Without a privacy law these rules have no foundation.",
                "Leaks of national identity data have happened before.",
                "Consent must be informed and freely given.",
            ],
        },
        "ur": {
            "claims": [
                "مصنوعی ذہانت کی تربیت کے لیے ذاتی ڈیٹا صرف رضامندی سے لیا جائے۔",
                "ہر شہری کو یہ جاننے کا حق ہو کہ کسی نظام کے پاس اس کا کون سا ذاتی ڈیٹا ہے۔",
                "صحت اور شناختی ڈیٹا واضح اجازت کے بغیر استعمال نہ کیا جائے۔",
                "پہلے ذاتی ڈیٹا کے تحفظ کا قانون منظور کیا جائے۔",
                "بچوں کے ڈیٹا کو خاص تحفظ دیا جائے۔",
            ],
            "reasons": [
                "پرائیویسی کے قانون کے بغیر یہ قواعد کمزور ہیں۔",
                "شناختی ڈیٹا پہلے بھی لیک ہو چکا ہے۔",
            ],
        },
        "roman": [
            "Hamara personal data baghair ijazat AI training ke liye istemal nahi hona chahiye."
        ],
    },
    "facial_recognition": {
        "clauses": ["c-17", "c-16"],
        "stances": [2, 4, 3, 1],
        "en": {
            "claims": [
                "Facial recognition in public spaces should be banned outright.",
                "Police use of live facial recognition needs a judge's warrant every time.",
                "Biometric surveillance at protests must be prohibited.",
                "Facial recognition cameras in markets and bus stations are disproportionate.",
                "The exception for national security in the biometric clause is far too broad.",
                "Facial recognition makes more mistakes on darker skin and on women.",
            ],
            "reasons": [
                "Mass surveillance chills free speech and assembly.",
                "Innocent people will be stopped because of false matches.",
                "Once cameras are installed they are never removed.",
            ],
        },
        "ur": {
            "claims": [
                "عوامی مقامات پر چہرہ شناسی پر مکمل پابندی ہونی چاہیے۔",
                "پولیس کو چہرہ شناسی کے ہر استعمال کے لیے عدالت سے اجازت لینی چاہیے۔",
                "احتجاج کے دوران بائیومیٹرک نگرانی ممنوع ہو۔",
                "بازاروں اور بس اڈوں پر چہرہ شناسی کے کیمرے غیر متناسب ہیں۔",
                "قومی سلامتی کی استثنیٰ بہت وسیع ہے۔",
            ],
            "reasons": [
                "عوامی نگرانی اظہارِ رائے کی آزادی کو متاثر کرتی ہے۔",
                "غلط شناخت کی وجہ سے بے گناہ لوگ پکڑے جائیں گے۔",
            ],
        },
        "roman": ["Bazaar aur sarkon par chehra pehchanne wale camere band hone chahiye."],
    },
    "language_access": {
        "clauses": ["c-18", "c-21"],
        "stances": [5, 0, 3, 1],
        "en": {
            "claims": [
                "Complaints should be accepted in Sindhi, Pashto, Punjabi, Balochi and Saraiki too.",
                "Every notice about an AI decision must be available in Urdu.",
                "People who cannot read should be able to complain by phone or voice note.",
                "Government chatbots must understand regional languages, not just English.",
                "The complaint form should work on basic phones with slow internet.",
                "Persons with disabilities need accessible formats such as audio and large print.",
            ],
            "reasons": [
                "Most Pakistanis do not read English.",
                "Rights mean nothing if people cannot use them in their own language.",
                "Rural women are shut out by English-only forms.",
            ],
        },
        "ur": {
            "claims": [
                "شکایات سندھی، پشتو، پنجابی، بلوچی اور سرائیکی میں بھی قبول کی جائیں۔",
                "مصنوعی ذہانت کے ہر فیصلے کی اطلاع اردو میں بھی دی جائے۔",
                "جو لوگ پڑھ نہیں سکتے وہ فون یا وائس نوٹ کے ذریعے شکایت کر سکیں۔",
                "سرکاری چیٹ بوٹ علاقائی زبانیں بھی سمجھیں۔",
                "معذور افراد کے لیے آڈیو اور بڑے حروف میں معلومات فراہم کی جائیں۔",
                "شکایت فارم سادہ موبائل فون اور سست انٹرنیٹ پر بھی چلے۔",
            ],
            "reasons": [
                "زیادہ تر پاکستانی انگریزی نہیں پڑھ سکتے۔",
                "اپنی زبان میں حق استعمال نہ کر سکیں تو حق بے معنی ہے۔",
            ],
        },
        "roman": ["Shikayat Sindhi aur Pashto mein bhi darj karne ki sahulat honi chahiye."],
    },
    "startup_burden": {
        "clauses": ["c-9", "c-19", "c-11"],
        "stances": [1, 4, 4, 1],
        "en": {
            "claims": [
                "Compliance costs for high-risk systems will shut down small startups.",
                "The regulatory sandbox should be open to small firms, not only large companies.",
                "Algorithmic impact assessments are too expensive for small businesses.",
                "Give startups a two-year transition period before the obligations apply.",
                "Local software houses cannot afford the audit fees in the draft.",
                "The sandbox application process should take weeks, not months.",
            ],
            "reasons": [
                "Foreign giants can pay lawyers; our startups cannot.",
                "Over-regulation will push developers to move abroad.",
                "Pakistan's IT exports depend on a growing startup sector.",
            ],
        },
        "ur": {
            "claims": [
                "زیادہ خطرے والے نظاموں کی تعمیل کے اخراجات چھوٹی کمپنیوں کو بند کر دیں گے۔",
                "ریگولیٹری سینڈ باکس چھوٹی کمپنیوں کے لیے بھی کھلا ہو۔",
                "الگورتھمی اثرات کا جائزہ چھوٹے کاروبار کے لیے بہت مہنگا ہے۔",
                "اسٹارٹ اپس کو ذمہ داریوں سے پہلے دو سال کی مہلت دی جائے۔",
                "مقامی سافٹ ویئر ہاؤس آڈٹ کی فیس ادا نہیں کر سکتے۔",
            ],
            "reasons": [
                "غیر ملکی کمپنیاں وکیل رکھ سکتی ہیں، ہمارے اسٹارٹ اپس نہیں۔",
                "زیادہ ضابطے ڈویلپرز کو ملک چھوڑنے پر مجبور کریں گے۔",
            ],
        },
        "roman": [
            "Startups ke liye compliance ka kharcha bohat zyada hai, sandbox sab ke liye khulna chahiye."
        ],
    },
    "penalties": {
        "clauses": ["c-23", "c-24"],
        "stances": [2, 3, 4, 1],
        "en": {
            "claims": [
                "The maximum fine is too low to deter large multinational companies.",
                "Penalties should be a percentage of annual turnover.",
                "Fines for small firms should be lower than for big platforms.",
                "There should be a right of appeal to a court before any fine is paid.",
                "Repeat offenders should lose their registration, not just pay a fine.",
                "Officials who misuse AI systems should also face penalties.",
            ],
            "reasons": [
                "A fixed fine is just a cost of doing business for big companies.",
                "Proportionate penalties are fairer.",
            ],
        },
        "ur": {
            "claims": [
                "زیادہ سے زیادہ جرمانہ بڑی غیر ملکی کمپنیوں کے لیے بہت کم ہے۔",
                "جرمانہ سالانہ آمدنی کے تناسب سے ہونا چاہیے۔",
                "چھوٹی کمپنیوں پر جرمانہ بڑی کمپنیوں سے کم ہو۔",
                "جرمانہ ادا کرنے سے پہلے عدالت میں اپیل کا حق ہو۔",
                "بار بار خلاف ورزی پر رجسٹریشن منسوخ کی جائے۔",
            ],
            "reasons": [
                "مقررہ جرمانہ بڑی کمپنیوں کے لیے معمولی خرچ ہے۔",
                "متناسب جرمانہ زیادہ منصفانہ ہے۔",
            ],
        },
        "roman": ["Jurmana company ki aamdani ke hisaab se hona chahiye."],
    },
    "human_oversight": {
        "clauses": ["c-12", "c-16"],
        "stances": [4, 1, 3, 2],
        "en": {
            "claims": [
                "A human must review every AI decision that denies someone a benefit or a loan.",
                "People should have the right to ask for a human instead of a chatbot.",
                "Automated decisions in hiring must be checked by a trained person.",
                "Hospitals should never let an algorithm alone decide on treatment.",
                "The human reviewer must have the power to overturn the system's decision.",
                "Welfare programmes like BISP must not cut payments on an algorithm's say.",
            ],
            "reasons": [
                "Machines make errors that only a person can catch.",
                "Someone must be accountable for each decision.",
            ],
        },
        "ur": {
            "claims": [
                "جو فیصلہ کسی کو قرض یا امداد سے محروم کرے اس کا جائزہ انسان لے۔",
                "ہر شہری کو چیٹ بوٹ کے بجائے انسان سے بات کرنے کا حق ہو۔",
                "ملازمت کے خودکار فیصلے تربیت یافتہ شخص جانچے۔",
                "ہسپتال میں علاج کا فیصلہ صرف الگورتھم نہ کرے۔",
                "بی آئی ایس پی جیسے پروگراموں میں امداد الگورتھم کے کہنے پر بند نہ کی جائے۔",
            ],
            "reasons": [
                "مشین ایسی غلطیاں کرتی ہے جو صرف انسان پکڑ سکتا ہے۔",
                "ہر فیصلے کا کوئی ذمہ دار ہونا چاہیے۔",
            ],
        },
        "roman": ["Har AI faisle ke peeche ek insaan hona chahiye jo usay badal sake."],
    },
    "scope_definitions": {
        "clauses": ["c-2", "c-3", "c-25"],
        "stances": [1, 2, 4, 4],
        "en": {
            "claims": [
                "The definition of artificial intelligence system is so wide it covers ordinary spreadsheets.",
                "Does the rule apply to foreign companies without an office in Pakistan?",
                "The exemption for the armed forces and intelligence agencies should be removed.",
                "Please define high-risk more precisely with examples.",
                "Open-source developers should be excluded from provider obligations.",
                "Research at universities needs a clear exemption.",
            ],
            "reasons": [
                "Vague definitions create legal uncertainty.",
                "Broad exemptions leave the most dangerous uses unregulated.",
            ],
        },
        "ur": {
            "claims": [
                "مصنوعی ذہانت کے نظام کی تعریف اتنی وسیع ہے کہ عام سافٹ ویئر بھی اس میں آ جاتا ہے۔",
                "کیا یہ قواعد ان غیر ملکی کمپنیوں پر بھی لاگو ہوں گے جن کا پاکستان میں دفتر نہیں؟",
                "مسلح افواج اور خفیہ اداروں کی استثنیٰ ختم کی جائے۔",
                "زیادہ خطرے کی تعریف مثالوں کے ساتھ واضح کی جائے۔",
                "جامعات میں تحقیق کو واضح استثنیٰ دیا جائے۔",
            ],
            "reasons": [
                "مبہم تعریفیں قانونی غیر یقینی پیدا کرتی ہیں۔",
            ],
        },
        "roman": ["AI system ki definition bohat wasee hai, isay wazeh kiya jaye."],
    },
}

OPENERS = {
    "en": ["", "", "I am writing as a citizen.", "Thank you for this consultation.",
           "We have read the draft carefully.", "My concern is simple.", "In my view,"],
    "ur": ["", "", "میں ایک شہری کی حیثیت سے لکھ رہا ہوں۔", "اس مشاورت کا شکریہ۔",
           "ہم نے مسودہ غور سے پڑھا ہے۔", "میری رائے میں"],
}  # fmt: skip
ASKS = {
    "en": ["", "", "Please amend the clause accordingly.", "I hope the ministry listens.",
           "This should be fixed before the rules are final."],
    "ur": ["", "", "براہ کرم اس شق میں ترمیم کی جائے۔", "امید ہے وزارت اس پر غور کرے گی۔"],
}  # fmt: skip

# Campaign base texts: (theme, language, text). Members are paraphrased copies.
CAMPAIGNS = [
    ("facial_recognition", "en",
     "Ban facial recognition in public places now. Our faces are not police property. "
     "Live biometric surveillance has no place in a free country and the draft must prohibit it "
     "without exceptions."),
    ("deepfake_labelling", "en",
     "Protect our elections from deepfakes. Every synthetic video, image and voice clip of a "
     "candidate must carry a clear label and be removed within one hour when it is unlabelled."),
    ("startup_burden", "en",
     "As a member of the software industry association I ask the ministry to reduce compliance "
     "costs for small companies, open the sandbox to every startup and delay the high-risk "
     "obligations by two years."),
    ("language_access", "ur",
     "ہمارا مطالبہ ہے کہ مصنوعی ذہانت کے بارے میں ہر شکایت ہماری مادری زبان میں قبول کی جائے۔ "
     "سندھی، پشتو، بلوچی اور سرائیکی بولنے والوں کو بھی یکساں حق دیا جائے۔"),
    ("authority_independence", "ur",
     "ہم مطالبہ کرتے ہیں کہ قومی مصنوعی ذہانت اتھارٹی حکومت سے آزاد ہو، اس کے بورڈ میں سول "
     "سوسائٹی اور تمام صوبوں کے نمائندے شامل ہوں اور چیئرپرسن کا انتخاب شفاف طریقے سے کیا جائے۔"),
    ("data_protection", "en",
     "No AI training on our personal data without consent. Pass the data protection law first, "
     "then regulate artificial intelligence. Our identity records must stay private."),
]  # fmt: skip

SYNONYMS = {
    "ban": ["prohibit", "outlaw", "stop"], "now": ["immediately", "today", "at once"],
    "public": ["open", "shared", "common"], "places": ["spaces", "areas", "locations"],
    "free": ["democratic", "open"], "must": ["should", "has to", "needs to"],
    "protect": ["safeguard", "defend", "shield"], "clear": ["visible", "prominent", "plain"],
    "removed": ["taken down", "deleted"], "reduce": ["lower", "cut", "decrease"],
    "small": ["smaller", "little", "young"], "companies": ["firms", "businesses"],
    "delay": ["postpone", "defer"], "ask": ["request", "urge", "call on"],
    "candidate": ["politician", "contestant"], "elections": ["polls", "votes"],
    "consent": ["permission", "agreement"], "private": ["confidential", "protected"],
    "first": ["before anything else", "beforehand"],
    "مطالبہ": ["تقاضا", "درخواست"], "قبول": ["منظور", "تسلیم"], "آزاد": ["خودمختار", "غیر جانبدار"],
    "شفاف": ["کھلے", "واضح"], "یکساں": ["برابر", "مساوی"], "نمائندے": ["ارکان", "نمائندگان"],
    "شامل": ["موجود", "شریک"], "حق": ["اختیار", "موقع"],
}  # fmt: skip
PREFIXES = {
    "en": ["", "", "I support this campaign.", "Please listen:", "Signed by a worried citizen."],
    "ur": ["", "", "میں اس مہم کی حمایت کرتا ہوں۔", "براہ کرم سنیں:"],
}  # fmt: skip


ROLES = {
    "en": ["a teacher", "a student", "a software developer", "a lawyer", "a doctor",
           "a shopkeeper", "a journalist", "a retired civil servant", "a farmer", "a nurse",
           "a researcher", "a mother of three", "an engineer", "a banker"],
    "ur": ["استاد", "طالب علم", "سافٹ ویئر ڈویلپر", "وکیل", "ڈاکٹر", "دکاندار", "صحافی",
           "ریٹائرڈ سرکاری ملازم", "کسان", "نرس", "محقق", "انجینئر"],
}  # fmt: skip
CITIES = {
    "en": ["Lahore", "Karachi", "Quetta", "Peshawar", "Multan", "Hyderabad", "Sukkur",
           "Gilgit", "Faisalabad", "Islamabad", "Swat", "Gwadar", "Sialkot", "Larkana"],
    "ur": ["لاہور", "کراچی", "کوئٹہ", "پشاور", "ملتان", "حیدرآباد", "سکھر", "گلگت",
           "فیصل آباد", "اسلام آباد", "سوات", "گوادر"],
}  # fmt: skip


def _introduction(rng: random.Random, language: str) -> str:
    role, city = rng.choice(ROLES[language]), rng.choice(CITIES[language])
    if language == "en":
        return rng.choice(
            [
                f"I am {role} from {city}.",
                f"I work as {role} in {city}.",
                f"Writing from {city} as {role}.",
                "",
            ]
        )
    return rng.choice([f"میں {city} سے ایک {role} ہوں۔", f"میں {city} میں بطور {role} کام کرتا ہوں۔",
                       f"{city} سے ایک {role} کی رائے۔", ""])  # fmt: skip


def _individual(rng: random.Random, theme: str, language: str) -> str:
    bank = THEMES[theme]
    if language == "roman":
        return rng.choice(bank["roman"]) + " " + rng.choice(["", "Shukriya.", "Meherbani."])
    phrases = bank[language]
    claims = rng.sample(phrases["claims"], k=rng.choice([1, 2, 2, 3]))
    parts = [rng.choice(OPENERS[language]), _introduction(rng, language), *claims]
    if rng.random() < 0.7:
        parts.append(rng.choice(phrases["reasons"]))
    parts.append(rng.choice(ASKS[language]))
    return " ".join(p for p in parts if p)


def paraphrase(rng: random.Random, text: str, language: str, swap_p: float = 0.35) -> str:
    """Synonym swaps, an optional prefix, sometimes two sentences reordered."""
    words = []
    for word in text.split(" "):
        core = word.strip(".,:;۔،")
        tail = word[len(core) :] if word.startswith(core) else ""
        key = core.lower()
        if key in SYNONYMS and rng.random() < swap_p:
            words.append(rng.choice(SYNONYMS[key]) + tail)
        else:
            words.append(word)
    result = " ".join(words)
    sentences = [s for s in result.replace("۔ ", "۔\n").replace(". ", ".\n").split("\n") if s]
    if len(sentences) > 2 and rng.random() < 0.3:
        sentences[-1], sentences[-2] = sentences[-2], sentences[-1]
    prefix = rng.choice(PREFIXES[language])
    return " ".join(([prefix] if prefix else []) + sentences)


def _stance(rng: random.Random, theme: str) -> str:
    weights = THEMES[theme]["stances"]
    return rng.choices(["support", "oppose", "amend", "question"], weights=weights)[0]


def generate(
    n_individual: int = 420,
    campaign_sizes: tuple[int, ...] = (30, 22, 16, 14, 10, 8),
    seed: int = 2026,
    start: datetime | None = None,
) -> list[dict]:
    """Labelled records: ``theme`` and ``campaign`` ('' for individual) are the truth."""
    rng = random.Random(seed)
    start = start or datetime(2026, 10, 1, 9, 0)
    themes = sorted(THEMES)
    records: list[dict] = []
    for n in range(n_individual):
        theme = themes[n % len(themes)]
        roll = rng.random()
        language = "roman" if roll < 0.05 else ("ur" if roll < 0.45 else "en")
        records.append(
            {
                "text": _individual(rng, theme, language),
                "theme": theme,
                "campaign": "",
                "language": "ur" if language != "en" else "en",
                "clause": rng.choice(THEMES[theme]["clauses"]),
                "stance": _stance(rng, theme),
                "stakeholder": rng.choices(STAKEHOLDERS, weights=STAKEHOLDER_WEIGHTS)[0],
                "created": start + timedelta(minutes=rng.randrange(60 * 24 * 40)),
                "anonymous": rng.random() < 0.4,
            }
        )
    for c, size in enumerate(campaign_sizes):
        theme, language, base = CAMPAIGNS[c % len(CAMPAIGNS)]
        launched = start + timedelta(days=rng.randrange(30))
        stance = "oppose" if theme in ("facial_recognition", "startup_burden") else "amend"
        for _ in range(size):
            records.append(
                {
                    "text": paraphrase(rng, base, language),
                    "theme": theme,
                    "campaign": f"campaign-{c + 1}",
                    "language": language,
                    "clause": THEMES[theme]["clauses"][0],
                    "stance": stance,
                    "stakeholder": "individual",
                    "created": launched + timedelta(minutes=rng.randrange(60 * 24 * 3)),
                    "anonymous": rng.random() < 0.8,
                }
            )
    rng.shuffle(records)
    for n, record in enumerate(records, start=1):
        record["id"] = f"e{n:04d}"
        record["created"] = record["created"].isoformat(timespec="minutes")
    return [{"id": r["id"], **{k: v for k, v in r.items() if k != "id"}} for r in records]


def generate_scale(n: int, seed: int = 7, campaign_share: float = 0.3) -> list[dict]:
    """``n`` unlabelled-style records for the scale benchmark (about 30 % in campaigns)."""
    rng = random.Random(seed)
    themes = sorted(THEMES)
    n_campaigns = max(1, n // 5000)
    bases = []
    for c in range(n_campaigns):
        theme, language, base = CAMPAIGNS[c % len(CAMPAIGNS)]
        # Make each campaign's base distinct: a theme claim is appended.
        extra = rng.choice(THEMES[theme][language]["claims"])
        bases.append((theme, language, f"{base} {extra} #{c}"))
    start = datetime(2026, 10, 1, 9, 0)
    # Individual texts in real consultations are unique: each gets a few words of its own,
    # so the benchmark clusters ~70 % of N distinct texts rather than a few hundred.
    pool = {lang: sorted({w.strip(".,:;?۔،") for t in THEMES.values()
                          for c in t[lang]["claims"] + t[lang]["reasons"] for w in c.split()})
            for lang in ("en", "ur")}  # fmt: skip
    out = []
    for i in range(n):
        if rng.random() < campaign_share:
            theme, language, base = bases[rng.randrange(n_campaigns)]
            text = base if rng.random() < 0.5 else paraphrase(rng, base, language)
        else:
            theme = themes[rng.randrange(len(themes))]
            roll = rng.random()
            language = "roman" if roll < 0.05 else ("ur" if roll < 0.45 else "en")
            text = _individual(rng, theme, language)
            language = "ur" if language != "en" else "en"
            own = " ".join(rng.choice(pool[language]) for _ in range(8))
            text = f"{text} {own} {rng.randrange(10**6)}"
        out.append(
            {
                "id": i,
                "text": text,
                "clause": THEMES[theme]["clauses"][rng.randrange(len(THEMES[theme]["clauses"]))],
                "stance": _stance(rng, theme),
                "stakeholder": rng.choices(STAKEHOLDERS, weights=STAKEHOLDER_WEIGHTS)[0],
                "language": language,
                "created": (start + timedelta(minutes=rng.randrange(86400))).isoformat(
                    timespec="minutes"
                ),
                "anonymous": rng.random() < 0.4,
            }
        )
    return out
