"""SMS encoding and segment counting, as the phone network counts them."""

import pytest

from app.sms_encoding import is_gsm7, measure, normalise_for_gsm


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("Hej", "GSM-7", 3, 1),
        ("å" * 160, "GSM-7", 160, 1),
        ("å" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),
        ("مرحبا", "UCS-2", 5, 1),
        ("ж" * 70, "UCS-2", 70, 1),
        ("ж" * 71, "UCS-2", 71, 2),
        ("ж" * 134, "UCS-2", 134, 2),
        ("ж" * 135, "UCS-2", 135, 3),
        ("Hej 🙂", "UCS-2", 6, 1),
    ],
)
def test_measure_counts_like_the_network(text, encoding, units, segments):
    size = measure(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


def test_an_escaped_character_is_never_split_across_segments():
    # 152 plain + '€' (2 septets) would straddle the 153 boundary: it moves to segment 2.
    text = "a" * 152 + "€" + "a" * 152
    assert measure(text).segments == 3


def test_swedish_finnish_and_somali_letters_are_gsm7():
    assert is_gsm7("Å Ä Ö å ä ö é É Ü ü")
    assert is_gsm7("Waxaad leedahay ballan")
    assert not is_gsm7("šž")


def test_typographic_characters_are_normalised():
    text = "\u201cHej\u201d \u2013 klockan\u00a014.00\u2026 \u2018ok\u2019"
    assert normalise_for_gsm(text) == "\"Hej\" - klockan 14.00... 'ok'"
    assert is_gsm7(normalise_for_gsm(text))
