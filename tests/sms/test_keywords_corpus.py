"""Realistic replies in the nine languages (tests/data/replies.toml), read as the webhook
reads them: none may change state wrongly, and few clear ones may need a person."""

import tomllib
from pathlib import Path

import pytest

from app.sms.keywords import Reading, read
from app.words.languages import get_language, language_codes

CORPUS = Path(__file__).resolve().parents[1] / "data" / "replies.toml"
MOST_TO_A_PERSON = 0.10  # of the clear replies


def corpus() -> list[tuple[str, str, str]]:
    """(language, text, meaning) for every reply in the corpus."""
    with CORPUS.open("rb") as fh:
        data = tomllib.load(fh)
    return [(code, text, meaning) for code, replies in data.items() for text, meaning in replies]


def meaning(reading: Reading) -> str:
    """A reading in the corpus's words."""
    if reading.intent == "free_text":
        return "person"
    if reading.intent == "number":
        return f"number {reading.number}"
    return reading.intent


def readings() -> list[tuple[str, str, str, str]]:
    return [
        (code, text, want, meaning(read(text, get_language(code)))) for code, text, want in corpus()
    ]


def test_the_corpus_has_at_least_300_replies_in_every_language():
    replies = corpus()
    assert len(replies) >= 300
    assert {code for code, _, _ in replies} == set(language_codes())
    for code in language_codes():
        mine = [want for c, _, want in replies if c == code]
        assert len(mine) >= 30, code
        assert "person" in mine and "yes" in mine and "no" in mine, code


def test_no_reply_changes_state_wrongly():
    wrong = [
        f"{code}: {text!r} read as {got}, means {want}"
        for code, text, want, got in readings()
        if got != want and got != "person"
    ]
    assert wrong == [], "\n".join(wrong)


def test_few_clear_replies_go_to_a_person():
    clear = [(code, text, want, got) for code, text, want, got in readings() if want != "person"]
    to_a_person = [
        f"{code}: {text!r} means {want}" for code, text, want, got in clear if got == "person"
    ]
    assert len(to_a_person) <= MOST_TO_A_PERSON * len(clear), "\n".join(to_a_person)


@pytest.mark.parametrize("code", ["sv", "ar", "fi", "uk", "en"])
def test_the_replies_the_issue_quotes_go_to_a_person(code):
    quoted = {
        "sv": "Nej då, jag kommer",
        "ar": "لا مشكلة سأحضر",
        "fi": "Ei hätää, tulen",
        "uk": "Так получилось что не смогу",
        "en": "No problem, I will come",
    }
    assert (code, quoted[code], "person") in corpus()
    assert read(quoted[code], get_language(code)) == Reading("free_text")
