"""Campaign grouping holds up on copies that vary as real copies do (step 2).

One test per way copies of a form letter drift apart (zero-width characters, Arabic letter
forms, cuts, Roman-Urdu respellings, rewording), and one for independent comments that share
nothing but a quotation of the draft. The letters and the ways of varying them are those of
the campaign evaluation set (bench/campaign_eval.py).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

from analysis.campaigns import CampaignParams, group_submissions
from analysis.normalise import normalise
from analysis.pipeline import run_pipeline
from analysis.records import Corpus
from bench import campaign_eval as ev
from bench.synthetic import _individual

OTHERS = [
    "The registry of high-risk systems should be searchable online by anyone.",
    "Compliance costs will shut down small startups in Lahore and Karachi.",
    "Labels on deepfakes should be in Urdu as well as English before elections.",
    "اتھارٹی کو وزارت سے مکمل طور پر آزاد ہونا چاہیے۔ عوام کا اعتماد اس بات پر منحصر ہے۔",
    "Jurmana company ki aamdani ke hisaab se hona chahiye, warna companiyan parwah nahin karengi.",
]


def units_of(texts: list[str], draft: list[str] | None = None) -> list[int]:
    normalised = [normalise(t) for t in texts]
    if draft is None:
        grouping = group_submissions(normalised, CampaignParams())
    else:
        grouping = group_submissions(normalised, CampaignParams(), draft=draft)
    return grouping.unit_of.tolist()


def assert_one_campaign(copies: list[str]) -> None:
    """The copies form one group, and the unrelated comments stay apart from it."""
    units = units_of(copies + OTHERS)
    campaign = units[: len(copies)]
    assert len(set(campaign)) == 1, Counter(campaign)
    assert not set(units[len(copies) :]) & set(campaign)


def test_zero_width_characters_do_not_split_urdu_copies():
    rng = random.Random(1)
    copies = [ev.UR_LETTER] * 3 + [ev._zero_width(rng, ev.UR_LETTER) for _ in range(4)]
    assert len({normalise(c) for c in copies}) > 1  # the copies do differ
    assert_one_campaign(copies)


def test_arabic_letter_forms_and_presentation_forms_do_not_split_urdu_copies():
    rng = random.Random(2)
    copies = [ev.UR_LETTER] * 3 + [ev._arabic_forms(rng, ev.UR_LETTER) for _ in range(4)]
    assert any("\ufe8f" <= ch <= "\ufefc" for c in copies for ch in c)
    assert any("ه" in c for c in copies)
    assert_one_campaign(copies)


def test_truncated_copies_join_by_containment():
    words = ev.EN_LETTER.split(" ")
    cut = [" ".join(words[: int(len(words) * share)]) for share in (0.35, 0.5, 0.65)]
    ur_words = ev.UR_LETTER.split(" ")
    assert_one_campaign([ev.EN_LETTER] * 3 + cut)
    assert_one_campaign([ev.UR_LETTER] * 3 + [" ".join(ur_words[: len(ur_words) * 2 // 5])])


def test_short_comments_are_not_absorbed_by_a_long_letter():
    # Containment needs a passage of some length: a few common words inside a letter are not one.
    units = units_of(
        [ev.EN_LETTER] * 3 + ["Ban live facial recognition cameras.", "A judge must approve."]
    )
    assert len(set(units)) == 3


def test_independent_comments_quoting_the_same_sub_rule_are_not_a_campaign():
    rng = random.Random(3)
    quoting = [
        rng.choice(ev.QUOTE_FRAMES_EN).format(q=ev.SUB_RULE_EN, r=reason)
        for _, reason in ev.QUOTE_REASONS_EN
    ] + [
        rng.choice(ev.QUOTE_FRAMES_UR).format(q=ev.SUB_RULE_UR, r=reason)
        for _, reason in ev.QUOTE_REASONS_UR
    ]
    stances = {stance for stance, _ in ev.QUOTE_REASONS_EN}
    assert stances == {"support", "oppose"}  # opposite positions, one quotation
    letter = ev.EN_QUOTING.format(quote=ev.SUB_RULE_EN)
    copies = [letter, letter, "Dear Sir or Madam, " + letter, letter + " Thank you."]
    units = units_of(quoting + copies, draft=ev.draft_texts())
    sizes = Counter(units)
    assert all(sizes[u] == 1 for u in units[: len(quoting)]), Counter(units[: len(quoting)])
    # A form letter that quotes the draft is still found by its own words.
    assert len(set(units[len(quoting) :])) == 1


def test_roman_urdu_respellings_join():
    rng = random.Random(4)
    copies = [ev._respell(rng, ev.ROMAN_RESPELLED) for _ in range(8)]
    assert len(set(copies)) == 8
    assert_one_campaign(copies)


def test_reworded_letters_join_but_independents_on_the_topic_do_not():
    rng = random.Random(5)
    letters = []
    for _ in range(10):
        points = [rng.choice(variants) for variants in ev.REWORDED]
        letters.append(" ".join(points))
    independents = [_individual(rng, "human_oversight", "en") for _ in range(6)]
    units = units_of(letters + independents + OTHERS)
    campaign, count = Counter(units[: len(letters)]).most_common(1)[0]
    assert count >= 8
    assert campaign not in units[len(letters) :]


def test_pipeline_takes_the_draft_and_the_campaign_set_meets_its_targets():
    data = Path(__file__).resolve().parents[2] / "bench" / "data"
    records = [json.loads(line) for line in (data / "eval_campaigns.jsonl").open(encoding="utf-8")]
    assert records == ev.generate()  # the committed file is what the generator writes
    result = run_pipeline(Corpus.from_records(records), draft=ev.draft_texts())
    grouped = {m for c in result["campaigns"] for m in c["members"]}
    independents = [r["id"] for r in records if not r["campaign"]]
    assert len(grouped & set(independents)) <= 3
    for name in {r["campaign"] for r in records if r["campaign"]}:
        members = [r["id"] for r in records if r["campaign"] == name]
        largest = Counter(
            next((n for n, c in enumerate(result["campaigns"]) if m in c["members"]), -1)
            for m in members
        ).most_common(1)[0]
        assert largest[0] != -1 and largest[1] >= 0.85 * len(members), name
