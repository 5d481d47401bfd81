"""SMS encoding and segment counting, as the phone network counts them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.words.sms_encoding import (
    GSM_BASIC,
    GSM_EXTENSION,
    TYPOGRAPHIC,
    is_gsm7,
    measure,
    normalise_for_gsm,
)


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


def test_a_text_without_typographic_characters_is_only_composed_to_nfc():
    assert normalise_for_gsm("Hej Sara! Tisdag 3 mars klockan 14.00.") == (
        "Hej Sara! Tisdag 3 mars klockan 14.00."
    )
    assert normalise_for_gsm("Tra\u0308ffa") == "Träffa"  # a + combining diaeresis


def test_typographic_characters_are_normalised():
    text = "\u201cHej\u201d \u2013 klockan\u00a014.00\u2026 \u2018ok\u2019"
    assert normalise_for_gsm(text) == "\"Hej\" - klockan 14.00... 'ok'"
    assert is_gsm7(normalise_for_gsm(text))


def _counted_by_hand(text: str) -> tuple[str, int, int]:
    """Encoding, units and segments, character by character, as the network counts."""
    gsm = all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)
    if gsm:
        units = [2 if ch in GSM_EXTENSION else 1 for ch in text]
        single, multi = 160, 153
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, multi = 70, 67
    total = sum(units)
    if total <= single:
        return ("GSM-7" if gsm else "UCS-2"), total, 1 if total else 0
    segments, used = 1, 0
    for size in units:  # a unit never straddles two segments
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return ("GSM-7" if gsm else "UCS-2"), total, segments


_CHARACTERS = st.sampled_from(
    sorted(GSM_BASIC) + sorted(GSM_EXTENSION) + sorted(TYPOGRAPHIC) + ["é", "ع", "😀", "ш"]
)


@given(st.lists(_CHARACTERS, max_size=420).map("".join))
def test_measuring_agrees_with_counting_each_character(text):
    size = measure(text)
    assert (size.encoding, size.units, size.segments) == _counted_by_hand(text)


@given(st.lists(st.sampled_from(sorted(GSM_BASIC) + sorted(GSM_EXTENSION)), max_size=420))
def test_measuring_gsm_text_agrees_with_counting_each_character(characters):
    text = "".join(characters)
    size = measure(text)
    assert (size.encoding, size.units, size.segments) == _counted_by_hand(text)
