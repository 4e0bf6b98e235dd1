"""Test-only URLconf: a minimal comment form marked ``data-offline-queue`` that writes through
``consult.services.submit`` (which deduplicates on ``client_token``), plus the real site."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponseRedirect
from django.template import engines
from django.urls import path

from cms.models import ConsultationPage
from config.urls import urlpatterns as site_urlpatterns
from consult import services

FORM = engines["django"].from_string(
    """{% extends "base.html" %}{% block content %}
<h1>Test comment form</h1>
<form method="post" action="{{ request.path }}" data-offline-queue>{% csrf_token %}
  <input type="hidden" name="client_token" value="">
  <label for="id_text">Comment</label>
  <textarea id="id_text" name="text"></textarea>
  <button type="submit">Send</button>
</form>{% endblock %}"""
)


def offline_form(request):
    if request.method == "POST":
        consultation = ConsultationPage.objects.live().first()
        services.submit(
            consultation,
            services.SubmissionInput(
                text=request.POST["text"],
                stance="amend",
                stakeholder="individual",
                client_token=request.POST.get("client_token") or None,
            ),
        )
        return HttpResponseRedirect(request.path + "?sent=1")
    return _render(request)


def _render(request):
    from django.http import HttpResponse

    return HttpResponse(FORM.render({}, request))


urlpatterns = (
    i18n_patterns(path("test-offline/", offline_form), prefix_default_language=False)
    + site_urlpatterns
)
