"""Non-digital access: a printable consultation pack (PDF, English and Urdu) and the
facilitator screen that enters paper and phone submissions through ``services.submit``.

Both are thin adapters: the pack only reads the published draft version; the facilitator
screen validates a form and calls ``services.enter_for_participant``, which checks the
facilitator's permission, submits and records *who entered it* in the one audit log.
"""

from __future__ import annotations

import functools
import hashlib
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from consult import roles, services
from consult.models import DisplayMode, Source, Stakeholder, Stance
from consult.receipts import pop_confirmation, remember_confirmation
from drafts.consultations import Consultation, consultation_model
from frontend.form_errors import add_service_errors
from text.languages import LANGUAGE_NAMES

FACILITATED_SOURCES = [
    (Source.PAPER.value, Source.PAPER.label),
    (Source.PHONE.value, Source.PHONE.label),
]


def _consultation(slug: str) -> Consultation:
    page = consultation_model().objects.live().filter(slug=slug).order_by("pk").first()
    if page is None:
        raise Http404(_("No published consultation has that address."))
    return page


PACK_TEMPLATES = ("facilitation/pack.html", "facilitation/_pack_form.html")
PACK_CACHE_SECONDS = 7 * 24 * 3600


@require_GET
def consultation_pack(request, slug: str):
    """The draft with a paper comment form per language, as one printable PDF: the same
    for every reader, so it is made once per published draft and served from the cache."""
    page = _consultation(slug)
    version = page.current_version()
    key = pack_cache_key(page, version)
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pack(page, version)
        cache.set(key, pdf, PACK_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{page.slug}-pack.pdf"'
    return response


def render_pack(page, version) -> bytes:
    from weasyprint import HTML  # imported here: loading pango is slow and only needed here

    with translation.override("en"):  # the same pack whichever page it was opened from
        html = _render_pack_html(page, version)
    return HTML(string=html, base_url=settings.SITE_URL + "/").write_pdf()


def _render_pack_html(page, version) -> str:
    return render_to_string(
        "facilitation/pack.html",
        {
            "page": page,
            "version": version,
            "clauses": list(version.clauses.all()) if version else [],
            "stances": Stance.choices,
            "stakeholders": Stakeholder.choices,
            # Printed, so from settings: a request may come through a proxy or localhost.
            "page_url": settings.SITE_URL + _url_in(page, "en"),
            "page_url_ur": settings.SITE_URL + _url_in(page, "ur"),
            "postal_address": settings.POSTAL_ADDRESS,
            "postal_address_ur": settings.POSTAL_ADDRESS_UR or settings.POSTAL_ADDRESS,
        },
    )


def _url_in(page, language: str) -> str:
    with translation.override(language):
        return page.get_url(None)


def pack_cache_key(page, version) -> str:
    """Changes with the published draft, the page (title, dates, summary), the addresses
    printed and the templates, so a stale pack is never served."""
    parts = [
        page.pk,
        version.pk if version else 0,
        page.last_published_at.isoformat() if page.last_published_at else "",
        settings.SITE_URL,
        settings.POSTAL_ADDRESS,
        settings.POSTAL_ADDRESS_UR,
        _templates_digest(),
    ]
    return "pack:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@functools.cache
def _templates_digest() -> str:
    sources = [get_template(name).template.source for name in PACK_TEMPLATES]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()


class FacilitatedSubmissionForm(forms.Form):
    """What a facilitator copies from a paper form or notes from a phone call."""

    source = forms.ChoiceField(
        label=_("Received as"), choices=FACILITATED_SOURCES, widget=forms.RadioSelect
    )
    clause = forms.TypedChoiceField(label=_("Clause"), coerce=int, required=False, empty_value=None)
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices)
    stakeholder = forms.ChoiceField(label=_("Stakeholder category"), choices=Stakeholder.choices)
    organisation = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=255,
        help_text=_("Required when the participant speaks for an organisation."),
    )
    language = forms.ChoiceField(label=_("Language of the comment"))
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 8}))
    proposed_wording = forms.CharField(
        label=_("Proposed wording"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    name = forms.CharField(
        label=_("Participant's name"),
        required=False,
        max_length=50,
        help_text=_("Leave empty if the participant did not give a name."),
    )
    display_mode = forms.ChoiceField(
        label=_("Show publicly as"), choices=DisplayMode.choices, initial=DisplayMode.PSEUDONYMOUS
    )
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        version = consultation.current_version()
        clauses = list(version.clauses.all()) if version else []
        self.fields["clause"].choices = [("", _("The whole draft"))] + [
            (clause.pk, f"{clause.identifier} {clause.heading}".strip()) for clause in clauses
        ]
        self.fields["language"].choices = [
            (code, LANGUAGE_NAMES.get(code, code)) for code in consultation.language_codes()
        ]
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4().hex)


def facilitate(request, slug: str):
    """Facilitators (only) enter paper and phone submissions on a participant's behalf."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if not roles.is_facilitator(request.user):
        raise PermissionDenied(_("Only facilitators can enter paper and phone submissions."))
    page = _consultation(slug)
    form = FacilitatedSubmissionForm(request.POST or None, consultation=page)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = services.enter_for_participant(
                page,
                services.SubmissionInput(
                    text=data["text"],
                    stance=data["stance"],
                    stakeholder=data["stakeholder"],
                    organisation=data["organisation"],
                    language=data["language"],
                    clause_id=data["clause"],
                    proposed_wording=data["proposed_wording"],
                    name=data["name"],
                    display_mode=data["display_mode"],
                    source=data["source"],
                    client_token=data["client_token"],
                ),
                facilitator=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            remember_confirmation(request, submission)
            return redirect(reverse("consult:facilitate", kwargs={"slug": slug}))
    response = render(
        request,
        "facilitation/facilitate.html",
        {"page": page, "form": form, "entered": pop_confirmation(request)},
    )
    add_never_cache_headers(response)
    return response
