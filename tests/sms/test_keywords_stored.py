"""A client's text as it is stored for staff to read (keywords.as_stored): as written,
with the joiners of Persian words and emoji, without characters that could hide or disguise
what it says."""

import pytest

from app.sms.keywords import as_stored, clean


@pytest.mark.parametrize(
    "kept",
    [
        "می\u200cخواهم",  # zero-width non-joiner inside a Persian word
        "👨\u200d👩\u200d👧",  # a family emoji: joiners between its people
        "Hej!\nJag kommer.",
        "نعم",
    ],
)
def test_what_a_client_wrote_is_kept(kept):
    assert as_stored(kept) == kept


@pytest.mark.parametrize(
    "hidden",
    [
        "\x00", "\x07", "\x1b", "\x7f",  # control characters
        "\u202e", "\u202a", "\u2066", "\u2069",  # direction overrides and isolates
        "\u200e", "\u200f",  # direction marks
        "\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e",  # invisible characters
    ],
)  # fmt: skip
def test_characters_that_disguise_a_text_are_removed(hidden):
    assert as_stored(f"ja{hidden}tack") == "jatack"
    assert clean(f"ja{hidden}tack") == "jatack"


def test_reading_ignores_the_joiners_storing_keeps():
    assert clean("می\u200cخواهم") == "میخواهم"
    assert as_stored("  hej  ") == "hej"
    assert as_stored(None) == as_stored("") == ""
