"""``{{ comment.language|text_attrs }}``: the ``lang`` and ``dir`` of text people wrote, for
any app's templates (frontend/text_direction.py says why)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from frontend.text_direction import lang_attrs

register = template.Library()


@register.filter
def text_attrs(language: str) -> str:
    """`` lang="ur" dir="rtl"`` for text written in ``language``."""
    return mark_safe(lang_attrs(language))  # noqa: S308 - a validated code only
