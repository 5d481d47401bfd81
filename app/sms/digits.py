"""Digits as clients type them: Western, Arabic-Indic (٠–٩), Persian (۰–۹), other scripts'
decimal digits, and Ethiopic numerals (፩–፺)."""

import re
import unicodedata


def normalise_digits(text: str) -> str:
    """Replace every decimal digit of any script by its Western digit: '٣' and '۳' give '3'."""
    return "".join(
        str(unicodedata.digit(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch
        for ch in text
    )


def parse_number(text: str) -> int | None:
    """The whole number a client typed (any digits, spaces around), or None."""
    cleaned = normalise_digits(text).strip()
    return int(cleaned) if cleaned.isdigit() and cleaned.isascii() else None


# Ethiopic numerals (Tigrinya): ፩..፱ are 1..9 and ፲..፺ are 10..90, written tens then units
# (፲፪ is 12). They are not decimal digits, so only these one- and two-numeral forms are read.
_ETHIOPIC_UNITS = "፩፪፫፬፭፮፯፰፱"
_ETHIOPIC_TENS = "፲፳፴፵፶፷፸፹፺"
_ETHIOPIC_NUMBER = re.compile(f"([{_ETHIOPIC_TENS}]?)([{_ETHIOPIC_UNITS}]?)")
_ETHIOPIC_RUN = re.compile("[\u1369-\u137c]+")


def _ethiopic_value(run: re.Match) -> str:
    number = _ETHIOPIC_NUMBER.fullmatch(run.group())
    if number is None:
        return run.group()  # ፻ (100), ፩፩ ...: not a number anyone types as an answer
    tens, units = number.groups()
    return str(
        10 * (_ETHIOPIC_TENS.index(tens) + 1 if tens else 0)
        + (_ETHIOPIC_UNITS.index(units) + 1 if units else 0)
    )


def ethiopic_numerals(text: str) -> str:
    """Replace Ethiopic numerals below 100 by Western digits: '፯' gives '7', '፲፪' gives '12'."""
    return _ETHIOPIC_RUN.sub(_ethiopic_value, text)
