"""The pure pipeline (no database) on small hand-made data with known answers."""

from __future__ import annotations

import json
import re
import unicodedata

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from sklearn.metrics import adjusted_rand_score

from analysis.campaigns import CampaignParams, group_submissions
from analysis.clauses import ClauseParams, clause_figures
from analysis.normalise import TOKEN_PATTERN, normalise
from analysis.pipeline import PipelineParams, run_pipeline
from analysis.records import Corpus, RecordError, read_jsonl
from analysis.themes import ThemeParams, _embed, clause_vocabulary, cluster_units, fit_themes
from analysis.vectorise import WordCharTfidf


# --- step 1 ------------------------------------------------------------------------------
def test_arabic_letter_forms_fold_to_urdu():
    arabic = "كيا یہ قانون ضروري ہے؟ مشاوره"  # Arabic kaf, yeh, heh
    assert normalise(arabic) == "کیا یہ قانون ضروری ہے؟ مشاورہ"
    assert normalise("ى") == "ی"


def test_nfc_and_optional_diacritics():
    decomposed = unicodedata.normalize("NFD", "Café")
    assert normalise(decomposed, strip_diacritics=False) == "café"
    vocalised = "مُصَنوعی"
    assert normalise(vocalised, strip_diacritics=False) == vocalised
    assert normalise(vocalised) == "مصنوعی"


def test_roman_urdu_is_left_as_written_apart_from_case():
    assert normalise("AI ka  qanoon ZAROORI hai") == "ai ka qanoon zaroori hai"


def test_tokenizer_keeps_urdu_words_with_diacritics_whole():
    text = normalise("مُصنوعی ذِہانت کا قانون", strip_diacritics=False)
    assert re.findall(TOKEN_PATTERN, text) == ["مُصنوعی", "ذِہانت", "کا", "قانون"]
    # sklearn's default pattern breaks the same words at the marks: the reason for ours.
    assert re.findall(r"(?u)\b\w\w+\b", text)[:2] == ["صنوعی", "ہانت"]


# --- step 2 ------------------------------------------------------------------------------
CAMPAIGN = (
    "Ban facial recognition in public places now. Our faces are not police property. Live "
    "biometric surveillance has no place in a free country and the draft must prohibit it."
)
PARAPHRASES = [
    CAMPAIGN,
    CAMPAIGN,  # exact duplicate
    CAMPAIGN.replace("Ban", "Prohibit").replace("places", "spaces"),
    "I support this campaign. " + CAMPAIGN.replace("now", "immediately"),
    CAMPAIGN.replace("free", "democratic").replace("must", "should"),
]
OTHERS = [
    "The registry of high-risk systems should be searchable online by anyone.",
    "Compliance costs will shut down small startups in Lahore and Karachi.",
    "Labels on deepfakes should be in Urdu as well as English before elections.",
]


def test_exact_and_near_duplicates_group_as_one_campaign():
    texts = [normalise(t) for t in PARAPHRASES + OTHERS]
    grouping = group_submissions(texts, CampaignParams())
    assert grouping.exact_duplicates == 1
    assert len(set(grouping.unit_of[:5].tolist())) == 1
    assert len(set(grouping.unit_of.tolist())) == 4  # the campaign + three individuals
    assert grouping.unit_size[grouping.unit_of[0]] == 5
    assert grouping.unit_first[grouping.unit_of[0]] == 0  # the most common exact text


def test_campaign_description_counts_every_supporter():
    records = [
        {"id": f"c{i}", "text": t, "created": f"2026-10-0{i + 1}T10:00", "anonymous": i < 3}
        for i, t in enumerate(PARAPHRASES)
    ] + [{"id": f"o{i}", "text": t} for i, t in enumerate(OTHERS)]
    result = run_pipeline(Corpus.from_records(records), _small_params())
    (campaign,) = result["campaigns"]
    assert campaign["size"] == 5
    assert sorted(campaign["members"]) == ["c0", "c1", "c2", "c3", "c4"]
    assert campaign["representative"] == "c0"
    assert (campaign["first"], campaign["last"]) == ("2026-10-01T10:00", "2026-10-05T10:00")
    assert campaign["share_anonymous"] == 0.6
    # Never dropped: every supporter is in a theme.
    assert sum(t["size"] for t in result["themes"]) == len(records)


# --- step 3 ------------------------------------------------------------------------------
# Urdu comments often switch to English for technical terms (code-mixing), as here.
TOPICS = {
    "privacy": [
        "personal data privacy consent protection",
        "privacy of personal data needs consent",
        "data protection law and consent for personal records",
        "ذاتی ڈیٹا کی privacy اور رضامندی",
        "personal data کا تحفظ اور رضامندی ضروری",
        "consent before personal data is used, privacy first",
    ],
    "faces": [
        "facial recognition cameras in public must be banned",
        "ban facial recognition cameras by police",
        "police facial recognition cameras are surveillance",
        "facial recognition کیمرے پولیس نگرانی پابندی",
        "چہرہ شناسی cameras پر پابندی لگائیں",
        "no facial recognition cameras in markets",
    ],
    "language": [
        "complaints in sindhi pashto balochi languages",
        "regional languages sindhi and pashto for complaints",
        "allow complaints in regional languages like balochi",
        "شکایات sindhi pashto بلوچی زبانوں میں",
        "regional languages سندھی پشتو میں شکایات",
        "complaint forms in pashto and sindhi languages",
    ],
}


def _small_params(**themes) -> PipelineParams:
    return PipelineParams(themes=ThemeParams(k_min=2, k_max=5, **themes))


def test_themes_recover_hand_made_topics_and_leave_no_outlier():
    texts, truth, clauses = [], [], []
    for n, (topic, items) in enumerate(TOPICS.items()):
        texts += [normalise(t) for t in items]
        truth += [topic] * len(items)
        clauses += [f"c-{n}"] * len(items)
    model = cluster_units(texts, np.ones(len(texts)), ThemeParams(k_min=2, k_max=5), clauses)
    assert model.k == 3
    assert adjusted_rand_score(truth, model.labels) == 1.0
    assert len(model.labels) == len(texts)  # every text has a theme


def test_theme_labels_and_quotes_from_different_stakeholders():
    records = []
    for n, (topic, items) in enumerate(TOPICS.items()):
        for i, text in enumerate(items):
            records.append(
                {
                    "id": f"{topic}-{i}",
                    "text": text,
                    "clause": f"c-{n}",
                    "stakeholder": ["individual", "business", "academia"][i % 3],
                }
            )
    result = run_pipeline(Corpus.from_records(records), _small_params())
    labels = {t["label"] for t in result["themes"]}
    assert any(
        "facial" in label or "recognition" in label or "cameras" in label for label in labels
    )
    for theme in result["themes"]:
        stakeholders = [q["stakeholder"] for q in theme["quotes"]]
        assert len(set(stakeholders)) == len(stakeholders) == 3


def test_a_campaign_counts_once_for_clustering_but_all_its_members_are_in_the_theme():
    records = [{"id": f"camp{i}", "text": CAMPAIGN, "clause": "c-1"} for i in range(50)]
    for n, (topic, items) in enumerate(TOPICS.items()):
        records += [
            {"id": f"{topic}-{i}", "text": t, "clause": f"c-{n + 2}"} for i, t in enumerate(items)
        ]
    result = run_pipeline(Corpus.from_records(records), _small_params())
    theme_of = {m: t["number"] for t in result["themes"] for m in t["members"]}
    assert len({theme_of[f"camp{i}"] for i in range(50)}) == 1
    assert result["method"]["counts"]["units"] == 1 + 18


# --- step 4 ------------------------------------------------------------------------------
def test_clause_counts_consensus_and_divisive():
    rows = []
    # c-1: every group supports -> consensus. c-2: business opposes, civil society supports.
    for group in ("individual", "business", "civil_society"):
        rows += [("c-1", "support", group)] * 8 + [("c-1", "oppose", group)]
    rows += [("c-2", "support", "civil_society")] * 9 + [("c-2", "oppose", "civil_society")]
    rows += [("c-2", "oppose", "business")] * 9 + [("c-2", "support", "business")]
    rows += [("c-3", "question", "individual")] * 2
    clauses, stances, groups = map(list, zip(*rows, strict=True))
    figures = {f["clause"]: f for f in clause_figures(clauses, stances, groups, ClauseParams())}
    c1, c2, c3 = figures["c-1"], figures["c-2"], figures["c-3"]
    assert c1["by_stance"] == {"support": 24, "oppose": 3}
    assert c1["by_stakeholder"]["business"] == {"support": 8, "oppose": 1}
    assert c1["support_share_by_group"]["business"] == pytest.approx(9 / 11, abs=1e-4)
    assert c1["consensus_for"] == pytest.approx(9 / 11, abs=1e-4)
    assert c1["verdict"] == "consensus_support"
    assert c2["divisiveness"] == pytest.approx(10 / 12 - 2 / 12, abs=1e-4)
    assert c2["verdict"] == "divisive"
    assert c3["verdict"] == "too_few_groups"


# --- the whole pipeline -------------------------------------------------------------------
def _eval_records():
    from bench.generate_eval import EVAL_FILE

    return [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines()]


def test_runs_are_deterministic():
    records = _eval_records()[:200]
    first = run_pipeline(Corpus.from_records(records))
    second = run_pipeline(Corpus.from_records(records))
    for result in (first, second):
        result["method"].pop("timings")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_eval_set_is_what_the_generator_writes():
    from bench.synthetic import generate

    assert generate() == _eval_records()


def test_analyse_file_command(tmp_path):
    source = tmp_path / "in.jsonl"
    records = [{"id": r["id"], "text": r["text"], "clause": r["clause"], "stance": r["stance"],
                "stakeholder": r["stakeholder"], "language": r["language"],
                "created": r["created"]} for r in _eval_records()[:120]]  # fmt: skip
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    out = tmp_path / "out.json"
    call_command("analyse_file", str(source), "--out", str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"themes", "campaigns", "clauses"} <= result.keys()
    members = [m for t in result["themes"] for m in t["members"]]
    assert sorted(members) == sorted(r["id"] for r in records)
    assert all(t["label"] and t["terms"] for t in result["themes"])
    assert all(c["members"] and c["representative"] for c in result["campaigns"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('{"text": "no id"}', "line 2: missing required field 'id'"),
        ('{"id": 2, "text": "   "}', "line 2: 'text' is empty"),
        ('{"id": 2, "text": "x", "stance": 3}', "line 2: 'stance' must be a string"),
        ('{"id": 1, "text": "again"}', "line 2: duplicate id 1"),
    ],
)
def test_bad_lines_are_reported_with_their_number(tmp_path, line, message):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("analyse_file", str(source), "--out", str(tmp_path / "o.json"))
    with pytest.raises(RecordError):
        read_jsonl(source.read_text().splitlines())


def test_fast_char_ngrams_equal_sklearns_char_wb():
    """Word counts x n-grams per word gives exactly sklearn's char_wb counts."""
    from sklearn.feature_extraction.text import CountVectorizer

    texts = ["ذاتی ڈیٹا کا تحفظ", "facial recognition cameras", "ڈیٹا cameras ڈیٹا"]
    vectoriser = WordCharTfidf(char_ngrams=(3, 4), min_df=1, max_df=1.0)
    counts, words = vectoriser._count_words(texts)
    grams = CountVectorizer(analyzer="char_wb", ngram_range=(3, 4), lowercase=False)
    ours = (counts @ grams.fit_transform(list(words))).toarray()
    reference = CountVectorizer(analyzer="char_wb", ngram_range=(3, 4), lowercase=False)
    expected = reference.fit_transform(texts).toarray()
    order = [
        list(reference.get_feature_names_out()).index(g) for g in grams.get_feature_names_out()
    ]
    assert (ours == expected[:, order]).all()


# --- real text ---------------------------------------------------------------------------
def _real_records() -> list[dict]:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "data" / "real_blueprint.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_real_set_is_what_its_builder_cuts_from_the_committed_pages():
    from bench.build_real_eval import PAGES_FILE, build

    assert build(json.loads(PAGES_FILE.read_text("utf-8"))) == _real_records()


def test_themes_on_real_text_follow_its_sections():
    """153 paragraphs of a public-domain government text, labelled by the section they sit
    in (bench/data/SOURCES.md): with the number of themes chosen automatically and every
    paragraph in a theme, the themes found must agree with the sections (NMI 0.35 before the
    SVD was scaled to the number of texts, the character n-grams halved and the filler words
    left out of the features; 0.44 after). A floor, not the figure: the benchmark reports it."""
    from sklearn.metrics import normalized_mutual_info_score

    records = _real_records()
    result = run_pipeline(Corpus.from_records(records))
    predicted = {m: t["number"] for t in result["themes"] for m in t["members"]}
    assert len(predicted) == len(records)  # nothing unassigned
    nmi = normalized_mutual_info_score(
        [r["theme"] for r in records], [predicted[r["id"]] for r in records]
    )
    assert nmi >= 0.40


def test_units_are_embedded_as_the_sample_was_fitted():
    """All units are embedded in chunks with the clause block added through the SVD's
    components; the sample's own embedding (features stacked, then ``svd.transform``) is the
    reference, texts without a clause and chunks of any size included."""
    texts, clauses = [], []
    for n, items in enumerate(TOPICS.values()):
        texts += [normalise(t) for t in items]
        clauses += [f"c-{n}" if i % 3 else "" for i in range(len(items))]
    vocabulary = clause_vocabulary(clauses)
    params = ThemeParams(k_min=2, k_max=4, clause_weight=0.7)
    fitted = fit_themes(texts, clauses, np.ones(len(texts)), vocabulary, params)
    for chunk in (7, 1000):
        embedded = _embed(
            fitted.vectoriser, fitted.svd, texts, clauses, vocabulary, 0.7, chunk=chunk
        )
        assert embedded.shape == fitted.reduced.shape
        assert np.allclose(embedded, fitted.reduced, atol=1e-6)
    without = _embed(fitted.vectoriser, fitted.svd, texts, [""] * len(texts), vocabulary, 0.7)
    assert not np.allclose(without, fitted.reduced, atol=1e-3)  # the clause block counts


def test_units_are_embedded_when_every_word_is_a_stop_word():
    """No word left in the word block (it keeps one empty column): n-grams alone."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    texts = [normalise(t) for items in TOPICS.values() for t in items]
    every_word = frozenset(w for t in texts for w in re.findall(TOKEN_PATTERN, t))
    vectoriser = WordCharTfidf(min_df=1, stop_words=every_word)
    matrix = vectoriser.fit_transform(texts)
    assert vectoriser.word_index == {} and matrix[:, 0].nnz == 0
    svd = TruncatedSVD(n_components=4, random_state=0).fit(matrix)
    embedded = _embed(vectoriser, svd, texts, [""] * len(texts), {}, 0.0)
    assert np.allclose(embedded, normalize(svd.transform(matrix)), atol=1e-6)


def test_svd_keeps_at_most_one_component_per_eight_units():
    texts = [normalise(t) for items in TOPICS.values() for t in items] * 4
    fitted = fit_themes(texts, [""] * len(texts), np.ones(len(texts)), {}, ThemeParams())
    assert fitted.svd.n_components == len(texts) // 8
