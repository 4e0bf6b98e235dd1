"""Helpers for the reading page's templates (cms/_clause_list.html and its includes)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def phrase_around(phrase, placeholder: str) -> tuple[str, str]:
    """The text of a translated ``phrase`` before and after ``placeholder``, so a template
    can put its own (escaped) markup between them: ``{{ parts.0 }}<bdi>{{ org }}</bdi>
    {{ parts.1 }}`` keeps the translators' word order without building HTML in Python.
    Translate the phrase with ``{% blocktranslate asvar phrase with org="%(org)s" %}``:
    ``{% translate %}`` doubles a ``%`` in its msgid, so it would miss the catalogue."""
    before, _, after = str(phrase).partition(placeholder)
    return before, after
