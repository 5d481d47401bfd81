"""Digits as clients type them: Western, Arabic-Indic (٠–٩), Persian (۰–۹) and others."""

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
