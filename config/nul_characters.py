"""Refuse NUL characters in a request's address, query, form fields and cookies with a 400.

PostgreSQL cannot store or even compare text holding NUL (U+0000): any lookup or insert
with one fails with a database error, a 500. Django's form ``CharField`` already refuses
NUL, but many reads are not through forms: ``?code=`` and ``?clause=``, Wagtail's page
routing (each path segment becomes a slug lookup), the redirects middleware, the session
cookie. One check here, before any view, covers them all and every view added later; no
legitimate request carries a NUL, so nothing useful is lost. It sits after
``LocaleMiddleware`` so that the message is in the page's language.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(request) -> bool:
    if NUL in request.path:
        return True
    sources = [request.GET, request.COOKIES]
    if request.method == "POST":
        sources.append(request.POST)
        sources.append({upload.name or "": "" for upload in request.FILES.values()})
    for source in sources:
        items = source.lists() if hasattr(source, "lists") else source.items()
        for key, values in items:
            if NUL in key:
                return True
            for value in values if isinstance(values, list) else [values]:
                if NUL in str(value):
                    return True
    return False


def _wants_json(request) -> bool:
    if request.path.startswith("/api/"):  # the public API answers JSON only
        return True
    return request.path.endswith(".json") or "application/json" in request.headers.get("Accept", "")


class RefuseNulCharactersMiddleware:
    """A 400 with a message in the page's language (JSON for JSON clients); also for a
    form body that cannot be parsed, which this check is the first to read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = _has_nul(request)
        except MultiPartParserError:
            # A form body that cannot be parsed (no boundary, cut short) would otherwise
            # fail later, in the CSRF check or the view, as a 500.
            return _bad_request(request, _("The form data could not be read. Send the form again."))
        if refused:
            return _bad_request(
                request,
                _(
                    "Your request contains a NUL character (a zero byte), which is not "
                    "allowed. Remove it and try again."
                ),
            )
        return self.get_response(request)


def _bad_request(request, message: str):
    if _wants_json(request):
        return JsonResponse(
            {"error": message}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "400.html", {"message": message}, status=400)
