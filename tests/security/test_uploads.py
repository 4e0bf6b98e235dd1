"""Uploaded audio is stored and served so that no upload can become a page.

A voice note is a file a stranger chose. The server names it from what PyAV decoded, never
from the client's name, and hands it back only as audio, as a download, never sniffed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consult import roles
from consult.voice.models import VoiceNote
from tests.voice_helpers import need

SCRIPT = "<script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def private_audio_root(settings, tmp_path):
    settings.VOICE_AUDIO_ROOT = tmp_path / "voice-audio"
    return settings.VOICE_AUDIO_ROOT


@pytest.fixture
def wav_with_script(tmp_path) -> Path:
    """A real spoken WAV (espeak-ng) whose INFO metadata (ICMT) carries a script tag."""
    spoken = tmp_path / "spoken.wav"
    subprocess.run(
        [need("espeak-ng"), "-v", "en", "-w", str(spoken), "I support this clause."], check=True
    )
    target = tmp_path / "tagged.wav"
    subprocess.run(
        [need("ffmpeg"), "-loglevel", "error", "-i", str(spoken), "-c", "copy"]
        + ["-metadata", f"comment=<html><body>{SCRIPT}</body></html>", str(target)],
        check=True,
    )
    assert SCRIPT.encode() in target.read_bytes()
    return target


def post_note(client, demo, path: Path, name: str, **overrides):
    data = {
        "audio": SimpleUploadedFile(name, path.read_bytes(), content_type="text/html"),
        "stance": "support",
        "stakeholder": "individual",
        "display_mode": "pseudonymous",
        "language_hint": "",
        "consent": "on",
    }
    data.update(overrides)
    return client.post(reverse("consult:voice:record", kwargs={"slug": demo.slug}), data)


def moderator(django_user_model):
    user = django_user_model.objects.create_user("mod", password="pw-for-tests-only")
    user.groups.add(Group.objects.get_or_create(name=roles.MODERATOR)[0])
    return user


def test_wav_named_html_is_stored_under_the_servers_name(client, demo, wav_with_script):
    response = post_note(client, demo, wav_with_script, "note.html")
    assert response.status_code == 302, response.content[:2000]
    note = VoiceNote.objects.get()
    stored = Path(note.audio.path)
    assert stored.suffix == ".wav"
    assert "note" not in stored.name and "html" not in stored.name
    assert stored.stem == note.public_id.hex
    assert note.original_filename == "note.html"  # kept for the record, never used as a name


def test_wav_named_html_is_served_as_audio_attachment(
    client, demo, wav_with_script, django_user_model
):
    post_note(client, demo, wav_with_script, "note.html")
    note = VoiceNote.objects.get()
    client.force_login(moderator(django_user_model))
    response = client.get(reverse("consult:voice:audio", kwargs={"public_id": note.public_id}))
    assert response.status_code == 200
    assert response["Content-Type"] in {"audio/wav", "audio/x-wav"}
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"{note.public_id.hex}.wav" in disposition and "html" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == wav_with_script.read_bytes()


def test_ogg_named_mp3_is_stored_and_served_as_ogg(client, demo, tmp_path, django_user_model):
    """The decoded container decides, whatever the name claims."""
    target = tmp_path / "tone.ogg"
    subprocess.run(
        [need("ffmpeg"), "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=1"]
        + ["-c:a", "libopus", str(target)],
        check=True,
    )
    assert post_note(client, demo, target, "voice.mp3").status_code == 302
    note = VoiceNote.objects.get()
    assert Path(note.audio.path).suffix == ".ogg"
    client.force_login(moderator(django_user_model))
    response = client.get(reverse("consult:voice:audio", kwargs={"public_id": note.public_id}))
    assert response["Content-Type"] == "audio/ogg"


def test_over_long_organisation_is_a_400_and_leaves_no_file(
    client, demo, wav_with_script, private_audio_root
):
    response = post_note(client, demo, wav_with_script, "note.wav", organisation="x" * 300)
    assert response.status_code == 400
    assert b"255" in response.content  # the message says what the limit is
    assert VoiceNote.objects.count() == 0
    files = [p for p in private_audio_root.rglob("*") if p.is_file()]
    assert files == []


def test_over_long_organisation_from_the_service_leaves_no_file(
    demo, wav_with_script, private_audio_root
):
    """The service itself refuses before writing, whatever form called it."""
    from django.core.exceptions import ValidationError

    from consult.voice import services

    with pytest.raises(ValidationError) as caught:
        services.accept_voice_note(
            demo,
            services.VoiceInput(
                stance="support", stakeholder="individual", consent=True, organisation="y" * 300
            ),
            SimpleUploadedFile("a.wav", wav_with_script.read_bytes()),
        )
    assert "organisation" in caught.value.message_dict
    assert VoiceNote.objects.count() == 0
    assert [p for p in private_audio_root.rglob("*") if p.is_file()] == []


def test_failed_row_write_removes_the_file(demo, wav_with_script, private_audio_root, monkeypatch):
    """If the database refuses the row after the file is written, the file goes too."""
    from django.db import DatabaseError

    from consult.voice import services

    def refuse(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(VoiceNote, "save", refuse)
    with pytest.raises(DatabaseError):
        services.accept_voice_note(
            demo,
            services.VoiceInput(stance="support", stakeholder="individual", consent=True),
            SimpleUploadedFile("a.wav", wav_with_script.read_bytes()),
        )
    assert [p for p in private_audio_root.rglob("*") if p.is_file()] == []
