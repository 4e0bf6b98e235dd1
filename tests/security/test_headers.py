"""Every HTML answer carries a Content-Security-Policy and a Permissions-Policy.

Public pages get the strict policy (scripts and styles from our static files only) and, to
keep that policy honest, contain no inline script, no style attribute and no event-handler
attribute. The admin's looser policy stays on the admin's paths. The microphone is allowed
only on the voice record page.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms.models import TownHallPage
from consult import roles

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def directives(header: str) -> dict[str, list[str]]:
    parts = (item.strip().split() for item in header.split(";") if item.strip())
    return {name: values for name, *values in parts}


def public_urls(demo) -> list[str]:
    clause = demo.current_version().clauses.first()
    town_hall = TownHallPage.objects.live().first()
    urls = [
        "/",
        demo.url,
        f"{demo.url}?clause={clause.pk}",
        f"/ur{demo.url}",
        reverse("moderation:receipt"),
        reverse("consult:voice:record", kwargs={"slug": demo.slug}),
        reverse("moderation:transparency", kwargs={"page_id": demo.pk}),
        reverse("moderation:privacy"),
        "/no-such-page/",
    ]
    if town_hall:
        urls.append(town_hall.url)
    return urls


def assert_strict_csp(response, url):
    assert "text/html" in response["Content-Type"], url
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], url
    assert policy["style-src"] == ["'self'"], url
    assert policy["object-src"] == ["'none'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], url


@pytest.mark.django_db
def test_public_pages_have_a_strict_csp_and_nothing_inline(client, demo):
    for url in public_urls(demo):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert_strict_csp(response, url)
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
        assert not STYLE_ATTRIBUTE.search(html), (url, STYLE_ATTRIBUTE.search(html).group(0))
        assert not STYLE_ELEMENT.search(html), url
        assert not EVENT_HANDLER.search(html), (url, EVENT_HANDLER.search(html).group(0))


@pytest.mark.django_db
def test_form_error_answers_have_the_csp_too(client, demo):
    response = client.post(reverse("consult:voice:record", kwargs={"slug": demo.slug}), {})
    assert response.status_code == 400
    assert_strict_csp(response, "voice record POST")


@pytest.mark.django_db
def test_permissions_policy_turns_the_microphone_off_except_on_the_recorder(client, demo):
    record = reverse("consult:voice:record", kwargs={"slug": demo.slug})
    for url in public_urls(demo):
        response = client.get(url)
        policy = response["Permissions-Policy"]
        for feature in ("camera", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (url, policy)
        if url == record:
            assert "microphone=(self)" in policy, policy
        else:
            assert "microphone=()" in policy, (url, policy)


def staff(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", password="pw-for-tests-only", is_staff=True, is_superuser=True
    )
    user.groups.add(Group.objects.get_or_create(name=roles.MODERATOR)[0])
    return user


@pytest.mark.django_db
def test_admin_pages_have_a_csp_and_permissions_policy(client, demo, django_user_model):
    assert "Content-Security-Policy" in client.get("/admin/login/")
    client.force_login(staff(django_user_model))
    urls = [
        "/admin/",
        f"/admin/pages/{demo.pk}/edit/",
        "/admin/moderation/",
        "/django-admin/",
    ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert "text/html" in response["Content-Type"], url
        policy = directives(response["Content-Security-Policy"])
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'self'"], url
        assert "microphone=()" in response["Permissions-Policy"], url


@pytest.mark.django_db
def test_admin_leniency_does_not_reach_public_paths(client, demo):
    """A public path that merely contains "admin" gets the strict policy."""
    response = client.get("/ur/admin-guide/")
    assert_strict_csp(response, "/ur/admin-guide/")


@pytest.mark.django_db
def test_jitsi_town_hall_lets_only_the_stream_frame_use_camera_and_microphone(client, demo):
    town_hall = TownHallPage.objects.live().first()
    if town_hall is None:
        pytest.skip("the demo has no town hall")
    town_hall.stream_url = "https://meet.jit.si/consultation-room"
    town_hall.save_revision().publish()
    response = client.get(town_hall.url)
    policy = response["Permissions-Policy"]
    assert 'microphone=("https://meet.jit.si")' in policy
    assert 'camera=("https://meet.jit.si")' in policy
    assert "https://meet.jit.si" in directives(response["Content-Security-Policy"])["frame-src"]


# Rendered to PDF by WeasyPrint only, never served to a browser as HTML.
PDF_ONLY_TEMPLATES = {"cms/report_page_pdf.html", "facilitation/pack.html"}


def test_no_template_has_inline_script_or_style():
    """The source check behind the strict policy: it covers templates the pages above do not
    render (forms shown only with a receipt's decisions, the admin's own templates)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "frontend" / "templates"
    found = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name in PDF_ONLY_TEMPLATES:
            continue
        source = path.read_text()
        for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT, EVENT_HANDLER):
            if match := pattern.search(source):
                found.append((name, match.group(0)))
    assert found == []
