"""Bilingual drafts (issue 15): a clause carries its text in Urdu as well as English; the
Urdu page reads it right to left, the English original is marked where there is no Urdu;
comments anchor to the words of the language they were read in and follow those words into
new versions; the importer reads a bilingual draft and never drops Urdu silently."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.importer import DraftImportError, split_bilingual
from cms.models import Clause, ConsultationPage, HomePage
from consult.models import Submission
from consult.services import SubmissionInput, run_reanchoring, submit

UR_1 = "(۱) یہ قواعد آزمائشی قواعد ۲۰۲۶ کہلائیں گے۔"
UR_2 = "(۱) تعینات کنندہ شکایت کا فیصلہ تیس دن کے اندر کرے گا۔"
EN_1 = "(1) These Rules may be called the Test Rules, 2026."
EN_2 = "(1) A deployer shall decide a complaint within thirty days."
CLAUSES = [
    ("1", "Short title", "مختصر عنوان", EN_1, UR_1),
    ("2", "Complaints", "شکایات", EN_2, UR_2),
    ("3", "Labels", "لیبل", "(1) Synthetic media shall carry a clear label.", ""),
]


def make_page(slug="bilingual-rules"):
    home = HomePage.objects.first()
    now = timezone.now()
    page = ConsultationPage(
        title="Bilingual Rules",
        slug=slug,
        ministry="Ministry of Tests",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        phase=ConsultationPage.Phase.OPEN,
    )
    page.clauses = [
        Clause(identifier=i, heading=h, heading_ur=hu, text=t, text_ur=tu, sort_order=n)
        for n, (i, h, hu, t, tu) in enumerate(CLAUSES)
    ]
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def page(db):
    return make_page()


def clause(page, identifier):
    return page.current_version().clauses.get(identifier=identifier)


def revise(page, **changes):
    """changes: identifier -> {field: value} on the working draft, then publish."""
    draft = page.get_latest_revision_as_object()
    clauses = list(draft.clauses.all())
    for c in clauses:
        for name, value in changes.get(c.identifier, {}).items():
            setattr(c, name, value)
    draft.clauses = clauses
    draft.save_revision().publish()
    for version in page.versions.filter(anchoring="pending"):
        run_reanchoring(version.pk)
    page.refresh_from_db()
    return page.current_version()


def post_comment(client, page, identifier, exact, language, prefix=""):
    target = clause(page, identifier)
    text = target.text_ur if language == "ur" else target.text
    start = text.index(exact)
    return client.post(
        f"{prefix}/consultations/{page.pk}/comment/",
        {
            "clause_id": target.pk,
            "stance": "oppose",
            "text": "Too long.",
            "stakeholder": "individual",
            "language": "en",
            "display_mode": "pseudonymous",
            "anchor_exact": exact,
            "anchor_start": start,
            "anchor_end": start + len(exact),
            "anchor_language": language,
        },
    )


def clause_html(body: str, key: str) -> str:
    start = body.index(f'id="clause-{key}"')
    end = body.find('<li class="clause"', start + 1)
    return body[start : end if end > 0 else len(body)]


# --- the admin and publishing ---------------------------------------------------------------


def test_the_admin_edits_a_clauses_urdu_text_right_to_left(client, page, django_user_model):
    boss = django_user_model.objects.create_superuser("ed", "e@example.org", "pw-long-enough-1")
    client.force_login(boss)
    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    field = re.search(r"<textarea[^>]*name=\"clauses-0-text_ur\"[^>]*>", edit)
    assert field, "no Urdu text field for a clause in the page editor"
    assert 'dir="rtl"' in field.group(0) and 'lang="ur"' in field.group(0)
    assert UR_1 in edit


def test_publishing_snapshots_the_urdu_text_and_a_change_to_it_is_a_new_version(page):
    assert clause(page, "1").text_ur == UR_1
    assert clause(page, "3").text_ur == ""
    version = revise(page, **{"3": {"text_ur": "(۱) مصنوعی میڈیا پر واضح لیبل ہوگا۔"}})
    assert version.number == 2
    assert clause(page, "3").text_ur.startswith("(۱) مصنوعی")


def test_urdu_text_left_behind_by_a_revised_english_clause_is_flagged_until_revised(
    client, page, django_user_model
):
    """The ministry revises a clause's English and not its Urdu: the Urdu page must not
    present the old translation as the law now reads. Flagged for readers (both pages),
    for API users and for editors, until an editor revises the Urdu text."""
    revised = "(1) A deployer shall decide a complaint within fourteen days."
    version = revise(page, **{"2": {"text": revised}})
    assert version.number == 2
    assert clause(page, "2").text_ur_behind is True
    assert clause(page, "1").text_ur_behind is False  # unchanged English
    # Still behind in the next version while nobody revises the Urdu.
    revise(page, **{"1": {"heading": "Title"}})
    assert clause(page, "2").text_ur_behind is True

    path = page.url  # English: read before a request makes Urdu the thread's language
    urdu = client.get(f"/ur{path}").content.decode()
    assert 'class="clause-text-note urdu-behind"' in clause_html(urdu, "c-2")
    assert "urdu-behind" not in clause_html(urdu, "c-1")
    english = clause_html(client.get(path).content.decode(), "c-2")
    assert "urdu-behind" in english.split("<details")[1]
    api = client.get(f"/api/v1/consultations/{page.slug}/versions/3/").json()
    flags = {c["identifier"]: c["text_ur_behind"] for c in api["clauses"]}
    assert flags == {"1": False, "2": True, "3": False}

    boss = django_user_model.objects.create_superuser("ed", "e@example.org", "pw-long-enough-1")
    client.force_login(boss)
    panel = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "urdu-behind" in panel and "clause 2" in panel.lower()

    revise(page, **{"2": {"text_ur": "(۱) تعینات کنندہ شکایت کا فیصلہ چودہ دن میں کرے گا۔"}})
    assert clause(page, "2").text_ur_behind is False


# --- reading ---------------------------------------------------------------------------------


def test_the_urdu_page_reads_urdu_rtl_and_marks_the_english_original(client, page):
    body = client.get(f"/ur{page.url}").content.decode()
    first = clause_html(body, "c-1")
    assert re.search(r'<div class="clause-text" lang="ur" dir="rtl"[^>]*>\(۱\) یہ قواعد', first)
    third = clause_html(body, "c-3")
    assert re.search(r'<div class="clause-text" lang="en" dir="ltr"[^>]*>\(1\) Synthetic', third)
    assert "انگریزی اصل" in third  # "the English original", in the page's language
    assert "انگریزی اصل" not in first.split("<details")[0]


def test_a_reader_switches_to_the_other_languages_text_of_the_same_clause(client, page):
    english = client.get(page.url).content.decode()
    first = clause_html(english, "c-1")
    details = first[first.index("<details") :]
    assert "Read this clause in Urdu" in details
    assert re.search(r'<div class="clause-text" lang="ur" dir="rtl"[^>]*>', details)
    assert UR_1 in details
    assert "<details" not in clause_html(english, "c-3")  # no Urdu text: nothing to switch to
    urdu = client.get(f"/ur{page.url}").content.decode()
    details = clause_html(urdu, "c-1")[clause_html(urdu, "c-1").index("<details") :]
    assert re.search(r'<div class="clause-text" lang="en" dir="ltr"[^>]*>\(1\) These', details)


# --- comments on the words of a language ------------------------------------------------------


def test_a_comment_anchors_to_urdu_words_and_is_highlighted_on_them(client, page):
    response = post_comment(client, page, "2", "تیس دن", "ur")
    assert response.status_code == 302, response.content.decode()[:500]
    submission = Submission.objects.get(consultation=page)
    assert submission.anchor_language == "ur" and submission.anchor_exact == "تیس دن"
    assert submission.anchor_prefix.endswith("فیصلہ ")
    for prefix in ("", "/ur"):
        body = client.get(f"{prefix}{page.url}").content.decode()
        second = clause_html(body, "c-2")
        mark = f'<mark class="anchored" data-comments="comment-{submission.pk}">تیس دن</mark>'
        assert mark in second
        urdu_text = re.search(r'<div class="clause-text" lang="ur"[^>]*>(.*?)</div>', second)
        english_text = re.search(r'<div class="clause-text" lang="en"[^>]*>(.*?)</div>', second)
        assert mark in urdu_text.group(1) and "<mark" not in english_text.group(1)
        assert re.search(r'<blockquote class="comment-anchor" lang="ur" dir="rtl">', second)


def test_an_anchor_is_checked_against_the_text_of_its_language(client, page):
    target = clause(page, "2")
    start = target.text_ur.index("تیس دن")
    with pytest.raises(ValidationError) as error:
        submit(
            page,
            SubmissionInput(
                text="x",
                stance="oppose",
                stakeholder="individual",
                clause_id=target.pk,
                anchor={"exact": "تیس دن", "start": start, "end": start + 6, "language": "en"},
            ),
        )
    assert "anchor" in error.value.message_dict


def test_no_urdu_text_means_no_urdu_anchor(page):
    target = clause(page, "3")
    with pytest.raises(ValidationError):
        submit(
            page,
            SubmissionInput(
                text="x",
                stance="oppose",
                stakeholder="individual",
                clause_id=target.pk,
                anchor={"exact": "(1)", "start": 0, "end": 3, "language": "ur"},
            ),
        )


def test_comments_follow_the_words_of_their_own_language_into_a_new_version(client, page):
    post_comment(client, page, "2", "تیس دن", "ur")
    post_comment(client, page, "2", "within thirty days", "en")
    urdu, english = Submission.objects.filter(consultation=page).order_by("-anchor_language")
    assert urdu.anchor_language == "ur" and english.anchor_language == "en"
    new_ur = "(۱) ہر تعینات کنندہ شکایت کا فیصلہ تیس دن کے اندر لازماً کرے گا۔"
    version = revise(page, **{"2": {"text_ur": new_ur}})
    urdu.refresh_from_db()
    english.refresh_from_db()
    assert urdu.clause.version == version and urdu.anchor_status == "moved"
    assert new_ur[urdu.anchor_start : urdu.anchor_end] == "تیس دن"
    assert english.clause.version == version and english.anchor_status == "exact"

    # The Urdu text is gone: the Urdu comment is orphaned, the English one is not.
    version = revise(page, **{"2": {"text_ur": ""}})
    urdu.refresh_from_db()
    english.refresh_from_db()
    assert urdu.anchor_status == "orphaned" and urdu.clause.version != version
    assert english.clause.version == version


def test_english_words_that_also_appear_in_urdu_text_do_not_jump_languages(client, page):
    """An English anchor matches against English text only, even when the Urdu text of the
    new version happens to quote the same words."""
    post_comment(client, page, "1", "Test Rules", "en")
    english = Submission.objects.get(consultation=page)
    revise(page, **{"1": {"text": "(1) These are the Rules.", "text_ur": "یہ Test Rules ہیں۔"}})
    english.refresh_from_db()
    assert english.anchor_status == "orphaned"


# --- the importer -----------------------------------------------------------------------------

PARALLEL = """1. Short title
(1) These Rules may be called the Test Rules, 2026.
2. Complaints
(1) A deployer shall decide a complaint within thirty days.

۱۔ مختصر عنوان
(۱) یہ قواعد آزمائشی قواعد ۲۰۲۶ کہلائیں گے۔
۲۔ شکایات
(۱) تعینات کنندہ شکایت کا فیصلہ تیس دن کے اندر کرے گا۔
"""


def test_the_importer_reads_a_bilingual_draft_in_parallel_sections():
    clauses = split_bilingual(PARALLEL)
    assert [c.identifier for c in clauses] == ["1", "2"]
    assert clauses[0].heading == "Short title" and clauses[0].heading_ur == "مختصر عنوان"
    assert clauses[0].text.startswith("(1) These") and clauses[0].text_ur == UR_1
    assert clauses[1].text_ur == UR_2


def test_the_importer_reads_each_urdu_clause_after_its_english_one():
    interleaved = (
        "Rule 1. Short title\n(1) These Rules may be called the Test Rules, 2026.\n"
        "دفعہ ۱۔ مختصر عنوان\n" + UR_1 + "\n"
        "Rule 2. Complaints\n(1) A deployer shall decide.\n"
    )
    clauses = split_bilingual(interleaved)
    assert [(c.identifier, c.text_ur) for c in clauses] == [("1", UR_1), ("2", "")]


def test_an_urdu_clause_with_no_english_clause_is_refused_by_number():
    with pytest.raises(DraftImportError, match="7"):
        split_bilingual("1. Title\nEnglish text.\n۷۔ عنوان\nاردو متن۔")


def test_an_english_only_draft_splits_as_before():
    clauses = split_bilingual("1. Title\nEnglish text.\n2. Other\nMore text.")
    assert [(c.identifier, c.heading_ur, c.text_ur) for c in clauses] == [
        ("1", "", ""),
        ("2", "", ""),
    ]


def _editor(client, django_user_model):
    boss = django_user_model.objects.create_superuser("ed", "e@example.org", "pw-long-enough-1")
    client.force_login(boss)


ENGLISH_ONLY = (
    "1. Short title\n(1) These Rules may be called the Test Rules, 2026.\n"
    "2. Complaints\n(1) A deployer shall decide a complaint within thirty days.\n"
    "3. Labels\n(1) Synthetic media shall carry a clear label.\n"
)


def _working(page):
    draft = ConsultationPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    return {c.identifier: c for c in draft.clauses.all()}


def test_regression_import_clauses_no_longer_silently_empties_every_urdu_heading(
    client, page, django_user_model
):
    """The finding: an English-only import replaced the working draft and every Urdu heading
    (and now Urdu text) was gone without a word. The preview names each one; confirming
    as offered keeps them."""
    _editor(client, django_user_model)
    url = f"/admin/consultations/{page.pk}/import/"
    preview = client.post(url, {"pasted": ENGLISH_ONLY})
    body = preview.content.decode()
    for heading in ("مختصر عنوان", "شکایات", "لیبل"):
        assert heading in body  # named in the preview as missing from the import
    assert UR_1 in body
    done = client.post(url, {"confirm": "1", "clauses": json.dumps(preview.context["clauses"])})
    assert done.status_code == 302
    working = _working(page)
    assert [working[i].heading_ur for i in "123"] == ["مختصر عنوان", "شکایات", "لیبل"]
    assert working["1"].text_ur == UR_1 and working["2"].text_ur == UR_2


def test_dropping_urdu_the_import_lacks_needs_the_editor_to_confirm_it(
    client, page, django_user_model
):
    _editor(client, django_user_model)
    url = f"/admin/consultations/{page.pk}/import/"
    clauses = client.post(url, {"pasted": ENGLISH_ONLY}).context["clauses"]
    data = {"confirm": "1", "clauses": json.dumps(clauses), "missing": "drop"}
    refused = client.post(url, data)
    assert refused.status_code == 200  # the preview again, with the reason
    assert _working(page)["1"].heading_ur == "مختصر عنوان"
    done = client.post(url, {**data, "accept_losses": "1"})
    assert done.status_code == 302
    assert [c.heading_ur for c in _working(page).values()] == ["", "", ""]


def test_the_preview_shows_added_removed_and_changed_clauses(client, page, django_user_model):
    _editor(client, django_user_model)
    url = f"/admin/consultations/{page.pk}/import/"
    pasted = (
        "1. Short title\n(1) These Rules may be called the Test Rules, 2026.\n"
        "۱۔ مختصر عنوان\n" + UR_1 + "\n"
        "2. Complaints\n(1) A deployer shall decide a complaint within thirty days, or sooner.\n"
        "4. Review\nThe Authority shall review these Rules.\n"
    )
    preview = client.post(url, {"pasted": pasted})
    plan = preview.context["plan"]
    statuses = {row.identifier: row.status for row in plan.rows}
    assert statuses == {"1": "unchanged", "2": "changed", "3": "removed", "4": "added"}
    body = preview.content.decode()
    assert "Synthetic media shall carry a clear label." in body  # the removed clause's words
    # A removed clause is a loss too: confirming without accepting it is refused.
    data = {"confirm": "1", "clauses": json.dumps(preview.context["clauses"])}
    assert client.post(url, data).status_code == 200
    assert len(_working(page)) == 3
    assert client.post(url, {**data, "accept_losses": "1"}).status_code == 302
    working = _working(page)
    assert sorted(working) == ["1", "2", "4"]
    assert working["1"].text_ur == UR_1 and working["2"].heading_ur == "شکایات"


def test_a_bilingual_import_sets_the_urdu_text(client, page, django_user_model):
    _editor(client, django_user_model)
    url = f"/admin/consultations/{page.pk}/import/"
    new_ur = "(۱) تعینات کنندہ شکایت کا فیصلہ چودہ دن کے اندر کرے گا۔"
    labels = "3. Labels\n(1) Synthetic media shall carry a clear label.\n"
    pasted = PARALLEL.replace(UR_2, new_ur) + labels
    preview = client.post(url, {"pasted": pasted})
    assert preview.context["plan"].rows[1].status == "changed"
    done = client.post(url, {"confirm": "1", "clauses": json.dumps(preview.context["clauses"])})
    assert done.status_code == 302
    assert _working(page)["2"].text_ur == new_ur


# --- the API ----------------------------------------------------------------------------------


def test_the_api_gives_each_clause_in_both_languages_and_the_anchors_language(client, page):
    post_comment(client, page, "2", "تیس دن", "ur")
    version = client.get(f"/api/v1/consultations/{page.slug}/versions/1/").json()
    by_key = {c["key"]: c for c in version["clauses"]}
    assert by_key["c-1"]["text_ur"] == UR_1 and by_key["c-3"]["text_ur"] == ""
    submission = Submission.objects.get(consultation=page)
    data = client.get(f"/api/v1/submissions/{submission.pk}/").json()
    assert data["anchor"]["language"] == "ur"
    annotation = client.get(f"/api/v1/submissions/{submission.pk}/annotation/").json()
    assert annotation["target"]["language"] == "ur"


# --- redline and the printable pack -------------------------------------------------------------


def test_the_redline_shows_what_changed_in_the_urdu_text(client, page):
    revise(page, **{"3": {"text_ur": "(۱) مصنوعی میڈیا پر واضح لیبل ہوگا۔"}})
    for prefix in ("", "/ur"):
        body = client.get(f"{prefix}{page.url}?from=1&to=2").content.decode()
        row = body[body.index('id="clause-c-3"') :]
        row = row[: row.index("</li>")]
        assert (
            "redline-changed" in body[body.rindex("<li", 0, body.index('id="clause-c-3"')) :][:80]
        )
        urdu = re.search(r'<div class="clause-text" lang="ur" dir="rtl">(.*?)</div>', row)
        assert urdu and "<ins>" in urdu.group(1) and "واضح" in urdu.group(1)
    rows = client.get(
        f"/api/v1/consultations/{page.slug}/redline/?from_version=1&to_version=2"
    ).json()
    by_key = {row["key"]: row for row in rows}
    assert by_key["c-3"]["status"] == "changed"
    assert any(p["kind"] == "ins" for p in by_key["c-3"]["pieces_ur"])
    assert by_key["c-1"]["status"] == "unchanged" and by_key["c-1"]["new"]["heading_ur"]


def test_the_printable_pack_prints_the_urdu_text_of_each_clause(client, page, tmp_path):
    from tests.consult.test_pack import _pdf_text, _words

    text = _pdf_text(client.get(f"/{page.slug}/pack.pdf").content, tmp_path)
    urdu = "تعینات کنندہ شکایت کا فیصلہ تیس دن کے اندر کرے گا"
    assert not _words(urdu) - _words(text), _words(urdu) - _words(text)
    assert not _words(EN_2) - _words(text)


def test_a_moderator_reattaches_an_orphaned_urdu_comment_to_urdu_words(
    client, page, django_user_model
):
    post_comment(client, page, "2", "تیس دن", "ur")
    orphan = Submission.objects.get(consultation=page)
    new_ur = "(۱) شکایت کا فیصلہ چودہ روز میں ہوگا۔"
    version = revise(page, **{"2": {"text_ur": new_ur}})
    orphan.refresh_from_db()
    assert orphan.anchor_status == "orphaned"
    boss = django_user_model.objects.create_superuser("mod", "m@example.org", "pw-long-enough-1")
    client.force_login(boss)
    listing = client.get("/admin/consultations/orphans/").content.decode()
    assert '<span lang="ur" dir="rtl">تیس دن</span>' in listing
    target = version.clauses.get(key="c-2")
    response = client.post(
        "/admin/consultations/orphans/",
        {"submission": orphan.pk, "clause": target.pk, "words": "چودہ روز", "action": "reattach"},
    )
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert orphan.clause_id == target.pk and orphan.anchor_language == "ur"
    assert new_ur[orphan.anchor_start : orphan.anchor_end] == "چودہ روز"


def test_clauses_added_in_the_editor_and_not_yet_published_keep_their_urdu(
    client, page, django_user_model
):
    """Working clauses typed in the editor have no key until published; the import still
    pairs each with its imported clause and keeps its Urdu."""
    draft = page.get_latest_revision_as_object()
    review = "The Authority shall review these Rules every year."
    repeal = "Earlier guidelines on automated decisions are repealed."
    added = [
        Clause(identifier="4", heading="Review", heading_ur="جائزہ", text=review),
        Clause(identifier="5", heading="Repeal", heading_ur="تنسیخ", text=repeal),
    ]
    draft.clauses = [*draft.clauses.all(), *added]
    draft.save_revision()
    _editor(client, django_user_model)
    url = f"/admin/consultations/{page.pk}/import/"
    pasted = (
        ENGLISH_ONLY + "4. Review\nThe Authority shall review these Rules every year.\n"
        "5. Repeal\nEarlier guidelines on automated decisions are repealed.\n"
    )
    preview = client.post(url, {"pasted": pasted})
    assert [row.status for row in preview.context["plan"].rows] == ["unchanged"] * 5
    done = client.post(url, {"confirm": "1", "clauses": json.dumps(preview.context["clauses"])})
    assert done.status_code == 302
    working = _working(page)
    assert (working["4"].heading_ur, working["5"].heading_ur) == ("جائزہ", "تنسیخ")
    assert not any(c.key.startswith("__") for c in working.values())


def test_a_comments_own_page_marks_its_urdu_quote(client, page):
    post_comment(client, page, "2", "تیس دن", "ur")
    submission = Submission.objects.get(consultation=page)
    body = client.get(f"{page.url}comments/{submission.pk}/").content.decode()
    assert '<blockquote class="comment-anchor" lang="ur" dir="rtl"><bdi>تیس دن</bdi>' in body
