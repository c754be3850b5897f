"""Reading one cell of an HR feed: dates, emails, time zones, countries, employment status.

Each reader returns the clean value or raises `CellError` with a message for the row report.

Dates: ISO (2026-03-25, also with a time after it), 2026/03/25, 25.03.2026, 20260325,
25 Mar 2026 / March 25, 2026, and 25/03/2026 or 25-03-2026 — day first unless the import's
date order says month first (03/25/2026), which the mapping suggests from the file's dates.
Years have four digits: "03/25/26" is refused rather than guessed.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from practica.people.models import TIME_ZONES

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
ACTIVE_STATUSES = frozenset(
    {
        "active",
        "a",
        "employed",
        "current",
        "hired",
        "on leave",
        "leave of absence",
        "yes",
        "y",
        "true",
        "1",
    }
)
LEAVER_STATUSES = frozenset(
    {
        "terminated",
        "t",
        "leaver",
        "left",
        "inactive",
        "i",
        "former",
        "withdrawn",
        "separated",
        "resigned",
        "retired",
        "exited",
        "no",
        "n",
        "false",
        "0",
    }
)
_TIME_ZONES_FOLDED = {name.casefold(): name for name in TIME_ZONES}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ][0-9:.+\-z]*)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})[ \-]([a-z]+)\.?[ ,\-]*(\d{4})$")
_MONTH_NAME_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2}),? (\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")


class CellError(ValueError):
    """A cell's value is not usable; str(error) is the message for the row report."""


def date_formats_text(date_order: str) -> str:
    example = "25/03/2026" if date_order != "mdy" else "03/25/2026"
    return _(
        "Accepted dates: 2026-03-25 (ISO), 25.03.2026, %(slashed)s, 25 Mar 2026, 20260325."
    ) % {"slashed": example}


def parse_date(value: str, *, date_order: str = "dmy") -> date:
    """The date written in `value` (see the module docstring for the formats)."""
    text = " ".join(value.strip().casefold().split())
    parts: tuple[int, int, int] | None = None  # year, month, day
    ordered_by_setting = False  # only slashed dates are read by the file's day/month order
    if match := _ISO.match(text) or _YEAR_FIRST.match(text) or _COMPACT.match(text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _DOTTED.match(text):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif match := _SLASHED.match(text):
        first, second = int(match[1]), int(match[2])
        day, month = (second, first) if date_order == "mdy" else (first, second)
        parts = (int(match[3]), month, day)
        ordered_by_setting = True
    elif (match := _DAY_MONTH_NAME.match(text)) and match[2] in MONTHS:
        parts = (int(match[3]), MONTHS[match[2]], int(match[1]))
    elif (match := _MONTH_NAME_DAY.match(text)) and match[1] in MONTHS:
        parts = (int(match[3]), MONTHS[match[1]], int(match[2]))
    if parts is None:
        if _SHORT_YEAR.match(text):
            raise CellError(
                _("“%(value)s” has a two-digit year; write the year with four digits. %(formats)s")
                % {"value": value, "formats": date_formats_text(date_order)}
            )
        raise CellError(
            _("“%(value)s” is not a date. %(formats)s")
            % {"value": value[:40], "formats": date_formats_text(date_order)}
        )
    year, month, day = parts
    try:
        result = date(year, month, day)
    except ValueError:
        if not ordered_by_setting:
            raise CellError(
                _("“%(value)s” is not a valid date. %(formats)s")
                % {"value": value, "formats": date_formats_text(date_order)}
            ) from None
        order = _("month first") if date_order == "mdy" else _("day first")
        raise CellError(
            _("“%(value)s” is not a valid date (read %(order)s). %(formats)s")
            % {"value": value, "order": order, "formats": date_formats_text(date_order)}
        ) from None
    if not 1900 <= result.year <= 2200:
        raise CellError(_("“%(value)s” is not a plausible date.") % {"value": value})
    return result


def slashed_date_order(values: Iterable[str]) -> str:
    """ "mdy" when the file's slashed dates can only be month first (03/25/2026), else "dmy"."""
    day_first = month_first = 0
    for value in values:
        match = _SLASHED.match(value.strip())
        if not match:
            continue
        first, second = int(match[1]), int(match[2])
        day_first += first > 12 >= second
        month_first += second > 12 >= first
    return "mdy" if month_first and not day_first else "dmy"


def clean_email(value: str) -> str:
    email = value.strip().lower()
    if email.startswith("mailto:"):
        email = email[7:]
    try:
        validate_email(email)
    except ValidationError:
        raise CellError(_("“%(value)s” is not an email address.") % {"value": value[:80]}) from None
    if len(email) > 254:
        raise CellError(_("The email address is longer than 254 characters."))
    return email


def clean_time_zone(value: str) -> str:
    """An IANA time zone name (case-insensitive: "europe/berlin" → "Europe/Berlin")."""
    name = _TIME_ZONES_FOLDED.get(value.strip().replace(" ", "_").casefold())
    if name is None:
        raise CellError(
            _("“%(value)s” is not a known time zone; use an IANA name such as Europe/Berlin.")
            % {"value": value[:64]}
        )
    return name


def clean_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise CellError(
            _("“%(value)s” is not a country code; use two letters, e.g. DE or CN.")
            % {"value": value[:40]}
        )
    return code


def is_leaver_status(value: str) -> bool:
    """True for terminated/leaver/inactive…, False for active/employed…; raises otherwise."""
    key = " ".join(value.strip().casefold().replace("_", " ").split())
    if key in LEAVER_STATUSES:
        return True
    if key in ACTIVE_STATUSES:
        return False
    raise CellError(
        _(
            "“%(value)s” is not a status this import knows: use active or terminated "
            "(also: %(more)s)."
        )
        % {"value": value[:40], "more": "employed, leaver, left, inactive, withdrawn"}
    )


def clean_text(value: str, *, limit: int) -> str:
    text = " ".join(value.split())
    if len(text) > limit:
        raise CellError(_("Keep this to %(limit)d characters.") % {"limit": limit})
    return text


def iso_or_none(day: date | datetime | None) -> str | None:
    return day.isoformat() if day is not None else None
