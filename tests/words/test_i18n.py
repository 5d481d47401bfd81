"""Formatting in every language: dates, times and money, and the row filter
(app/words/i18n.py)."""

from datetime import UTC, date, datetime

import pytest

from app.words.compose import parse_rows
from app.words.i18n import ROW_OPTIONAL, ROW_PICTURE_END, ROW_START, Formatter, row
from app.words.languages import get_language

MOMENT = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # tuesday, 14.00 in Stockholm


@pytest.mark.parametrize(
    ("code", "day", "clock"),
    [
        ("sv", "tisdag 3 mars", "14.00"),
        ("en", "Tuesday 3 March", "14:00"),
        ("fi", "tiistaina 3 maaliskuuta", "14.00"),
        ("uk", "вівторок 3 березня", "14:00"),
        ("so", "Talaado 3 Maarso", "14:00"),
        ("ar", "الثلاثاء 3 مارس", "2:00 م"),
    ],
)
def test_dates_and_times_in_the_client_s_language(code, day, clock):
    formatter = Formatter(get_language(code), "Europe/Stockholm")
    assert formatter.weekday_date(MOMENT) == day
    assert formatter.clock(MOMENT) == clock


@pytest.mark.parametrize(
    ("code", "amount", "expected"),
    [
        ("sv", 5400, "5\u00a0400 svenska kronor"),
        ("en", 5400, "5,400 Swedish kronor"),
        ("sv", 12.5, "12,50 svenska kronor"),
        ("uk", 5400, "5\u00a0400 шведських крон"),
    ],
)
def test_money_in_the_client_s_language(code, amount, expected):
    assert Formatter(get_language(code), "Europe/Stockholm").money(amount) == expected


def test_the_year_is_added_only_when_it_is_not_this_year():
    formatter = Formatter(get_language("sv"), "Europe/Stockholm")
    this_year = datetime.now(UTC).year
    assert formatter.day(date(this_year, 6, 1)).count(str(this_year)) == 0
    assert formatter.day(date(this_year + 1, 6, 1)).endswith(str(this_year + 1))


def test_a_row_marks_its_pictogram_key_and_how_optional_it_is():
    assert row(" Hej Sara! ", "sender") == f"{ROW_START}sender{ROW_PICTURE_END} Hej Sara! "
    assert row("Skriv HJÄLP.", "help", optional=2) == (
        f"{ROW_START}help{ROW_OPTIONAL}2{ROW_PICTURE_END}Skriv HJÄLP."
    )
    rows = parse_rows(row("Hej.", "sender") + "\n  " + row(" Ring\n oss. ", "call", 1), "t.j2")
    assert [(r.picture, r.text, r.optional) for r in rows] == [
        ("sender", "Hej.", 0),
        ("call", "Ring oss.", 1),
    ]
