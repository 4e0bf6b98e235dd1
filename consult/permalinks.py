"""A public page per published submission: what the report's quotes and counts link to.

Only published submissions have one; a held or removed submission, or an id from another
consultation, is a 404 that says nothing about why."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from consult.models import Stakeholder, Stance, Submission
from drafts.consultations import consultation_model


def submission_url(slug: str, pk: int) -> str:
    return reverse("consult:submission", kwargs={"slug": slug, "pk": pk})


def submission_url_prefix(slug: str) -> str:
    """The permalink address without its id, for building many at once: prefix + id + "/"."""
    return submission_url(slug, 0)[: -len("0/")]


@require_GET
def submission_permalink(request, slug: str, pk: int):
    consultation = consultation_model().objects.live().filter(slug=slug).order_by("pk").first()
    submission = (
        Submission.objects.published()
        .filter(consultation=consultation, pk=pk)
        .select_related("clause__version")
        .first()
        if consultation is not None
        else None
    )
    if submission is None:
        raise Http404(_("No published comment has that address."))
    clause = submission.clause
    context_url = consultation.url
    if clause is not None:
        context_url += f"?clause={clause.key}"
    return render(
        request,
        "consult/submission.html",
        {
            "page": consultation,
            "submission": submission,
            "clause": clause,
            "stance_label": dict(Stance.choices).get(submission.stance, ""),
            "stakeholder_label": dict(Stakeholder.choices).get(submission.stakeholder, ""),
            "in_context_url": f"{context_url}#comment-{submission.pk}",
        },
    )
