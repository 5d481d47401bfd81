"""Phone numbers: validation to E.164 and masking for logs."""

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "SE"


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be used; the message says why, for staff."""


@lru_cache(maxsize=4096)  # parsing is slow; every text and call parses the same few numbers
def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164 (+46701234567) or raise InvalidPhoneNumber."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("The phone number is empty.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"'{mask_phone(text)}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            f"'{mask_phone(text)}' is not a valid phone number. "
            "Write it like 070-123 45 67 or +46 70 123 45 67."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(number: str | None) -> str:
    """Keep only the last three digits, for logs and staff notices: '+46*******567'."""
    if not number:
        return "(none)"
    digits = [c for c in number if c.isdigit()]
    if len(digits) <= 3:
        return "***"
    prefix = "+" if number.strip().startswith("+") else ""
    return prefix + "*" * (len(digits) - 3) + "".join(digits[-3:])


def require_e164(value: str) -> str:
    """Accept only a valid number already in E.164; input paths call normalise_phone first."""
    canonical = normalise_phone(value)
    if canonical != value:
        raise InvalidPhoneNumber(
            f"'{mask_phone(value)}' must be stored in E.164 form, like {mask_phone(canonical)}."
        )
    return value
