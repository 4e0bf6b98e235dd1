"""Files browsers ask for at fixed addresses."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.ico"


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """/favicon.ico: every browser asks for it, whatever the page links to."""
    return FileResponse(FAVICON.open("rb"), content_type="image/vnd.microsoft.icon")
