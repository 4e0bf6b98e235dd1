"""Lists a page at a time: every list a person can open is bounded."""

from __future__ import annotations

from django.core.paginator import Paginator


def page_of(request, queryset, size: int, param: str = "page"):
    """One page of ``queryset`` (a bad or past-the-end number gives the nearest page), with
    links to its neighbours that keep the rest of the query string."""
    page = Paginator(queryset, size).get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = link(page.next_page_number()) if page.has_next() else ""
    return page
