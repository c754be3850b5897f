"""Reading an online meeting's attendee list (the CSV Zoom, Teams, Meet or Webex export).

Exports differ: a preamble before the header (Zoom's report title and meeting facts), several
sections each with its own header (Zoom's Host / Panelist / Attendee Details), tabs or
semicolons instead of commas, a byte-order mark, "Name <a@b.c>" cells. So the reader looks for
a header row with an email column wherever it is, re-binds on each new header, and falls back
to picking the address out of each row when there is no header at all. It never raises on a
bad row: the row goes to `bad_rows` with its line number and why.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_LIST_CHARS = 5_000_000
MAX_LIST_ROWS = 50_000
MAX_CELL_CHARS = 10_000

# Header names of the email column, best first (compared after `_header_key`).
EMAIL_HEADERS = (
    "email",
    "email address",
    "e mail",
    "e mail address",
    "attendee email",
    "attendee email address",
    "participant email",
    "user email",
    "guest email",
    "registrant email",
    "mail",
)
ATTENDED_HEADERS = ("attended", "attendance", "attended yes no")
NOT_ATTENDED = {"no", "n", "false", "0", "absent", "did not attend"}
EMAIL_IN_TEXT = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+\.[^\s<>\"',;:()\[\]]+")


@dataclass(frozen=True)
class AttendeeRow:
    line: int
    email: str


@dataclass
class AttendeeList:
    attendees: list[AttendeeRow] = field(default_factory=list)
    rows: int = 0
    not_attended: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    email_column: str = ""


def _header_key(cell: str) -> str:
    """'Attendee Email Address:' → 'attendee email address'; '(UPN)' → 'upn'."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", cell.lower()).split())


def _email_column(row: list[str], *, loose: bool) -> int | None:
    """The index of the email column if `row` is a header row, else None. `loose` also takes
    any header mentioning email or UPN; once a header is known, only the usual names start a
    new section, so a data row holding the word "email" is not mistaken for one."""
    keys = [_header_key(cell) for cell in row]
    if any("@" in cell for cell in row):
        return None
    for wanted in EMAIL_HEADERS:
        if wanted in keys:
            return keys.index(wanted)
    if not loose:
        return None
    for index, key in enumerate(keys):
        if "email" in key.split() or "e mail" in key:
            return index
    for index, key in enumerate(keys):
        if "upn" in key.split():
            return index
    return None


def _attended_column(row: list[str]) -> int | None:
    keys = [_header_key(cell) for cell in row]
    for index, key in enumerate(keys):
        if key in ATTENDED_HEADERS:
            return index
    return None


def _delimiter(text: str) -> str:
    """The separator of the file: the one of , ; tab that splits its first lines most."""
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in sample) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def clean_email(value: str) -> str:
    """The address inside a cell ('Ada <ADA@x.com>', 'mailto:ada@x.com'), lower-cased; ''
    when the cell holds nothing; raises ValidationError when it is not an address."""
    value = value.strip().strip('"').strip()
    if not value:
        return ""
    inside = re.search(r"<([^<>]+)>", value)
    if inside:
        value = inside.group(1).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].strip()
    value = value.lower()
    if len(value) > 254:
        raise ValidationError(_("the email address is too long"))
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not an email address") % {"value": value[:80]}
        ) from None
    return value


def read_attendee_list(text: str) -> AttendeeList:
    """Parse an attendee list; raises ValidationError only when the file as a whole is unusable
    (empty, too big, no email address anywhere)."""
    if not isinstance(text, str):
        raise ValidationError(_("The attendee list must be text."))
    if len(text) > MAX_LIST_CHARS:
        raise ValidationError(
            _("The attendee list is too large (over %(n)s MB).")
            % {"n": MAX_LIST_CHARS // 1_000_000}
        )
    text = text.lstrip("\ufeff").replace("\x00", "")
    if not text.strip():
        raise ValidationError(_("The attendee list is empty."))
    result = _read(text, header_required=True)
    if not result.email_column:
        result = _read(text, header_required=False)
    if not result.attendees and not result.not_attended:
        raise ValidationError(
            _(
                "No email address found in the attendee list. Export it with the participants' "
                "emails (a column named Email, Email Address or Attendee Email)."
            )
        )
    return result


def _read(text: str, *, header_required: bool) -> AttendeeList:
    result = AttendeeList()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    email_at: int | None = None
    attended_at: int | None = None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # e.g. a field beyond csv's size limit
            result.bad_rows.append((reader.line_num, _("unreadable: %(e)s") % {"e": error}))
            continue
        line = reader.line_num
        if line > MAX_LIST_ROWS:
            result.bad_rows.append(
                (line, _("the list stops being read after %(n)s lines") % {"n": MAX_LIST_ROWS})
            )
            break
        cells = [cell.strip() for cell in row]
        filled = [cell for cell in cells if cell]
        if not filled:
            continue
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            result.bad_rows.append((line, _("a cell is too long")))
            continue
        header = _email_column(cells, loose=email_at is None)
        if header is not None:
            email_at, attended_at = header, _attended_column(cells)
            result.email_column = result.email_column or row[header].strip()
            continue
        if header_required:
            if email_at is None:
                continue  # a preamble before the first header
            if len(filled) == 1 and "@" not in filled[0]:
                continue  # a section title ("Attendee Details")
            result.rows += 1
            _take_bound_row(result, cells, line, email_at, attended_at)
        else:
            result.rows += 1
            _take_scanned_row(result, cells, line)
    return result


def _take_bound_row(
    result: AttendeeList, cells: list[str], line: int, email_at: int, attended_at: int | None
) -> None:
    attended = cells[attended_at] if attended_at is not None and attended_at < len(cells) else ""
    if attended.strip().lower() in NOT_ATTENDED:
        result.not_attended += 1
        return
    value = cells[email_at] if email_at < len(cells) else ""
    try:
        email = clean_email(value)
    except ValidationError as error:
        result.bad_rows.append((line, " ".join(error.messages)))
        return
    if not email:
        result.bad_rows.append((line, _("no email address in the email column")))
        return
    result.attendees.append(AttendeeRow(line=line, email=email))


def _take_scanned_row(result: AttendeeList, cells: list[str], line: int) -> None:
    for cell in cells:
        found = EMAIL_IN_TEXT.search(cell)
        if found:
            try:
                email = clean_email(found.group(0))
            except ValidationError as error:
                result.bad_rows.append((line, " ".join(error.messages)))
                return
            result.attendees.append(AttendeeRow(line=line, email=email))
            return
    result.bad_rows.append((line, _("no email address in this row")))
