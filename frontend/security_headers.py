"""Headers every answer carries: a Content-Security-Policy and a Permissions-Policy.

The CSP is django-csp's (``CONTENT_SECURITY_POLICY`` in settings): scripts and styles only
from our own static files, nothing inline, so a stored script that slips past escaping
still cannot run. Wagtail's admin needs inline styles and scripts of its own; the looser
``CSP_ADMIN_UPDATE`` applies only under ``CSP_ADMIN_PATH_PREFIXES``.

The Permissions-Policy (``PERMISSIONS_POLICY``) turns powerful browser features off for every
page. A view that needs one (the voice recorder needs the microphone) allows it on its own
response with ``allow_features``. django-permissions-policy sets one header for the whole
site with no per-view exception, hence these few lines.
"""

from __future__ import annotations

from functools import wraps

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

HEADER = "Permissions-Policy"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the admin's wider policy on the admin's paths only."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        prefixes = tuple(getattr(settings, "CSP_ADMIN_PATH_PREFIXES", ()))
        if not report_only and prefixes and request.path_info.startswith(prefixes):
            parts.update = {**getattr(settings, "CSP_ADMIN_UPDATE", {}), **(parts.update or {})}
        return parts


def _origins(origins) -> str:
    return " ".join(o if o in ("self", "*") else f'"{o}"' for o in origins)


def permissions_policy(allowed: dict[str, list[str]] | None = None) -> str:
    """The header's value: every feature off unless ``allowed`` names origins for it."""
    features = {**settings.PERMISSIONS_POLICY, **(allowed or {})}
    return ", ".join(f"{name}=({_origins(origins)})" for name, origins in features.items())


def allow_features(response, **features: list[str]):
    """Allow features on this one response, e.g. ``allow_features(r, microphone=["self"])``."""
    allowed = {**getattr(response, "permissions_policy_allowed", {})}
    allowed.update({name.replace("_", "-"): list(origins) for name, origins in features.items()})
    response.permissions_policy_allowed = allowed
    return response


def permissions_allowed(**features: list[str]):
    """View decorator: ``@permissions_allowed(microphone=["self"])``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return allow_features(view(request, *args, **kwargs), **features)

        return wrapped

    return decorator


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = permissions_policy(
                getattr(response, "permissions_policy_allowed", None)
            )
        return response
