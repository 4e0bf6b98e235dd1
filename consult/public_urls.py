"""Public participation URLs (language-prefixed for Urdu: /ur/...)."""

from django.urls import include, path

from consult import views

app_name = "consult"

urlpatterns = [
    path("receipt/", views.receipt_lookup, name="receipt"),
    path("voice/", include("consult.voice.urls")),
]
