"""Tables as CSV downloads that spreadsheets open safely and read correctly."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

# A cell starting with one of these is a formula to a spreadsheet: quote it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The value, with a text that a spreadsheet would run as a formula quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_download(
    *, filename: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV attachment of `header` and `rows`, every text cell made `spreadsheet_safe`."""
    buffer = io.StringIO()
    # A byte-order mark, so spreadsheets read non-ASCII names (Chinese, accents) as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_safe(value) for value in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
