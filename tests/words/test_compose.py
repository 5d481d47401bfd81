"""compose(): one message in every channel, its size, language and fallback."""

import logging
import shutil
from datetime import UTC, datetime

import pytest
from babel.messages.pofile import read_po, write_po

from app import create_app
from app.config import PROJECT_ROOT
from app.words.compose import CompositionError, compose, parse_rows
from app.words.i18n import ROW_PICTURE_END, ROW_START
from app.words.plain_language import lix

WHEN = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # tisdag 3 mars klockan 14.00 in Stockholm
LINK = "https://tydligt.ekby.example/p/Xq3vR8kLm2Tn5wYz7bCd9f"


def facts(**appointment) -> dict:
    base = dict(
        starts_at=WHEN,
        mode="office",
        location="Storgatan 12, Ekby",
        staff_name="Lina Berg",
        purpose="follow_up",
        bring=["hyresavi", "kontoutdrag"],
    )
    return {
        "sender": "Ekby kommun",
        "unit_phone": "08-465 004 00",
        "menu_phone": "08-465 004 01",
        "first_name": "Sara",
        "discreet": False,
        "copy": None,
        "in_call": False,
        "contact": {
            "name": "Lina Berg",
            "phone": "070-174 06 05",
            "tel": "+46701740605",
            "hours": None,
        },
        "link": LINK,
        "appointment": base | appointment,
    }


def test_swedish_reminder_says_who_when_where_with_whom_what_and_how_to_answer(app):
    c = compose("appointment_reminder", facts(), "sv", "sms")
    assert c.text.splitlines() == [
        "Hej Sara! Det här är Ekby kommun.",
        "Du ska träffa Lina Berg tisdag 3 mars klockan 14.00.",
        "Plats: Storgatan 12, Ekby.",
        "Vi pratar om hur ditt stöd fungerar.",
        "Ta med hyresavi och kontoutdrag.",
        "Svara JA om du kommer, NEJ om du inte kan.",
        f"Läs mer: {LINK}",
    ]
    assert c.encoding == "GSM-7"
    assert c.segments == 2
    assert not c.fallback


def test_english_reminder_uses_english_dates_and_words(app):
    c = compose("appointment_reminder", facts(), "en", "sms")
    assert "Hello Sara! This is Ekby kommun." in c.text
    assert "You will meet Lina Berg on Tuesday 3 March at 14:00." in c.text
    assert "Bring rent invoice and bank statement." in c.text
    assert "Reply YES" in c.text
    assert c.segments <= 2
    assert not c.fallback


def test_dates_follow_the_unit_time_zone_across_daylight_saving(app):
    summer = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)  # 14.00 in Stockholm (UTC+2)
    c = compose("appointment_reminder", facts(starts_at=summer), "sv", "sms")
    assert "tisdag 2 juni klockan 14.00" in c.text


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("phone", "Lina Berg ringer dig tisdag 3 mars klockan 14.00."),
        ("video", "Du har ett videomöte med Lina Berg tisdag 3 mars klockan 14.00."),
        ("home", "Lina Berg kommer hem till dig tisdag 3 mars klockan 14.00."),
        ("office", "Plats: Storgatan 12, Ekby."),
    ],
)
def test_each_meeting_mode_says_where_or_how(app, mode, expected):
    c = compose("appointment_reminder", facts(mode=mode), "sv", "sms")
    assert expected in c.text.splitlines()
    if mode != "office":
        assert "Plats" not in c.text


def test_without_a_named_person_the_unit_speaks(app):
    c = compose("appointment_reminder", facts(staff_name="", mode="phone"), "sv", "sms")
    assert "Vi ringer dig tisdag 3 mars klockan 14.00." in c.text


def test_nothing_to_bring_means_no_bring_line(app):
    c = compose("appointment_reminder", facts(bring=[]), "sv", "sms")
    assert "Ta med" not in c.text


def test_voice_speaks_the_same_facts_with_keypad_answers(app):
    sms = compose("appointment_reminder", facts(), "sv", "sms")
    voice = compose("appointment_reminder", facts(), "sv", "voice")
    assert "\n" not in voice.text
    assert "Tryck 1 om du kommer. Tryck 2 om du inte kan komma." in voice.text
    assert LINK not in voice.text
    shared = [r.text for r in sms.rows if r.picture not in ("answer", "link")]
    assert shared == [r.text for r in voice.rows if r.picture != "answer"]


def test_page_rows_carry_a_pictogram_key_for_every_idea(app):
    page = compose("appointment_reminder", facts(), "sv", "page")
    assert [r.picture for r in page.rows] == [
        "sender",
        "meeting",
        "office",
        "talk",
        "bring",
        "answer",
    ]
    assert LINK not in page.text


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("channel", ["sms", "voice", "page"])
@pytest.mark.parametrize("mode", ["office", "home", "phone", "video"])
def test_reminder_fits_its_budget_in_every_mode(app, lang, channel, mode):
    c = compose("appointment_reminder", facts(mode=mode), lang, channel)
    assert c.encoding == "GSM-7"
    assert c.segments <= 2, c.text
    if lang == "sv":
        assert lix(c.text) <= 30, c.text


def test_typographic_characters_in_data_do_not_force_ucs2(app):
    c = compose("appointment_reminder", facts(location="“Huset” – plan 2…"), "sv", "sms")
    assert c.encoding == "GSM-7"
    assert 'Plats: "Huset" - plan 2....' in c.text


def test_unknown_language_falls_back_to_swedish_text(app):
    c = compose("appointment_reminder", facts(), "xx", "sms")
    assert c.lang == "sv"
    assert "Hej Sara!" in c.text


def test_unknown_channel_is_refused(app):
    with pytest.raises(ValueError, match="Unknown channel"):
        compose("appointment_reminder", facts(), "sv", "fax")


@pytest.fixture
def partial_english(config, tmp_path):
    """An app whose English catalog lacks one string of the reminder."""
    locales = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales)
    po_path = locales / "en" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    catalog.delete("Plats: %(place)s.")
    with po_path.open("wb") as fh:
        write_po(fh, catalog)
    app = create_app(config | {"LOCALES_DIR": str(locales)})
    with app.app_context():
        yield app


def test_a_missing_translation_gives_swedish_plus_an_interpreter_line(partial_english, caplog):
    caplog.set_level(logging.WARNING)
    c = compose("appointment_reminder", facts(), "en", "sms")
    assert c.fallback
    assert c.missing == ("Plats: %(place)s.",)
    assert c.text.startswith("Hej Sara! Det här är Ekby kommun.")
    assert "You will meet" not in c.text  # never half English, half Swedish
    assert c.text.splitlines()[-1] == (
        "We do not have this in your language yet. An interpreter can help you. Call 08-465 004 00."
    )
    assert "Missing translation: kind=appointment_reminder lang=en" in caplog.text
    assert "Sara" not in caplog.text


def test_rows_must_not_leave_text_outside(app):
    with pytest.raises(CompositionError, match="outside a row"):
        parse_rows("stray words" + ROW_START + "x" + ROW_PICTURE_END + "text", "t.j2")
    with pytest.raises(CompositionError, match="without a pictogram"):
        parse_rows(ROW_START + "no separator", "t.j2")
    assert (
        parse_rows("  \n" + ROW_START + "clock" + ROW_PICTURE_END + " a \n b ", "t.j2")[0].text
        == "a b"
    )
    # Tabs and line breaks are spaces; a no-break space (in amounts, times) is kept.
    text = ROW_START + "money" + ROW_PICTURE_END + "\t5\u00a0400 \r\n\t kronor  i\nmånaden "
    assert parse_rows(text, "t.j2")[0].text == "5\u00a0400 kronor i månaden"


@pytest.mark.parametrize("lang", ["ar", "fa", "prs"])
def test_right_to_left_text_marks_phone_numbers_but_not_digits_in_a_link(app, lang):
    # A token may hold a run of digits (and dashes) that looks like a phone number.
    link = "https://tydligt.ekby.example/p/Xq3-1234567-89_0123456Cd"
    contact = facts()["contact"] | {"stands_in_for": ""}
    c = compose("reply_contact", facts() | {"contact": contact, "menu": []}, lang, "sms")
    assert "\u200e070-174 06 05" in c.text  # the contact's number reads left to right
    page = compose("appointment_reminder", facts() | {"link": link}, lang, "sms")
    assert link in page.text and "\u200e" not in page.text.split("/p/", 1)[1]
