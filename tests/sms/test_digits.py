"""Digits clients type, in any script (app/sms/digits.py)."""

import pytest

from app.sms.digits import normalise_digits, parse_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", "3"),
        ("٣", "3"),
        ("۳", "3"),
        ("١٢", "12"),
        ("۱۲", "12"),
        ("٤ ja", "4 ja"),
        ("abc", "abc"),
        ("２", "2"),
    ],
)
def test_digits_of_every_script_become_western(typed, expected):
    assert normalise_digits(typed) == expected


@pytest.mark.parametrize(
    ("typed", "number"), [(" ٥ ", 5), ("۷", 7), ("12", 12), ("1a", None), ("", None)]
)
def test_parse_number_reads_any_digits(typed, number):
    assert parse_number(typed) == number
