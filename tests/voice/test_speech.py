"""Voice messages as phrases: the phrase rendering says exactly what the text does, every
recording a call may ask for is in the inventory, and values are said from the vocabulary."""

import re
from datetime import date
from decimal import Decimal

import pytest

from app import create_app
from app.outbox.kinds import KINDS
from app.voice import inventory, names
from app.voice.phrases import Phrase, Value, render_phrases, text_of
from app.voice.speech import _Speaker, number_names, value_names
from app.words.compose import compose
from app.words.languages import get_language, language_codes
from app.words.samples import sample_facts

TODAY = date(2026, 9, 23)
SAMPLED = sorted({kind for kinds in inventory.SCREENS.values() for kind in kinds} & set(KINDS))
ALL_OPTIONS = {1, 2, 3, 4, 5, 6, 7, 8, 9}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("voice")})
    with application.app_context():
        yield application


def facts_for(kind: str, lang: str) -> dict:
    """Sample facts, with the money and hours variants of decisions."""
    if kind in KINDS:
        return sample_facts(kind, lang, TODAY)
    facts = sample_facts("reply_menu", lang, TODAY) | {
        "menu": ALL_OPTIONS,
        "in_call": False,
        "picture_offer": True,
        "choices": [{"number": n, "code": c} for n, c in enumerate(language_codes(), 1)],
        "pin_state": "wrong",
        "offer": "record",
        "recorded": False,
        "for_language": "so",
        "other_menu": 2,
        "asked_next": False,
    }
    return facts


def variants(kind: str, lang: str) -> list[dict]:
    facts = facts_for(kind, lang)
    found = [facts]
    if "decision" in facts:
        for unit, amount in (("sek_per_month", 5400.5), ("hours_per_week", 7.5), ("sek", 1200)):
            found.append(
                facts
                | {"decision": facts["decision"] | {"scope_unit": unit, "scope_amount": amount}}
            )
    return found


def _spaced(text: str) -> str:
    """The words as said: no direction marks or full stops (a stop alone between two
    values is not said), one space between words."""
    text = re.sub(r"[.!?:\u1362\u200e]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


VOICE_KINDS = sorted({kind for kinds in inventory.SCREENS.values() for kind in kinds})


@pytest.mark.parametrize("lang", language_codes())
@pytest.mark.parametrize("kind", VOICE_KINDS)
def test_phrases_say_what_the_text_says_and_need_only_inventory_recordings(app, kind, lang):
    language = get_language(lang)
    needed = {item.name for item in inventory.needed(lang)}
    for facts in variants(kind, lang):
        rows = render_phrases(kind, facts, language)
        said = " ".join(" ".join(text_of(item) for item in row.items) for row in rows)
        assert _spaced(said) == _spaced(compose(kind, facts, lang, "voice").text)
        speaker = _Speaker(language, {}, inventory.aliases(lang))
        for row in rows:
            for item in row.items:
                speaker.item(item)
        wanted = {name for name in speaker.missing if not name.startswith("translation:")}
        assert wanted <= needed, sorted(wanted - needed)[:5]


def test_the_meeting_row_in_somali_puts_the_person_first(app):
    rows = render_phrases(
        "reply_appointment", facts_for("reply_appointment", "so"), get_language("so")
    )
    phrases = [item for row in rows for item in row.items if isinstance(item, Phrase)]
    when = next(p for p in phrases if "date" in p.values and "time" in p.values)
    parts = when.pieces()
    variables = [part for part in parts if isinstance(part, str)]
    assert variables.index("date") < variables.index("time")
    assert isinstance(when.values["date"], Value) and when.values["date"].kind == "date"
    assert isinstance(when.values["time"], Value) and when.values["time"].kind == "time"
    assert all(piece.strip() for _, piece in (p for p in parts if isinstance(p, tuple)))


@pytest.mark.parametrize(
    ("value", "joined", "expected"),
    [
        (0, False, ["number-0"]),
        (14, False, ["number-14"]),
        (99, True, ["number-99"]),
        (100, True, ["hundred-1"]),
        (405, True, ["hundred-4", "and", "number-5"]),
        (5400, True, ["number-5", "thousand", "and", "hundred-4"]),
        (5400, False, ["number-5", "thousand", "hundred-4"]),
        (12030, True, ["number-12", "thousand", "and", "number-30"]),
        (2026, False, ["number-2", "thousand", "number-26"]),
        (1_250_000, False, ["number-1", "million", "hundred-2", "number-50", "thousand"]),
        (Decimal("7.5"), False, ["number-7", "point", "number-5"]),
    ],
)
def test_numbers_are_said_big_parts_first_from_whole_recordings(value, joined, expected):
    assert number_names(value, joined) == expected


def test_values_follow_the_language_s_way_of_saying_them():
    somali = get_language("so")
    thursday = Value("date", date(2026, 3, 5), "")
    assert value_names(thursday, somali)[:3] == ["weekday-4", "day-5", "month-3"]
    assert value_names(Value("date_year", date(2027, 1, 4), ""), get_language("sv")) == [
        "weekday-1", "day-4", "month-1", "number-2", "thousand", "number-27",
    ]  # fmt: skip
    assert value_names(Value("time", "14:00", ""), somali) == ["number-14"]
    half_past = value_names(Value("time", "14:30", ""), somali)
    assert half_past[0] == "number-14" and half_past[-1] in ("number-30", "minutes")
    assert value_names(Value("money", 5400.5, ""), get_language("sv")) == [
        "number-5", "thousand", "hundred-4", "kronor", "and", "number-50", "ore",
    ]  # fmt: skip
    assert value_names(Value("language", "ti", ""), somali) == [names.language("ti")]


def test_inventory_lists_the_vocabulary_with_the_words_to_say(app):
    somali = {item.name: item for item in inventory.needed("so")}
    thursday = somali[inventory.aliases("so")["weekday-4"]]
    assert thursday.text == "Khamiis" and "reminder_call" in thursday.used_in
    march = somali[inventory.aliases("so")["month-3"]]
    assert march.group == "value" and march.text
    assert somali["number-57"].text == "57"  # digits need no words in the name
    assert somali[inventory.aliases("so")["and"]].text == "iyo"
    menu = next(i for i in somali.values() if i.swedish == "Tryck 1 för ditt nästa möte.")
    assert menu.used_in == ("menu",) and menu.text.startswith("Riix 1")


def test_a_changed_translation_is_a_new_recording(app):
    before = names.piece_name("Ditt nästa möte:", 0, 0, "Ballantaada xigta:")
    assert before != names.piece_name("Ditt nästa möte:", 0, 0, "Ballanta xigta:")
    assert before.startswith("ditt-nasta-mote-")


def test_only_the_voice_channel_s_words_are_needed(app):
    swedish = {item.swedish for item in inventory.needed("sv")}
    assert "Svara JA om du kommer, NEJ om du inte kan." not in swedish  # SMS only
    assert "Tryck 1 om du kommer. Tryck 2 om du inte kan komma." in swedish
    assert not any(s.startswith("Läs mer:") for s in swedish)  # the page link, SMS only


def test_a_value_s_recording_is_named_after_its_words(app):
    """A corrected weekday or word in a language is a new recording: the old words are
    never played."""
    somali, persian = inventory.aliases("so"), inventory.aliases("fa")
    assert somali["weekday-4"].startswith("weekday-4-")
    assert somali["weekday-4"] == names.worded("weekday-4", "Khamiis")
    assert somali["weekday-4"] != persian["weekday-4"]
    assert somali["and"] == names.worded("and", "iyo")
    assert names.worded("and", "iyo") != names.worded("and", "oo")


def test_dari_says_minutes_and_joins_numbers_as_persian_does(app):
    """Its settings were once read as language names (written after [language.names])."""
    half_past = Value("time", "09:30", "")
    for code in ("fa", "prs"):
        assert value_names(half_past, get_language(code)) == [
            "number-9", "and", "number-30", "minutes",
        ]  # fmt: skip
        assert "and" in number_names(5400, get_language(code).voice_number_and)
    assert "voice_time" not in get_language("prs").names
