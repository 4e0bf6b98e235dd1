"""Real Chromium: upload a voice note, watch its status turn to ready without a reload, and
confirm the transcript."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from consult.models import Source, Submission
from tests.voice_helpers import jfk_path


@pytest.mark.slow
@pytest.mark.browser
def test_browser_voice_note_upload_review_confirm(live_server, demo, page, settings, tmp_path):
    from playwright.sync_api import expect

    settings.VOICE_AUDIO_ROOT = tmp_path / "audio"
    jfk = jfk_path()
    page.goto(f"{live_server.url}/voice/{demo.slug}/record/")
    page.set_input_files("#id_audio", str(jfk))
    page.select_option("#id_stance", "support")
    page.check("#id_consent")
    page.click("button[type=submit]")
    status = page.locator("#voice-status")
    expect(status).to_have_attribute("data-status", "queued")
    url_before = page.url
    # The worker runs here, while the page keeps polling the status endpoint.
    call_command(
        "db_worker", batch=True, queue_name="transcription", reload=False, startup_delay=False
    )
    expect(status).to_have_attribute("data-status", "ready", timeout=20_000)
    assert page.url == url_before  # updated in place, not reloaded
    text = page.locator("#id_text")
    expect(text).to_have_value(re.compile("fellow Americans", re.I))
    assert page.locator("#voice-segments tr").count() >= 1
    text.fill(text.input_value() + " (checked)")
    page.click("#confirm-button")
    expect(page.locator("#receipt-code")).to_be_visible()
    submission = Submission.objects.get(receipt_code=page.locator("#receipt-code").inner_text())
    assert submission.source == Source.VOICE
    assert submission.comment.endswith("(checked)")
