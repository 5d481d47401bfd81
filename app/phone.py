"""Phone numbers: validation to E.164, whether a number can get texts, masking for logs."""

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

from app.errors import N_, StaffMessage

DEFAULT_REGION = "SE"

# The kinds of number a text can reach. A landline (FIXED_LINE) takes calls only; where the
# numbering plan cannot tell a mobile from a landline (FIXED_LINE_OR_MOBILE, as in the US)
# the number is given the benefit of the doubt, and a text that never arrives marks it
# unreachable (app/outbox/delivery.py). Personal and VoIP numbers are often forwarded to a
# mobile. Toll-free, premium, shared-cost, UAN, pager and voicemail numbers are no one's
# own phone.
TEXTABLE = frozenset(
    {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.VOIP,
    }
)


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be used; the message (marked with N_()) says why, for
    staff, and never repeats the whole number."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Why a number cannot be used for texts (not why it is not a number at all).
CANNOT_TEXT = N_("This number cannot get text messages (it is a landline). Give a mobile number.")


@lru_cache(maxsize=4096)  # parsing is slow; every text and call parses the same few numbers
def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164 (+46701234567) or raise InvalidPhoneNumber."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(N_("The phone number is empty."))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(
            StaffMessage(N_("'%(number)s' is not a phone number."), number=mask_phone(text))
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            StaffMessage(
                N_(
                    "'%(number)s' is not a valid phone number. "
                    "Write it like 070-123 45 67 or +46 70 123 45 67."
                ),
                number=mask_phone(text),
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def takes_texts(number: str) -> bool:
    """Whether a valid number (E.164 or national) can get text messages: a mobile, not a
    landline. The one rule every place that saves a number for texts asks."""
    return phonenumbers.number_type(phonenumbers.parse(number, DEFAULT_REGION)) in TEXTABLE


def require_texts(number: str) -> str:
    """Return a valid number that can get texts in E.164, or raise InvalidPhoneNumber."""
    canonical = normalise_phone(number)
    if not takes_texts(canonical):
        raise InvalidPhoneNumber(CANNOT_TEXT)
    return canonical


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
            StaffMessage(
                N_("'%(number)s' must be stored in E.164 form, like %(example)s."),
                number=mask_phone(value),
                example=mask_phone(canonical),
            )
        )
    return value
