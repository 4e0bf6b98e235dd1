"""The reading page's clause list: one template fragment per clause (cms/_clause.html).

Django's template engine costs about four times what the page's old hand-built HTML did
(bench/RESULTS.md, "comments"), so on the whole draft each clause's fragment is rendered
from plain values only (:func:`clause_values`: no model object reaches the template) and
cached under a digest of exactly those values, the language and the template's source. A
new comment changes one clause's values, so the first reader after it renders that clause
and takes the other 199 from the cache; nothing a fragment shows can change without changing
its key, so no invalidation is needed (the page-level list cache in consult/reading_cache.py
stays in front of this). A single clause's page carries the visitor's form and CSRF token:
it is rendered each time, from the same template and values.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CLAUSE_TEMPLATE = "cms/_clause.html"
FRAGMENT_TTL = 3600


def _comment_values(comment) -> dict:
    submitted = timezone.localtime(comment.submit_date)
    return {
        "pk": comment.pk,
        "level": comment.level,
        "stance": comment.stance,
        "stance_label": comment.stance_label,
        "public_name": comment.public_name,
        "stakeholder": comment.stakeholder,
        "stakeholder_label": comment.stakeholder_label,
        "organisation": comment.organisation,
        "source": comment.source,
        "source_label": comment.source_label,
        "submitted_iso": submitted.isoformat(),
        "submitted_date": date_format(submitted, "j F Y"),
        "anchor_language": comment.anchor_language,
        "anchor_exact": comment.anchor_exact,
        "anchor_status": comment.anchor_status,
        "written_on_exact": comment.written_on_exact,
        "written_on_version": comment.written_on_version,
        "language": comment.language,
        "comment": comment.comment,
        "proposed_wording": comment.proposed_wording,
    }


def _text(language: str, segments) -> dict:
    return {
        "language": language,
        "dir": "rtl" if language == "ur" else "ltr",
        "segments": [(text, marks) for text, marks in segments],
    }


def clause_texts(view, language: str) -> tuple[dict, dict | None, bool]:
    """The clause's text in the page's language, the other language's text a reader can
    switch to (or None), and whether the text shown is the English original standing in
    for a missing Urdu text."""
    english = _text("en", view.segments)
    urdu = _text("ur", view.segments_ur) if view.clause.text_ur else None
    if language == "ur":
        if urdu is not None:
            return urdu, english, False
        return english, None, True
    return english, urdu, False


def clause_values(view, *, page, version, is_open: bool, is_latest: bool, prefix: str) -> dict:
    """Everything cms/_clause.html shows of one clause, as plain values."""
    clause = view.clause
    text, other_text, english_fallback = clause_texts(view, get_language())
    return {
        "language": get_language(),
        "taking_comments": bool(is_open and is_latest),
        "version_query": "" if is_latest or version is None else str(version.number),
        "max_thread_level": settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
        "permalink_prefix": prefix,
        "pk": clause.pk,
        "key": clause.key,
        "identifier": clause.identifier,
        "heading": clause.heading,
        "heading_ur": clause.heading_ur,
        "stance_counts": [(value, str(label), n) for value, label, n in view.stance_counts],
        "text": text,
        "other_text": other_text,
        "english_fallback": english_fallback,
        "urdu_behind": clause.text_ur_behind,
        "total": view.total,
        "comments": [_comment_values(c) for c in view.comments],
        "earlier": [_comment_values(c) for c in view.earlier],
        "earlier_total": view.earlier_total,
    }


_template_digest: str | None = None


def _template_source_digest() -> str:
    """The clause template's own source, so an edited template is never served stale."""
    global _template_digest
    if _template_digest is None:
        origin = get_template(CLAUSE_TEMPLATE).origin
        _template_digest = hashlib.sha256(Path(origin.name).read_bytes()).hexdigest()[:16]
    return _template_digest


def _fragment_key(values: dict) -> str:
    digest = hashlib.sha256(repr(values).encode("utf-8")).hexdigest()
    return f"reading:clause:{_template_source_digest()}:{digest}"


def clause_items(views, *, page, version, is_open, is_latest, prefix) -> list[str]:
    """The whole draft's clauses as HTML fragments, from the cache where their values are
    unchanged."""
    values = [
        clause_values(
            v, page=page, version=version, is_open=is_open, is_latest=is_latest, prefix=prefix
        )
        for v in views
    ]
    keys = [_fragment_key(v) for v in values]
    found = cache.get_many(keys)
    template = get_template(CLAUSE_TEMPLATE)
    missing = {}
    items = []
    for key, clause in zip(keys, values, strict=True):
        html = found.get(key)
        if html is None:
            html = missing[key] = template.render({"c": clause})
        items.append(mark_safe(html))  # our own template, every value escaped in it
    if missing:
        cache.set_many(missing, FRAGMENT_TTL)
    return items


def clause_page_item(view, context: dict, *, prefix: str) -> str:
    """One clause's own page: the same fragment with the visitor's form (not cached)."""
    values = clause_values(
        view,
        page=context["page"],
        version=context["version"],
        is_open=context["is_open"],
        is_latest=context["is_latest"],
        prefix=prefix,
    )
    return render_to_string(
        CLAUSE_TEMPLATE,
        {**context, "c": values, "with_form": True, "client_token": view.client_token},
        request=context.get("request"),
    )


def latest_clause_items(*, page, version, is_open: bool, prefix: str) -> list[str]:
    """The latest version's clauses as HTML fragments, each kept under its clause's own
    generation (consult.reading_cache.clause_generations): a new comment changes one
    clause, and only that clause is read from the database and rendered again. Under a
    deadline flood every comment had made the next reader count and rank the comments of
    the whole draft (a third of the servers' CPU in bench-load)."""
    from consult import reading_cache
    from consult.selectors import attach_earlier_wording, clause_views

    keys = list(version.clauses.order_by("position").values_list("key", flat=True))
    tokens = reading_cache.clause_generations(page.pk, keys)
    prefix_parts = (
        "reading:latest-clause",
        _template_source_digest(),
        page.pk,
        page.latest_revision_id,
        version.pk,
        get_language(),
        int(is_open),
        prefix,
    )
    cache_keys = {key: ":".join(map(str, (*prefix_parts, key, tokens[key]))) for key in keys}
    found = cache.get_many(list(cache_keys.values()))
    missing = [key for key in keys if cache_keys[key] not in found]
    if missing:
        views = clause_views(version, is_latest=True, only_keys=missing)
        attach_earlier_wording(views, version)
        items = clause_items(
            views, page=page, version=version, is_open=is_open, is_latest=True, prefix=prefix
        )
        fresh = {cache_keys[v.clause.key]: str(html) for v, html in zip(views, items, strict=True)}
        # The page list's bound on anything no signal tells of (a queryset update).
        cache.set_many(fresh, reading_cache.CLAUSE_LIST_TTL)
        found.update(fresh)
    return [mark_safe(found[cache_keys[key]]) for key in keys if cache_keys[key] in found]
