"""Cursor pagination: stable while new submissions arrive, and as fast on page 1,000 as on
page 1 (``WHERE id > cursor ORDER BY id``, never OFFSET)."""

from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        """DRF's cursor, refused (404) unless its position is an id: a forged cursor must
        not reach the database as text."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                position = int(cursor.position)
            except (TypeError, ValueError):
                raise NotFound(self.invalid_cursor_message) from None
            if not 0 <= position < 2**63 or not 0 <= cursor.offset <= self.offset_cutoff:
                raise NotFound(self.invalid_cursor_message)
        return cursor


class SmallCursorPagination(IdCursorPagination):
    page_size = 50
