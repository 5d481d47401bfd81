"""STOP, START and CANCEL words are never everyday words of any supported language.

Every command word of every language is folded as the reader folds a text and looked up in
the everyday vocabulary of EVERY language (locales/vocabulary/<code>.txt), not only its own:
a Swedish client's everyday word must not switch off an Arabic client's texts, and ابدأ
("start") must not be what أبدا ("never") folds into.
"""

import re
from pathlib import Path

import pytest

from app.sms.keywords import read, words
from app.words.languages import get_language, language_codes, languages

VOCABULARY = Path(__file__).resolve().parents[2] / "locales" / "vocabulary"
COMMANDS = ("stop", "start", "cancel")

# A command word that is also an everyday word with another meaning, allowed with the reason.
# (folded word, vocabulary language): why it is safe.
EXCEPTIONS = {
    # Dari بس ("enough") is a cancel word for Dari clients only; cancel asks whether the
    # client means the meeting or every text, so it never switches anything off. In Arabic
    # (بس "but, only") and Persian (بس "enough") it is nobody's keyword.
    ("بس", "ar"): "Dari cancel only; cancel asks a question back",
    ("بس", "fa"): "Dari cancel only; cancel asks a question back",
    ("بس", "prs"): "'enough': what a Dari client means by it is asked, never acted on",
}


def vocabulary(code: str) -> dict[str, set[str]]:
    """The folded everyday words of a language, each with the meanings its comment gives."""
    entries: dict[str, set[str]] = {}
    for line in (VOCABULARY / f"{code}.txt").read_text(encoding="utf-8").splitlines():
        word, _, meaning = line.partition("#")
        folded = " ".join(words(word))
        if folded:
            entries.setdefault(folded, set()).update(re.findall(r"\w+", meaning.lower()))
    return entries


def collisions() -> list[str]:
    """Every command word that is an everyday word of some language with another meaning."""
    found = []
    every = {code: vocabulary(code) for code in language_codes()}
    for language in languages():
        for intent in COMMANDS:
            for keyword in language.keywords[intent]:
                folded = " ".join(words(keyword))
                for code, entries in every.items():
                    if folded not in entries or intent in entries[folded]:
                        continue
                    if (folded, code) in EXCEPTIONS:
                        continue
                    meanings = ", ".join(sorted(entries[folded])) or "no meaning given"
                    found.append(
                        f"{language.code} {intent} {keyword!r} is {code} everyday {folded!r}"
                        f" ({meanings})"
                    )
    return found


def test_every_language_has_an_everyday_vocabulary_of_a_few_hundred_words():
    for code in language_codes():
        assert len(vocabulary(code)) >= 140, code


def test_no_stop_start_or_cancel_word_is_an_everyday_word_of_any_language():
    problems = collisions()
    assert problems == [], "\n".join(problems)


def test_the_vocabularies_hold_the_known_traps():
    """The check is only as good as its lists: the words that caused trouble are in them."""
    traps = {
        "ar": ["أبدا", "ابدا", "أبدًا", "في", "بس", "لا مشكلة"],
        "fa": ["ابدا", "فی", "بس", "ها"],
        "prs": ["بس", "ها", "فی"],
        "fi": ["ja", "ei", "ei hätää"],
        "sv": ["ja", "ha", "tak", "nej då", "aldrig"],
        "uk": ["так", "так получилось", "ні"],
        "en": ["never", "no problem", "ok", "thanks", "and", "cancel"],
        "so": ["ha", "haa"],
        "ti": ["ewe", "እወ"],
    }
    for code, wanted in traps.items():
        entries = vocabulary(code)
        missing = [w for w in wanted if " ".join(words(w)) not in entries]
        assert missing == [], code


def test_never_in_arabic_is_not_start_but_the_check_would_catch_it_if_it_were():
    ar = vocabulary("ar")
    assert ar[" ".join(words("أبدا"))] == {"never"}
    assert ar[" ".join(words("ابدا"))] == {"never"}
    # Folding away hamza (as the reader once did) makes START the everyday word "never".
    stripped = {w.replace("أ", "ا").replace("إ", "ا") for w in ar if "never" in ar[w]}
    assert words("ابدأ")[0].replace("أ", "ا") in stripped
    assert " ".join(words("ابدأ")) not in {w for w in ar if "never" in ar[w]}


def test_exceptions_are_still_needed():
    """An exception no command word uses any more is removed, not kept 'just in case'."""
    every = {code: vocabulary(code) for code in language_codes()}
    used = {
        (" ".join(words(keyword)), code)
        for language in languages()
        for intent in COMMANDS
        for keyword in language.keywords[intent]
        for code in language_codes()
        if " ".join(words(keyword)) in every[code]
    }
    assert set(EXCEPTIONS) <= used


@pytest.mark.parametrize("code", language_codes())
def test_no_everyday_word_of_any_language_switches_texts_off_or_on(code):
    """Through the reader itself: an everyday word texted alone by a client of any language
    is never STOP or START, unless it means exactly that."""
    language = get_language(code)
    wrong = []
    for other in language_codes():
        for word, meanings in vocabulary(other).items():
            intent = read(word, language).intent
            if intent in COMMANDS and intent not in meanings and (word, other) not in EXCEPTIONS:
                wrong.append(f"{other} {word!r} -> {intent}")
    assert wrong == [], "\n".join(wrong)
