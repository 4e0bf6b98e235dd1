"""The OpenAPI schema says every answer an operation can give, errors included, so a
client (and schemathesis) can rely on it: 400 for a bad filter, 401 for a bad key, 404 for
an unknown object or cursor, 406 for an unsupported Accept, 429 over the limit."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(
            required=False, help_text="What was wrong, in the asked language."
        ),
        "error": serializers.CharField(required=False, help_text="The same, from a guard"),
    },
)
THROTTLED = inline_serializer(
    "Throttled",
    fields={
        "error": serializers.CharField(),
        "retry_after": serializers.IntegerField(help_text="Seconds; also the Retry-After header."),
    },
)
ERRORS = {
    "400": OpenApiResponse(ERROR, description="A parameter is not valid."),
    "401": OpenApiResponse(ERROR, description="The API key sent is not valid."),
    "404": OpenApiResponse(ERROR, description="No such object, or the cursor is not valid."),
    "406": OpenApiResponse(ERROR, description="No representation for the Accept header."),
    "429": OpenApiResponse(THROTTLED, description="Over the rate limit; see Retry-After."),
}


class PublicApiSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in ERRORS.items():
            if code not in responses:
                # In every media type the view renders (an annotation's errors come as
                # JSON-LD when ?format=jsonld asked for it).
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


def public_api_only(endpoints):
    """The schema describes /api/v1/ only (Wagtail's admin API is DRF too)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
