"""Reading admin forms: typed values, and what is wrong with each field, in staff words.

Errors are kept in the staff language. A form keeps what was typed, so a page shown
again with errors loses nothing.
"""

import math
import re
from datetime import date, datetime, time

from flask import request
from jinja2 import pass_context
from jinja2.runtime import Context
from werkzeug.datastructures import MultiDict

from app.admin.words import _
from app.errors import InvalidInput, StaffMessage
from app.models import MAX_ID
from app.outbox.planner import local_zone
from app.phone import InvalidPhoneNumber, normalise_phone
from app.sms.digits import normalise_digits

# The years a date typed on a staff page may have, as the API's dates: anything else is a
# typing mistake, and year 1 or 9999 would overflow what is computed from it.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_PAGE = 100_000  # far past any list: such a page is simply empty
# Control characters no one types (NUL, escape, C1 codes): PostgreSQL refuses NUL in text,
# and the others hide in what clients and colleagues are shown. Tab and line breaks are
# what a multi-line field sends; a single-line field's own check refuses them where they
# matter (phone numbers, web addresses).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def row_id(raw: str | None) -> int | None:
    """An id from a query value (?client_id=), or None when it is not one a row can have."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0")
    if not digits or len(digits) > len(str(MAX_ID)):  # int() of thousands of digits raises
        return None
    number = int(digits)
    return number if number <= MAX_ID else None


def page_number(raw: str | None) -> int:
    """The page of a list asked for in ?page=: 1 when missing or odd, at most MAX_PAGE."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return max(1, min(int(digits), MAX_PAGE))


def staff_text(message: str) -> str:
    """A domain error's message (marked with N_()) in the staff language, its values (a
    StaffMessage's) filled in after translation."""
    if isinstance(message, StaffMessage):
        return _(message.msgid, **message.variables)
    return _(message)


class Form:
    """The submitted (or initial) values of one form and the errors found in them."""

    def __init__(self, data: MultiDict | dict | None = None) -> None:
        if data is None:
            data = request.form if request.method == "POST" else MultiDict()
        self.data = data if isinstance(data, MultiDict) else MultiDict(data)
        self.errors: dict[str, str] = {}
        # Each field's label as the page shows it, told by the field macros
        # (templates/admin/components.html), so the error summary names the field.
        self.labels: dict[str, str] = {}

    def value(self, name: str, default: str = "") -> str:
        """What is in the field, as text, for showing it again. Every field is read through
        here: control characters are refused (the field gets an error) and left out of
        what is returned, so they reach no page and no database."""
        return self._visible(name, str(self.data.get(name, default) or ""))

    def values(self, name: str) -> list[str]:
        """Every value of a multi-choice field."""
        return [self._visible(name, str(v)) for v in self.data.getlist(name) if v]

    def _visible(self, name: str, value: str) -> str:
        if CONTROL_CHARACTERS.search(value) is None:
            return value
        self.fail(name, _("Remove the invisible control characters."))
        return CONTROL_CHARACTERS.sub("", value)

    def fail(self, name: str, message: str) -> None:
        """Record what is wrong with a field (the first problem found is kept)."""
        self.errors.setdefault(name, message)

    def label(self, name: str, text: str) -> str:
        """Remember the label a field is shown with, for the error summary; returns it."""
        self.labels[name] = text  # Markup from a template stays Markup
        return text

    def absorb(self, exc: InvalidInput, fields: dict[str, str] | None = None) -> None:
        """Take a domain error's field messages; `fields` renames domain fields to form ones."""
        for name, message in exc.errors.items():  # domain messages are marked with N_()
            self.fail((fields or {}).get(name, name), staff_text(message))

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.value(name).strip()
        if required and not value:
            self.fail(name, _("Fill this in."))
        elif len(value) > max_length:
            self.fail(name, _("This is too long."))
        return value

    def choice(self, name: str, choices, *, required: bool = True) -> str:
        """One of `choices` (as text), or "" with an error when the field holds anything
        else: what comes back is always safe to convert."""
        value = self.value(name)
        if not value and not required:
            return ""
        if value not in {str(c) for c in choices}:
            self.fail(name, _("Choose one of the options."))
            return ""
        return value

    def choices(self, name: str, choices) -> list[str]:
        allowed = {str(c) for c in choices}
        picked = self.values(name)
        if any(v not in allowed for v in picked):
            self.fail(name, _("Choose among the options."))
        return [v for v in picked if v in allowed]

    def boolean(self, name: str) -> bool:
        return self.value(name) in ("1", "on", "true", "yes")

    def integer(
        self, name: str, *, minimum: int, maximum: int, required: bool = True
    ) -> int | None:
        raw = normalise_digits(self.value(name)).strip()
        if not raw and not required:
            return None
        # isdigit() alone lets "²" through (int() refuses it), and int() of thousands of
        # digits raises.
        whole = raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum)) + 1
        if not whole or not minimum <= int(raw) <= maximum:
            self.fail(
                name,
                _(
                    "Give a whole number from %(minimum)d to %(maximum)d.",
                    minimum=minimum,
                    maximum=maximum,
                ),
            )
            return None
        return int(raw)

    def number(self, name: str, *, required: bool = False) -> float | None:
        raw = normalise_digits(self.value(name)).strip().replace(",", ".").replace(" ", "")
        if not raw and not required:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.fail(name, _("Give a number, like 12 or 7,5."))
            return None
        if not math.isfinite(value) or value < 0:  # "inf", "nan" and 1e400 parse as floats
            self.fail(name, _("Give a number, like 12 or 7,5."))
            return None
        return value

    def day(self, name: str, *, required: bool = True) -> date | None:
        raw = normalise_digits(self.value(name)).strip()
        if not raw and not required:
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            self.fail(name, _("Give a date like 2026-03-04."))
            return None
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.fail(
                name,
                _(
                    "Give a date between the years %(first)d and %(last)d.",
                    first=EARLIEST_YEAR,
                    last=LATEST_YEAR,
                ),
            )
            return None
        return day

    def clock(self, name: str, *, required: bool = True) -> time | None:
        raw = normalise_digits(self.value(name)).strip().replace(".", ":")
        if not raw and not required:
            return None
        try:
            return time.fromisoformat(raw if len(raw) > 2 else f"{raw}:00")
        except ValueError:
            self.fail(name, _("Give a time like 14:30."))
            return None

    def moment(self, day_name: str, clock_name: str) -> datetime | None:
        """A local date and clock time as an aware datetime in the unit's time zone."""
        day = self.day(day_name)
        clock = self.clock(clock_name)
        if day is None or clock is None:
            return None
        return datetime.combine(day, clock, tzinfo=local_zone())

    def phone(self, name: str, *, required: bool = True) -> str:
        raw = self.value(name).strip()
        if not raw and not required:
            return ""
        try:
            return normalise_phone(raw)
        except InvalidPhoneNumber:
            self.fail(
                name,
                _("This is not a phone number we can text. Write it like 070-123 45 67."),
            )
            return raw


@pass_context
def errors_on_page(context: Context) -> bool:
    """Whether a form on the page being rendered came back with errors: the layout then
    says so in the title, and renders the content once beforehand so that the error
    summary can name fields that come after it (templates/admin/layout.html)."""
    return any(isinstance(value, Form) and value.errors for value in context.get_all().values())
