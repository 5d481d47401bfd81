"""Outcomes: whether the unit's reminders work and where, for its managers (the access
rule, may_see_unit_outcomes). Month by month, and by language, channel and message kind:
delivery, confirmation and no-show rates, and how fast callbacks are answered, as charts
with their numbers in tables beside them. The figures are app.casework.outcomes'."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from babel.numbers import format_percent
from flask import abort, render_template, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from app import access
from app.admin import bp
from app.admin.access import current_staff, today
from app.admin.charts import Series, bar_chart, line_chart
from app.admin.forms import Form
from app.admin.labels import kind_label, label, language_label
from app.admin.words import _, staff_language
from app.casework import outcomes
from app.casework.outcomes import Outcomes, Rate, Tally
from app.db import get_session
from app.models import Unit, utcnow

DEFAULT_MONTHS = 12
CHOOSABLE_MONTHS = 24  # the months the filter offers, this one and those before


@dataclass(frozen=True)
class Row:
    """One line of a table: what it is about (in staff words) and its tally."""

    name: str
    tally: Tally


def percent(value: float) -> str:
    """A share as whole percent in the staff language: '60 %' (sv), '60%' (en)."""
    return format_percent(value, locale=staff_language())


def rate_text(rate: Rate) -> str:
    """'60 % (3 of 5)', or '–' when there is nothing to count."""
    if rate.value is None:
        return "–"
    return _(
        "%(percent)s (%(part)d of %(whole)d)",
        percent=percent(rate.value),
        part=rate.part,
        whole=rate.whole,
    )


def duration_text(span: timedelta | None) -> str:
    """'45 min', '3 h 20 min' or '2 days 4 h'; '–' for none."""
    if span is None:
        return "–"
    minutes = round(span.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return _("%(minutes)d min", minutes=minutes)


def month_name(month: date, pattern: str = "LLLL y") -> str:
    """A month in the staff language: 'mars 2026'."""
    return format_date(month, pattern, locale=staff_language())


def _month_value(month: date) -> str:
    return month.strftime("%Y-%m")


def _choices(this_month: date) -> list[tuple[str, str]]:
    """The months the filter offers, newest first, as (value, name)."""
    months = [outcomes.shift_months(this_month, -n) for n in range(CHOOSABLE_MONTHS)]
    return [(_month_value(m), month_name(m)) for m in months]


def _range(form: Form, this_month: date) -> tuple[date, date]:
    """The months asked for, or the last DEFAULT_MONTHS; what is wrong is noted on the form."""
    default = (outcomes.shift_months(this_month, 1 - DEFAULT_MONTHS), this_month)
    values = [value for value, _name in _choices(this_month)]
    first = form.choice("first", values, required=False)
    last = form.choice("last", values, required=False)
    if not form.ok:
        return default
    chosen_first = date.fromisoformat(first + "-01") if first else default[0]
    chosen_last = date.fromisoformat(last + "-01") if last else default[1]
    if chosen_first > chosen_last:
        form.fail("first", _("The first month must not come after the last month."))
        return default
    return chosen_first, chosen_last


def _rows(groups: dict[str, Tally], naming: Callable[[str], str]) -> list[Row]:
    """A breakdown as table rows in staff words, the biggest first; keys with the same
    words (every automatic reply) are one row."""
    named: dict[str, Tally] = {}
    for key, tally in groups.items():
        name = naming(key) if key else _("Unknown")
        named.setdefault(name, Tally()).add(tally)
    rows = [Row(name, tally) for name, tally in named.items()]
    return sorted(rows, key=lambda row: -row.tally.size)


def _value(rate: Rate) -> float | None:
    return rate.value


def _rate_bars(
    chart_id: str, title: str, description: str, rows: list[Row], rate: Callable[[Tally], Rate]
) -> Markup:
    """Bars of one rate, a row each, from 0 to 100 %."""
    return bar_chart(
        chart_id=chart_id,
        title=title,
        description=description,
        labels=[row.name for row in rows],
        values=[rate(row.tally).value for row in rows],
        value_format=percent,
        maximum=1.0,
        no_data=_("no data"),
    )


def _charts(result: Outcomes, first: date, last: date) -> dict[str, Markup]:
    """Every chart of the page, each named and described for screen readers."""
    months = [m for m, _tally in result.months]
    tallies = [t for _m, t in result.months]
    span = f"{month_name(first)} – {month_name(last)}"
    rates = [
        Series(_("Delivered"), [_value(t.delivery) for t in tallies]),
        Series(_("Confirmed"), [_value(t.confirmation) for t in tallies]),
        Series(_("No-show, confirmed"), [_value(t.no_show_when_confirmed) for t in tallies]),
        Series(_("No-show, not confirmed"), [_value(t.no_show_when_unconfirmed) for t in tallies]),
    ]
    languages = _rows(result.languages, language_label)
    channels = [row for row in _rows(result.channels, label) if row.tally.delivery.whole]
    kinds = [row for row in _rows(result.kinds, kind_label) if row.tally.delivery.whole]
    return {
        "rates": line_chart(
            chart_id="chart-rates",
            title=_("Rates month by month"),
            description=_(
                "Delivery, confirmation and no-show rates for each month, %(span)s. "
                "The numbers are in the table after the chart.",
                span=span,
            ),
            labels=[month_name(m, "LLL") for m in months],
            series=rates,
            value_format=percent,
        ),
        "callbacks": bar_chart(
            chart_id="chart-callbacks",
            title=_("Callback requests month by month"),
            description=_("How many asked to be called each month, %(span)s.", span=span),
            labels=[month_name(m, "LLL y") for m in months],
            values=[float(t.callbacks) for t in tallies],
            value_format=lambda n: str(round(n)),
        ),
        "language_confirmed": _rate_bars(
            "chart-language-confirmed",
            _("Confirmed, by language"),
            _("The confirmation rate in each language, %(span)s.", span=span),
            languages,
            lambda t: t.confirmation,
        ),
        "language_no_show": _rate_bars(
            "chart-language-no-show",
            _("No-show, by language"),
            _("The no-show rate in each language, %(span)s.", span=span),
            languages,
            lambda t: t.no_show,
        ),
        "channel_delivered": _rate_bars(
            "chart-channel-delivered",
            _("Delivered, by channel"),
            _("The delivery rate of texts and calls, %(span)s.", span=span),
            channels,
            lambda t: t.delivery,
        ),
        "kind_delivered": _rate_bars(
            "chart-kind-delivered",
            _("Delivered, by message kind"),
            _("The delivery rate of each kind of message, %(span)s.", span=span),
            kinds,
            lambda t: t.delivery,
        ),
    }


@bp.route("/outcomes", endpoint="outcomes")
def outcomes_page():
    """The unit's outcomes over a range of months (the last twelve unless chosen)."""
    staff = current_staff()
    if not access.may_see_unit_outcomes(staff, staff.unit_id):
        abort(403)
    session = get_session()
    this_month = today().replace(day=1)
    form = Form(request.args)
    first, last = _range(form, this_month)
    result = outcomes.outcomes(session, staff.unit_id, first, last, utcnow())
    if form.ok:  # the filter shows the months shown (what was chosen stays, when wrong)
        form.data = MultiDict({"first": _month_value(first), "last": _month_value(last)})
    return render_template(
        "admin/outcomes/index.html",
        unit=session.get(Unit, staff.unit_id),
        form=form,
        months=_choices(this_month),
        first=first,
        last=last,
        result=result,
        month_rows=[Row(month_name(m), t) for m, t in result.months],
        language_rows=_rows(result.languages, language_label),
        channel_rows=_rows(result.channels, label),
        kind_rows=[row for row in _rows(result.kinds, kind_label) if row.tally.size],
        charts=_charts(result, first, last),
        rate_text=rate_text,
        duration_text=duration_text,
        month_name=month_name,
    )
