"""CSV for people who open it in a spreadsheet: every export is written here.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel, LibreOffice and
Google Sheets (``+cmd|' /C calc'!A0`` runs a program through DDE; ``=HYPERLINK(...)`` sends
other cells to a stranger's server); a leading tab or carriage return hides one from a quick
look. Following OWASP's advice on CSV injection, such a cell gets a single quote in front:
the spreadsheet shows it as text, and the words stay as written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_CHARS = 65536


def spreadsheet_safe(value):
    """The value as a spreadsheet will read it as text; anything but a string is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(
    fieldnames: list[str], rows: Iterable[Mapping], *, chunk_chars: int = CHUNK_CHARS
) -> Iterator[str]:
    """A streamed CSV: a UTF-8 byte-order mark (Excel then opens Urdu correctly), the header
    and the rows, every cell made safe, in pieces of about ``chunk_chars``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames)
    buffer.write("\ufeff")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
        if buffer.tell() > chunk_chars:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
