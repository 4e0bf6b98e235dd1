"""The report as a publication: plain words in both languages, every quote and count linked
to a public page of its submission, a phone layout, and an A4 PDF whose tables fit."""

from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from consult.models import Submission
from tests.cms.test_report import report  # noqa: F401 - the published report of a real analysis

CODES = [
    "too_few_groups",
    "consensus_support",
    "consensus_oppose",
    "civil_society",
    "Consensus for: None",
    "None",
    "{'en'",
    "seconds:",
    "exact_duplicates",
    "in_a_theme",
]
URDU_PLAIN = "یہ کہنے کے لیے کافی گروہوں نے رائے نہیں دی"


def _get(client, url, lang):
    prefix = "/ur" if lang == "ur" and not url.startswith("/ur/") else ""
    return client.get(prefix + url)


def _visible_text(html: str) -> str:
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_report_speaks_in_plain_words(client, report, lang):  # noqa: F811
    response = _get(client, report.url, lang)
    assert response.status_code == 200
    html = response.content.decode()
    text = _visible_text(html)
    for code in CODES:
        assert code not in text, code
    verdicts = {c["verdict"] for c in report.run.results["clauses"]}
    if lang == "en":
        assert "English" in text  # languages by name
        assert "Civil-society organisation" in text or "Individual" in text
        if "too_few_groups" in verdicts:
            assert "Not enough groups commented to say" in text
    else:
        assert 'dir="rtl"' in html
        assert "Not enough groups" not in text
        if "too_few_groups" in verdicts:
            assert URDU_PLAIN in text
    # Timings are in the method section only.
    method, rest = html.split('<section id="moderation">', 1)
    assert 'class="timings"' in method and 'class="timings"' not in rest
    # English names in an Urdu page are isolated.
    assert f"<h1><bdi>{html_lib.escape(report.title)}</bdi></h1>" in html.replace("&#x27;", "'")


def test_every_link_in_the_report_reaches_its_words(client, report):  # noqa: F811
    html = client.get(report.url).content.decode()
    quotes = {q["id"]: q["text"] for t in report.run.themes.all() for q in t.quotes}
    links = set(re.findall(r'href="([^"]+)"', html))
    comment_links = [u for u in links if re.search(r"/comments/\d+/$", u)]
    members = {m.submission_id for t in report.run.themes.all() for m in t.members.all()}
    assert {int(re.search(r"(\d+)/$", u).group(1)) for u in comment_links} >= set(quotes)
    assert len(comment_links) >= len(members)  # every count's submissions are linked
    for url in sorted(links):
        if url.startswith("#"):
            assert f'id="{url[1:]}"' in html, url
            continue
        path, _, fragment = url.partition("#")
        target = client.get(path)
        if target.status_code == 302 and "/accounts/login/" in target["Location"]:
            continue  # the site's "My data" link: a participant's own page, behind sign-in
        assert target.status_code == 200, url
        if target.get("Content-Type", "").startswith("text/html"):
            body = target.content.decode()
            if fragment:
                assert f'id="{fragment}"' in body, url
            match = re.search(r"/comments/(\d+)/$", path)
            if match and int(match.group(1)) in quotes:
                words = quotes[int(match.group(1))][:60]
                assert words in html_lib.unescape(body), url


@pytest.mark.django_db
def test_a_permalink_for_each_published_submission_only(client, demo):
    published = Submission.objects.filter(consultation=demo, is_public=True, is_removed=False)
    one, held, removed = published[0], published[1], published[2]
    Submission.objects.filter(pk=held.pk).update(is_public=False)
    Submission.objects.filter(pk=removed.pk).update(is_removed=True)
    url = reverse("consult:submission", kwargs={"slug": demo.slug, "pk": one.pk})
    assert url == f"/{demo.slug}/comments/{one.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert html_lib.escape(one.comment[:40]) in page.content.decode()
    assert client.get(f"/ur{url}").status_code == 200
    for pk in (held.pk, removed.pk, 999999):
        response = client.get(f"/{demo.slug}/comments/{pk}/")
        assert response.status_code == 404
        assert html_lib.escape(held.comment[:40]) not in response.content.decode()
    assert client.get(f"/no-such-consultation/comments/{one.pk}/").status_code == 404


@pytest.mark.django_db
def test_each_comment_on_the_reading_page_links_to_its_permalink(client, demo):
    html = client.get(demo.url).content.decode()
    shown = re.findall(r'id="comment-(\d+)"', html)
    assert shown
    for pk in shown:
        assert f'href="/{demo.slug}/comments/{pk}/"' in html
    urdu = client.get(f"/ur{demo.url}").content.decode()
    assert f'href="/ur/{demo.slug}/comments/{shown[0]}/"' in urdu


def _pdf(client, report, lang, tmp_path):  # noqa: F811
    response = _get(client, report.url + "pdf/", lang)
    assert response.status_code == 200
    path = tmp_path / f"report-{lang}.pdf"
    path.write_bytes(response.content)
    return path


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["en", "ur"])
def test_report_pdf_is_a4_with_nothing_past_the_margin(client, report, lang, tmp_path):  # noqa: F811
    from PIL import Image

    pdf = _pdf(client, report, lang, tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub("[\u202a-\u202e]", "", text)  # the bidi embeddings pdftotext writes
    for code in CODES:
        assert code not in text, code
    pages = text.count("\f")
    if lang == "en":
        assert "How the submissions were analysed" in text
        assert f"Page 1 of {pages}" in text
    else:
        # Urdu words around the numbers keep "page 1 of N" in reading order.
        assert re.search(rf"صفحہ\s*1\s*از\s*{pages}\b", text)
    subprocess.run(["pdftoppm", "-r", "36", "-png", str(pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for image_path in images:
        image = Image.open(image_path).convert("L")
        width, height = image.size
        assert abs(width / height - 210 / 297) < 0.01  # A4
        margin = round(width * 10 / 210)  # the outer 10 of the 15 mm margins stay blank
        for box in ((width - margin, 0, width, height), (0, 0, margin, height)):
            strip = image.crop(box)
            assert strip.getextrema()[0] > 200, f"{image_path.name}: ink in the margin {box}"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ur"])
def test_report_fits_a_phone_without_sideways_scrolling(live_server, report, browser, lang):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    prefix = "/ur" if lang == "ur" else ""
    page.goto(f"{live_server.url}{prefix}{report.url}")
    page.locator("details.member-links").first.evaluate("d => d.open = true")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390
