"""Stored XSS: hostile text in every user field, then every page, JSON, CSV and PDF that
shows it. Nothing the payload brings may become markup, a template, or reorder the page.

Every HTML answer goes through ``check_html_answer`` (one place: a header check such as the
Content-Security-Policy belongs there), which calls ``assert_no_unescaped_payload`` and
``assert_bidi_isolated``. Each page is also checked to really show the payloads (escaped),
so that a page that drops them cannot pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group, User

from consult import roles
from consult.models import Submission
from consult.services import SubmissionInput, submit
from moderation import services as moderation
from tests.consult.test_comments import make_consultation

BIDI_OVERRIDE = "\u202e"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    f"{BIDI_OVERRIDE}gnp.exe{BIDI_OVERRIDE}",
    "{{ 7*7 }}",
    "{% debug %}",
    '"><script>alert(2)</script>',
    "'onmouseover='alert(3)",
]
# Literal markup that only an unescaped payload can put into a page.
RAW_MARKERS = ["<script>alert", "<img src=x", "<svg onload", "<script>alert(2)"]
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
# Text here is its own paragraph or is not rendered as page text.
OWN_PARAGRAPH = {"textarea", "option", "title", "script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class _Page(HTMLParser):
    """Elements, attributes and text nodes with their open-element stack."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.attribute_values: list[str] = []
        self.bidi_problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            self.attribute_values.append(value)
            if name.startswith("on") and "alert" in value:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and (
                value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append("<img src=x>")
        if tag not in VOID:
            self.stack.append((tag, attributes))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.text.append(data)
        tag = self.stack[-1][0] if self.stack else ""
        if tag == "script":
            kind = self.stack[-1][1].get("type", "")
            if "json" in kind:
                if "<" in data:  # json_script escapes <, so a payload cannot close it
                    self.problems.append(f"unescaped < in a JSON script: {data[:80]!r}")
            elif "alert" in data:
                self.problems.append(f"<script>{data[:80]}</script>")
        if BIDI_CONTROLS & set(data) and not self._isolated():
            self.bidi_problems.append(
                f"{data.strip()[:60]!r} in {' > '.join(t for t, _ in self.stack[-4:])}"
            )

    def _isolated(self) -> bool:
        """Inside <bdi>, an element with dir=..., or its own paragraph, before any block
        boundary that would let the override run on into the page's own text."""
        for tag, attributes in reversed(self.stack):
            if tag == "bdi" or "dir" in attributes or tag in OWN_PARAGRAPH:
                return True
            if tag in BLOCKS:
                return False
        return False


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def assert_no_unescaped_payload(html: str) -> None:
    """No element, attribute or script that a payload introduced; no template rendered."""
    page = parse(html)
    assert not page.problems, page.problems
    for marker in RAW_MARKERS:
        assert marker not in html, f"unescaped {marker!r} in the page"
    text = "".join(page.text)
    assert "{'True': True" not in text and "sql_queries" not in text, "{% debug %} ran"


def assert_bidi_isolated(html: str) -> None:
    """A right-to-left override in user text must not reorder the page around it."""
    problems = parse(html).bidi_problems
    assert not problems, problems


def check_html_answer(response) -> str:
    """Every HTML page of this suite passes here (add header checks in this one place)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert_no_unescaped_payload(html)
    assert_bidi_isolated(html)
    assert_strict_csp(response)
    return html


def assert_strict_csp(response) -> None:
    """Even if a payload got through, the browser would not run it: no inline script."""
    policy = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, f"no script policy on {response.wsgi_request.path}: {policy!r}"
    if not response.wsgi_request.path.startswith("/admin/"):
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src


def assert_shows(html: str, payloads=PAYLOADS) -> None:
    """The page really shows the payloads, as text (or as form values)."""
    page = parse(html)
    shown = "".join(page.text) + "\n".join(page.attribute_values)
    missing = [p for p in payloads if p not in shown]
    assert not missing, f"not shown: {missing}"
    assert "{{ 7*7 }}" not in payloads or "{{ 7*7 }}" in shown


# --- the data: every user text field, filled with every payload --------------------------


def _user(username, role=None):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-123456789")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def _clauses():
    # The editor's clause text and heading carry the payloads too, so that a comment can
    # quote (anchor on) each one.
    return [
        (str(n + 1), f"Heading {payload}", f"(1) Clause {n + 1} says {payload} and more.")
        for n, payload in enumerate(PAYLOADS)
    ]


@pytest.fixture
def hostile(db, client):
    page = make_consultation(clauses=_clauses(), slug="hostile-rules")
    moderator = _user("mod", roles.MODERATOR)
    version = page.current_version()
    made = {"named": [], "organisation": [], "held": []}
    for n, payload in enumerate(PAYLOADS):
        clause = version.clauses.get(identifier=str(n + 1))
        start = clause.text.index(payload)
        common = {"stance": "amend", "clause_id": clause.pk, "proposed_wording": payload}
        organisation = submit(
            page,
            SubmissionInput(
                text=f"Organisation comment {n}: {payload}",
                stakeholder="civil_society",
                organisation=payload,
                anchor={"exact": payload, "start": start, "end": start + len(payload)},
                **common,
            ),
        )
        named = submit(
            page,
            SubmissionInput(
                text=f"Named comment {n}: {payload}",
                stakeholder="individual",
                display_mode="named",
                name=payload,
                parent_id=None,
                **common,
            ),
        )
        held = submit(
            page,
            SubmissionInput(
                text=f"Held comment {n}: {payload}", stakeholder="individual", **common
            ),
        )
        for submission, key in ((organisation, "organisation"), (named, "named")):
            moderation.decide(
                submission,
                action="approve",
                reason="meets_rules",
                moderator=moderator,
                explanation=f"Approved {payload}",
            )
            made[key].append(submission)
        Submission.objects.filter(pk=held.pk).update(is_public=False)
        made["held"].append(held)
        decision = moderation.decide(
            named, action="remove", reason="off_topic", moderator=moderator, explanation=payload
        )
        moderation.file_appeal(named.receipt_code, decision.pk, f"Appeal {payload}")
        moderation.decide(named, action="approve", reason="meets_rules", moderator=moderator)
    return {"page": page, "moderator": moderator, **made}


def test_payloads_are_stored_as_typed(hostile):
    """The payloads reach the database unchanged: escaping is the page's job."""
    named = Submission.objects.get(pk=hostile["named"][0].pk)
    assert named.user_name == PAYLOADS[0]
    assert PAYLOADS[0] in named.comment


def test_reading_page_whole_draft(client, hostile):
    html = check_html_answer(client.get(hostile["page"].url))
    assert_shows(html)


def test_reading_page_each_clause(client, hostile):
    page = hostile["page"]
    for n, payload in enumerate(PAYLOADS):
        key = page.current_version().clauses.get(identifier=str(n + 1)).key
        html = check_html_answer(client.get(f"{page.url}?clause={key}"))
        assert_shows(html, [payload, f"Named comment {n}: {payload}"])


def test_reading_page_in_urdu(client, hostile):
    check_html_answer(client.get("/ur" + hostile["page"].url))


def test_receipt_pages(client, hostile):
    for submission in hostile["named"] + hostile["organisation"] + hostile["held"]:
        check_html_answer(client.get(f"/receipt/?code={submission.receipt_code}"))
    html = check_html_answer(client.get(f"/receipt/?code={hostile['named'][0].receipt_code}"))
    assert_shows(html, [f"Approved {PAYLOADS[0]}"])
    data = client.get(f"/my-data/receipt.json?code={hostile['named'][0].receipt_code}")
    assert data["Content-Type"].startswith("application/json")
    json.loads(data.content)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reflected_parameters(client, hostile, payload):
    page = hostile["page"]
    from urllib.parse import quote

    for url in (
        f"/receipt/?code={quote(payload)}",
        f"{page.url}?clause={quote(payload)}",
        f"{page.url}?receipt={quote(payload)}",
        f"{page.url}?version={quote(payload)}",
    ):
        response = client.get(url)
        if response.status_code == 200:
            check_html_answer(response)


def test_transparency(client, hostile):
    page = hostile["page"]
    check_html_answer(client.get(f"/consultations/{page.pk}/transparency/"))
    json.loads(client.get(f"/consultations/{page.pk}/transparency.json").content)


def test_moderation_queue_and_details(client, hostile):
    client.force_login(hostile["moderator"])
    html = check_html_answer(client.get("/admin/moderation/"))
    assert_shows(html, [f"Held comment 0: {PAYLOADS[0]}"])
    for submission in hostile["held"] + hostile["named"]:
        check_html_answer(client.get(f"/admin/moderation/submission/{submission.pk}/"))
    from moderation.models import Appeal

    for appeal in Appeal.objects.all():
        html = check_html_answer(client.get(f"/admin/moderation/appeal/{appeal.pk}/"))
    assert_shows(html, [f"Appeal {PAYLOADS[-1]}"])


def test_facilitator_paper_entry(client, hostile):
    facilitator = _user("fac", roles.FACILITATOR)
    client.force_login(facilitator)
    page = hostile["page"]
    url = f"/{page.slug}/facilitate/"
    form = check_html_answer(client.get(url))
    assert "client_token" in form
    clause = page.current_version().clauses.get(identifier="1")
    for n, payload in enumerate(PAYLOADS):
        response = client.post(
            url,
            {
                "source": "paper",
                "clause": clause.pk,
                "stance": "oppose",
                "stakeholder": "business",
                "organisation": payload,
                "language": "en",
                "text": f"Paper {n}: {payload}",
                "proposed_wording": payload,
                "name": payload,
                "display_mode": "named",
                "client_token": f"paper-{n}",
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
        check_html_answer(client.get(response["Location"]))
    client.logout()
    html = check_html_answer(client.get(f"{page.url}?clause={clause.key}"))
    assert_shows(html, [f"Paper {n}: {p}" for n, p in enumerate(PAYLOADS)])


def test_voice_transcript_correction(client, hostile):
    from consult.voice.models import VoiceNote
    from consult.voice.services import confirm_voice_note

    page = hostile["page"]
    clause = page.current_version().clauses.get(identifier="2")
    client.force_login(hostile["moderator"])
    for n, payload in enumerate(PAYLOADS):
        note = VoiceNote.objects.create(
            consultation=page,
            clause=clause,
            stance="oppose",
            stakeholder="media",
            organisation=payload,
            display_mode="named",
            name=payload,
            status="ready",
            transcript={
                "text": f"Heard {payload}",
                "segments": [{"start": 0, "end": 1, "text": payload, "confidence": 0.9}],
            },
        )
        html = check_html_answer(client.get(f"/voice/note/{note.public_id}/"))
        assert_shows(html, [payload])
        confirm_voice_note(note, f"Corrected {n}: {payload}", hostile["moderator"])
    client.logout()
    html = check_html_answer(client.get(f"{page.url}?clause={clause.key}"))
    assert_shows(html, [f"Corrected {n}: {p}" for n, p in enumerate(PAYLOADS)])


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pack_pdf_shows_the_payloads_as_text(client, hostile, tmp_path):
    response = client.get(f"/{hostile['page'].slug}/pack.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for payload in ("<script>alert(1)</script>", "{{ 7*7 }}", "<svg onload=alert(1)>"):
        assert payload in text  # shown as the words typed, not taken as markup


# --- live town hall ----------------------------------------------------------------------


@pytest.fixture
def live_hall(transactional_db, settings):
    from cms.demo import make_town_hall

    settings.LIVE_TALLY_INTERVAL = 0
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return make_town_hall()


def test_town_hall_page_and_snapshot(client, live_hall):
    from consult.live.services import polls, questions, session, speakers
    from consult.live.services.checks import Actor, actor_for
    from tests.live.helpers import participant

    page = live_hall
    facilitator = actor_for(page, "f:1", page.facilitators.get())
    session.start_session(page, facilitator)
    for n, payload in enumerate(PAYLOADS):
        person = Actor(f"a:person{n}")
        question = questions.post_question(page, person, f"Question {n}: {payload}")["question_id"]
        questions.approve_question(page, facilitator, question)
        questions.mark_answered(page, facilitator, question, f"Answer {payload}")
        speakers.raise_hand(page, person, payload[:80])
    session.announce(page, facilitator, f"Announcement {PAYLOADS[0]}")
    session.caption(page, facilitator, f"Caption {PAYLOADS[1]}")
    polls.open_poll(page, facilitator, f"Poll {PAYLOADS[2]}", PAYLOADS[:4])
    html = check_html_answer(client.get(page.url))
    assert_shows(html, [f"Question {n}: {p}" for n, p in enumerate(PAYLOADS)])
    assert_shows(html, [PAYLOADS[0], f"Caption {PAYLOADS[1]}", f"Poll {PAYLOADS[2]}"])

    async def snapshot():
        viewer = await participant(page)
        await viewer.close()
        return viewer.snapshot

    board = async_to_sync(snapshot)()
    texts = json.dumps(board, ensure_ascii=False)
    for n, payload in enumerate(PAYLOADS):
        assert f"Question {n}: {payload}" in [q["text"] for q in board["questions"]], texts[:300]

    # After the session, the questions are in the consultation's record, on its pages.
    session.end_session(page, facilitator)
    check_html_answer(client.get(page.url))
    consultation = page.consultation
    html = check_html_answer(client.get(consultation.url))
    assert "Question" in html


# --- the report: page, PDF, open data ----------------------------------------------------


@pytest.fixture
def hostile_report(demo, django_capture_on_commit_callbacks):
    """The demo with the evaluation set, plus one published comment per payload (text and
    organisation) and a campaign of one payload, analysed and published; the ministry's
    response quotes a payload too."""
    from analysis.models import AnalysisRun, ThemeResponse
    from analysis.services import execute_run, start_analysis
    from tests.analysis.test_analysis_db import SMALL, add_eval_submissions

    add_eval_submissions(demo, count=40)
    clause = demo.current_version().clauses.order_by("position").first()
    moderator = _user("report-mod", roles.MODERATOR)
    campaign = "Stop this rule now <script>alert(1)</script> we all say the same thing here"
    texts = [f"About the registry {p} and its costs for small firms" for p in PAYLOADS]
    for n, text in enumerate(texts + [campaign] * 4):
        submission = submit(
            demo,
            SubmissionInput(
                text=text,
                stance="oppose",
                stakeholder="civil_society",
                organisation=PAYLOADS[n % len(PAYLOADS)],
                clause_id=clause.pk,
            ),
        )
        if not Submission.objects.get(pk=submission.pk).is_public:
            moderation.decide(
                submission, action="approve", reason="meets_rules", moderator=moderator
            )
    with django_capture_on_commit_callbacks(execute=False):
        run = start_analysis(demo, parameters=SMALL)
    execute_run(run.pk)
    run = AnalysisRun.objects.get(pk=run.pk)
    assert run.status == AnalysisRun.Status.DONE, run.error
    page = run.report_pages.get()
    ThemeResponse.objects.filter(pk=page.responses.first().pk).update(
        outcome="partly", reason=f"We heard {PAYLOADS[0]} and {PAYLOADS[5]}"
    )
    page.refresh_from_db()
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_report_page_pdf_and_open_data(client, hostile_report, tmp_path):
    html = check_html_answer(client.get(hostile_report.url))
    assert_shows(html, [f"We heard {PAYLOADS[0]} and {PAYLOADS[5]}"])

    data = client.get(hostile_report.url + "open-data/json/")
    assert data["Content-Type"].startswith("application/json")
    rows = json.loads(data.content)["submissions"]
    shown = {row["organisation"] for row in rows} | {row["text"] for row in rows}
    assert set(PAYLOADS) <= shown  # the payloads are data there, as typed

    csv_answer = client.get(hostile_report.url + "open-data/csv/")
    assert csv_answer["Content-Type"].startswith("text/csv")
    assert "text/html" not in csv_answer["Content-Type"]

    if shutil.which("pdftotext"):
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(client.get(hostile_report.url + "pdf/").content)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "<script>alert(1)</script>" in text and "{{ 7*7 }}" in text
