"""Voice upload with the audio folder unusable or the disk full: a clear error, no orphan
file, no orphan row, and the participant's upload quota is not used up.

The tests run as root, and chmod does not stop root, so the faults are made two other ways:
- "unwritable": VOICE_AUDIO_ROOT under a path whose parent is a regular FILE (mkdir fails
  with NotADirectoryError even for root);
- "disk full": only the OS-level calls are monkeypatched (``os.fdopen``'s file object writes
  part of the audio and then raises ``OSError(ENOSPC)``; ``os.fsync`` raises ENOSPC), so
  Django's FileSystemStorage and our service run unchanged above them.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from consult.voice.models import VoiceNote
from tests.consult.test_voice import form_data, record_url, upload
from tests.voice_helpers import ffmpeg

MESSAGE = "We could not store your recording"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_refused_cleanly(response, root: Path):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert MESSAGE in response.content.decode()
    assert VoiceNote.objects.count() == 0
    assert files_under(root) == []


@pytest.fixture
def short_ogg(tmp_path) -> Path:
    target = tmp_path / "tone.ogg"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libopus", str(target))
    return target


@pytest.fixture
def one_upload_allowed(settings):
    settings.MODERATION_RATE_LIMITS = {"upload": (1, 3600)}


def test_unwritable_folder_is_a_clear_error_and_costs_no_quota(
    client, demo, short_ogg, settings, tmp_path, one_upload_allowed
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where a folder should be")
    settings.VOICE_AUDIO_ROOT = blocker / "voice"
    response = client.post(record_url(demo), form_data(upload(short_ogg)))
    assert_refused_cleanly(response, blocker.parent / "voice")
    assert blocker.read_text().startswith("a regular file")

    # The folder fixed: the same participant's one allowed upload still goes through.
    settings.VOICE_AUDIO_ROOT = tmp_path / "voice"
    response = client.post(record_url(demo), form_data(upload(short_ogg)))
    assert response.status_code == 302
    assert VoiceNote.objects.count() == 1


def test_disk_full_mid_write_leaves_no_partial_file(
    client, demo, short_ogg, settings, tmp_path, monkeypatch, one_upload_allowed
):
    settings.VOICE_AUDIO_ROOT = tmp_path / "voice"
    real_fdopen = os.fdopen

    class FillsUp:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: FillsUp(real_fdopen(*a, **k)))
    response = client.post(record_url(demo), form_data(upload(short_ogg)))
    monkeypatch.undo()
    assert_refused_cleanly(response, tmp_path / "voice")
    assert client.post(record_url(demo), form_data(upload(short_ogg))).status_code == 302


def test_disk_full_at_fsync_leaves_no_file(
    client, demo, short_ogg, settings, tmp_path, monkeypatch
):
    settings.VOICE_AUDIO_ROOT = tmp_path / "voice"

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    response = client.post(record_url(demo), form_data(upload(short_ogg)))
    assert_refused_cleanly(response, tmp_path / "voice")


def test_urdu_message(client, demo, short_ogg, settings, tmp_path):
    from tests.i18n_tools import compile_messages

    compile_messages()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.VOICE_AUDIO_ROOT = blocker / "voice"
    response = client.post("/ur" + record_url(demo), form_data(upload(short_ogg)))
    assert response.status_code == 503
    assert "ہم آپ کی ریکارڈنگ محفوظ نہیں کر سکے" in response.content.decode()
