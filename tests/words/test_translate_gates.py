"""Gates: every client-facing string in every language, variables intact, keywords used."""

import subprocess
import sys
from datetime import date

import pytest
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.words.catalog_files import is_translated, variable_mismatches
from app.words.compose import compose
from app.words.languages import SOURCE_LANGUAGE, languages
from app.words.samples import sample_facts

LOCALES = PROJECT_ROOT / "locales"


def catalog(code: str):
    language = next(lang for lang in languages() if lang.code == code)
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language.babel_locale)


def template_ids() -> set:
    with (LOCALES / "messages.pot").open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


def test_the_template_holds_every_string_the_messages_use(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-o",
            str(fresh),
            "--no-location",
            str(PROJECT_ROOT),
        ],
        check=True,
        cwd=PROJECT_ROOT,
    )
    with fresh.open("rb") as fh:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert extracted == template_ids(), "run: flask --app app translate extract && ... update"


@pytest.mark.parametrize("code", [lang.code for lang in languages()])
def test_every_string_is_translated_in_every_language(code):
    messages = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog(code) if m.id}
    assert set(messages) == template_ids(), f"{code}: run flask --app app translate update"
    untranslated = [key for key, m in messages.items() if not is_translated(m) or m.fuzzy]
    assert untranslated == [], f"{code} lacks {len(untranslated)} translations: {untranslated[:5]}"


@pytest.mark.parametrize("code", [lang.code for lang in languages()])
def test_variables_are_the_same_in_every_translation(code):
    problems = [p for m in catalog(code) if m.id for p in variable_mismatches(m)]
    assert problems == []


@pytest.mark.parametrize("language", languages(), ids=lambda lang: lang.code)
def test_answers_are_asked_for_with_the_language_s_own_keywords(app, language):
    today = date(2026, 11, 23)
    reminder = compose(
        "appointment_reminder",
        sample_facts("appointment_reminder", language.code, today),
        language.code,
        "sms",
    ).text.upper()
    assert language.keywords["yes"][0].upper() in reminder
    assert language.keywords["no"][0].upper() in reminder
    welcome = compose(
        "welcome", sample_facts("welcome", language.code, today), language.code, "sms"
    ).text
    assert language.keywords["help"][0].upper() in welcome.upper()
    assert language.keywords["stop"][0].upper() in welcome.upper()


def test_swedish_is_the_source_and_its_catalog_mirrors_the_templates():
    for message in catalog(SOURCE_LANGUAGE):
        if message.id:
            assert message.string == message.id
