"""Reading an HR feed file: CSV text with a header row, `,` or `;` (or tab) between cells.

The file is UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one). The
first non-blank row is the header; blank rows are skipped; a row shorter than the header has
empty cells at the end. Every row keeps the line it starts on, so messages can point at it.
A file that cannot be read as a whole (not UTF-8, empty, no header, a header naming a column
twice, too large) raises `HrFileError`; a single unreadable row does not.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_FILE_CHARS = 20_000_000
MAX_ROWS = 100_000
MAX_CELL_CHARS = 2_000
DELIMITERS = (",", ";", "\t")


class HrFileError(ValidationError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class HrRow:
    line: int
    cells: tuple[str, ...]
    problem: str = ""  # set when the row could not be read as cells


@dataclass
class HrTable:
    headers: list[str]
    rows: list[HrRow] = field(default_factory=list)
    delimiter: str = ","
    header_line: int = 1

    def column(self, row: HrRow, header: str) -> str:
        """The cell of `row` under `header` ('' when the row is short)."""
        index = self.headers.index(header)
        return row.cells[index] if index < len(row.cells) else ""


def decode_hr_file(content: str | bytes) -> str:
    """The text of the file; raises HrFileError when it is not UTF-8."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HrFileError(
            _(
                "The file is not UTF-8 text. Save it again as “CSV UTF-8 (comma delimited)” "
                "(Excel) or with UTF-8 encoding, and upload it again."
            )
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """The separator that splits the header line into the most cells (`,` when tied)."""
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        if len(cells) > best_count:
            best, best_count = delimiter, len(cells)
    return best


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip().strip(",;\t"):
            return line
    return ""


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line the record starts on, its cells or None, a problem) for every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            previous_end = reader.line_num
            yield start, None, _("The row cannot be read: %(error)s") % {"error": error}
            continue
        previous_end = reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells, ""


def read_hr_table(content: str | bytes) -> HrTable:
    """Read the header and rows of an HR feed file; raises HrFileError when it is unusable."""
    text = decode_hr_file(content).replace("\x00", "")
    if len(text) > MAX_FILE_CHARS:
        raise HrFileError(
            _("The file is too large: at most %(n)s million characters.")
            % {"n": MAX_FILE_CHARS // 1_000_000}
        )
    first = _first_line(text)
    if not first:
        raise HrFileError(_("The file is empty: it needs a header row and a row per person."))
    delimiter = sniff_delimiter(first)
    records = _records(text, delimiter)
    header_line, header_cells, problem = next(records)
    if header_cells is None:
        raise HrFileError(_("The header row cannot be read: %(problem)s") % {"problem": problem})
    headers = [cell.strip() for cell in header_cells]
    seen: set[str] = set()
    for header in headers:
        key = header.casefold()
        if header and key in seen:
            raise HrFileError(
                _("The header names the column “%(column)s” twice; rename one of them.")
                % {"column": header}
            )
        seen.add(key)
    if sum(1 for header in headers if header) < 2:
        raise HrFileError(
            _(
                "The first row should name the columns (e.g. Employee ID, Work Email, Name); "
                "only one column was found. Is the separator a comma or a semicolon?"
            )
        )
    table = HrTable(headers=headers, delimiter=delimiter, header_line=header_line)
    for line, cells, unreadable in records:
        if len(table.rows) >= MAX_ROWS:
            raise HrFileError(
                _("The file has more than %(n)s rows; split it into smaller files.")
                % {"n": f"{MAX_ROWS:,}"}
            )
        if cells is None:
            table.rows.append(HrRow(line=line, cells=(), problem=unreadable))
            continue
        cleaned = tuple(cell.strip() for cell in cells)
        problem = ""
        if any(len(cell) > MAX_CELL_CHARS for cell in cleaned):
            problem = _("A cell is longer than %(n)s characters.") % {"n": MAX_CELL_CHARS}
        elif any(cleaned[len(headers) :]):
            problem = _("The row has more cells than the header has columns.")
        table.rows.append(HrRow(line=line, cells=cleaned[: len(headers)], problem=problem))
    return table
