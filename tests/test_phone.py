"""Phone numbers: normalised to E.164, refused clearly, masked in logs (app/phone.py)."""

import pytest

from app.admin.forms import staff_text
from app.phone import InvalidPhoneNumber, mask_phone, normalise_phone, require_texts, takes_texts


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


@pytest.mark.parametrize(
    ("number", "texts"),
    [
        ("070-123 45 67", True),  # a Swedish mobile
        ("+46 70 000 00 01", True),
        ("+358 40 123 4567", True),  # a Finnish mobile
        ("+1 201 555 0123", True),  # the US plan cannot tell: given the benefit of the doubt
        ("08-123 456 78", False),  # a Stockholm landline
        ("+46 8 465 004 00", False),
        ("020-123 456", False),  # toll-free
    ],
)
def test_only_numbers_that_take_texts_are_accepted_for_texts(number, texts):
    assert takes_texts(normalise_phone(number)) is texts
    if texts:
        assert require_texts(number) == normalise_phone(number)
    else:
        with pytest.raises(InvalidPhoneNumber) as excinfo:
            require_texts(number)
        assert "landline" in str(excinfo.value)


def test_a_refusal_names_only_the_last_digits_and_is_shown_in_swedish(app):
    with pytest.raises(InvalidPhoneNumber) as excinfo:
        normalise_phone("073-987")
    assert "073987" not in str(excinfo.value).replace("-", "")
    with app.test_request_context():
        assert staff_text(excinfo.value.message) == (
            "'***987' är inget giltigt telefonnummer. "
            "Skriv det som 070-123 45 67 eller +46 70 123 45 67."
        )
