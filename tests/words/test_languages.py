"""The language registry (app/words/languages.py)."""

import tomllib

import pytest

from app.words.languages import (
    INTENTS,
    RegistryError,
    get_language,
    language_codes,
    languages,
    load_registry,
)


def test_the_nine_languages_in_the_design_order():
    assert language_codes() == ("sv", "en", "ar", "so", "fa", "prs", "ti", "fi", "uk")


def test_dari_is_formatted_with_the_afghan_persian_locale():
    assert get_language("prs").babel_locale == "fa_AF"


@pytest.mark.parametrize(
    ("code", "direction", "encoding"),
    [
        ("sv", "ltr", "GSM-7"),
        ("en", "ltr", "GSM-7"),
        ("ar", "rtl", "UCS-2"),
        ("so", "ltr", "GSM-7"),
        ("fa", "rtl", "UCS-2"),
        ("prs", "rtl", "UCS-2"),
        ("ti", "ltr", "UCS-2"),
        ("fi", "ltr", "GSM-7"),
        ("uk", "ltr", "UCS-2"),
    ],
)
def test_direction_and_encoding(code, direction, encoding):
    language = get_language(code)
    assert (language.direction, language.sms_encoding) == (direction, encoding)


def test_twilio_voices_exist_only_where_twilio_speaks_the_language():
    with_voice = {lang.code for lang in languages() if lang.has_voice}
    assert with_voice == {"sv", "en", "ar", "fi", "uk"}
    for language in languages():
        if language.has_voice:
            # Which voice, and that Twilio lists it for this tag: tests/words/test_twilio_voices.py.
            assert language.say_language.split("-")[0] == language.code


def test_every_language_has_a_name_in_itself_and_keywords_for_every_intent():
    names = [lang.native_name for lang in languages()]
    assert names == [
        "Svenska",
        "English",
        "العربية",
        "Soomaali",
        "فارسی",
        "دری",
        "ትግርኛ",
        "Suomi",
        "Українська",
    ]
    for language in languages():
        assert set(language.keywords) == set(INTENTS), language.code


def test_unknown_codes_give_swedish():
    assert get_language("tlh").code == "sv"
    assert get_language(None).code == "sv"
    assert get_language(" AR ").code == "ar"


def write_registry(tmp_path, text: str):
    path = tmp_path / "languages.toml"
    path.write_text(text)
    load_registry.cache_clear()
    return path


ENTRY = """
[[language]]
code = "{code}"
babel_locale = "sv_SE"
native_name = "X"
english_name = "X"
direction = "{direction}"
sms_encoding = "GSM-7"
[language.keywords]
help = ["H"]
yes = ["Y"]
no = ["N"]
stop = ["S"]
start = ["G"]
cancel = ["X"]
call = ["C"]
{language_line}
"""


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"code": "sv", "direction": "ltr", "language_line": ""}, "no keywords for language"),
        ({"code": "sv", "direction": "up", "language_line": 'language = ["L"]'}, "direction"),
        (
            {"code": "en", "direction": "ltr", "language_line": 'language = ["L"]'},
            "must come first",
        ),
    ],
)
def test_a_broken_registry_is_refused_with_the_reason(tmp_path, values, complaint):
    path = write_registry(tmp_path, ENTRY.format(**values))
    try:
        with pytest.raises(RegistryError, match=complaint):
            load_registry(path)
    finally:
        load_registry.cache_clear()


def test_the_registry_reads_polite_words_and_refuses_unknown_intents(tmp_path):
    swedish_with = {"code": "sv", "direction": "ltr"}
    try:
        path = write_registry(
            tmp_path,
            ENTRY.format(**swedish_with, language_line='language = ["L"]\npolite = ["TACK"]'),
        )
        (swedish,) = load_registry(path)
        assert swedish.polite == ("TACK",)
        assert "polite" not in swedish.keywords
        assert swedish.keywords["cancel"] == ("X",)
        path = write_registry(
            tmp_path,
            ENTRY.format(**swedish_with, language_line='language = ["L"]\nmaybe = ["KANSKE"]'),
        )
        with pytest.raises(RegistryError, match="unknown keywords maybe"):
            load_registry(path)
        no_cancel = ENTRY.format(**swedish_with, language_line='language = ["L"]')
        path = write_registry(tmp_path, no_cancel.replace('cancel = ["X"]\n', ""))
        with pytest.raises(RegistryError, match="no keywords for cancel"):
            load_registry(path)
    finally:
        load_registry.cache_clear()


def test_the_shipped_registry_parses_as_plain_toml():
    from app.words.languages import REGISTRY_FILE

    assert len(tomllib.loads(REGISTRY_FILE.read_text())["language"]) == 9


@pytest.mark.parametrize(
    "line",
    [
        'voice_time = ["hour", "and", "minit"]',  # a word no recording has
        'voice_time = ["hour", "and"]',  # the minutes left out
        'voice_date = ["weekday", "month"]',  # the day left out
    ],
)
def test_a_registry_that_cannot_say_dates_and_times_from_recordings_is_refused(tmp_path, line):
    text = ENTRY.format(code="sv", direction="ltr", language_line='language = ["L"]')
    path = write_registry(
        tmp_path, text.replace("[language.keywords]", f"{line}\n[language.keywords]")
    )
    try:
        with pytest.raises(RegistryError, match="voice_"):
            load_registry(path)
    finally:
        load_registry.cache_clear()


def test_a_setting_written_under_the_names_table_is_refused(tmp_path):
    text = ENTRY.format(code="sv", direction="ltr", language_line='language = ["L"]')
    names = '[language.names]\nen = "Swedish"\nvoice_number_and = true\n'
    path = write_registry(
        tmp_path, text.replace("[language.keywords]", f"{names}[language.keywords]")
    )
    try:
        with pytest.raises(RegistryError, match="voice_number_and"):
            load_registry(path)
    finally:
        load_registry.cache_clear()
