"""Phone numbers: normalised to E.164, refused clearly, masked in logs (app/phone.py)."""

import pytest

from app.phone import InvalidPhoneNumber, mask_phone, normalise_phone


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("070-000 00 01", "+46700000001"),
        ("+46 70 000 00 01", "+46700000001"),
        ("0046700000001", "+46700000001"),
        ("08-465 004 00", "+46846500400"),
        ("+358 40 123 4567", "+358401234567"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "   ", "98765", "hej", "070-000", "+46 70 000 00 01 99"])
def test_an_invalid_phone_number_is_refused_with_a_clear_message(raw):
    with pytest.raises(InvalidPhoneNumber) as excinfo:
        normalise_phone(raw)
    message = str(excinfo.value)
    assert "phone number" in message
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) > 3:  # the message never repeats the whole number
        assert digits not in message.replace(" ", "").replace("-", "")


def test_masking_keeps_only_the_last_three_digits():
    assert mask_phone("+46700000123") == "+********123"
    assert "0000001" not in mask_phone("+46700000001")
    assert mask_phone(None) == "(none)"
