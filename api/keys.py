"""Authentication by API key: ``Authorization: Api-Key <key>`` or ``X-API-Key: <key>``.

Every endpoint is public: a key only raises the rate limit. A wrong or revoked key is a
401, so a client learns its key is bad instead of silently getting the lower limit.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiKey


def key_from(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:8].lower() == "api-key ":
        return header[8:].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        key = key_from(request)
        if not key:
            return None
        found = ApiKey.find(key[:200])
        if found is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        return (None, found)

    def authenticate_header(self, request):
        return "Api-Key"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.keys.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}
