"""The termbase (locales/terms.toml): each concept keeps its meaning in every language.

Each rule here caught a fault an independent back-translation found: the old time of a
changed meeting read like the new one, "kontaktperson" became "a person for contact",
Arabic counts had no dual, Finnish said "appeal" for a complaint to IVO, "welcome back"
lost "back", and an absent case worker was said to be on holiday.
"""

import tomllib
from datetime import date
from gettext import c2py

import pytest
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.words.compose import compose
from app.words.languages import SOURCE_LANGUAGE, languages
from app.words.samples import sample_facts

LOCALES = PROJECT_ROOT / "locales"
TERMBASE = tomllib.loads((LOCALES / "terms.toml").read_text(encoding="utf-8"))
TERMS = {term["id"]: term for term in TERMBASE["term"]}
CODES = [lang.code for lang in languages()]
TODAY = date(2026, 12, 7)


def catalog(code: str):
    """One language's messages.po as Babel reads it."""
    language = next(lang for lang in languages() if lang.code == code)
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language.babel_locale)


CATALOGS = {code: catalog(code) for code in CODES}


def translations(code: str, trigger: list[str]) -> list[tuple[str, str]]:
    """(msgid, text) for every form of every string whose Swedish holds a trigger."""
    pieces = [t.casefold() for t in trigger]
    found = []
    for message in CATALOGS[code]:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if not any(p in i.casefold() for p in pieces for i in ids):
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        # The Swedish catalog may leave msgstr empty: the msgid is the text.
        found += [(ids[0], text or ids[-1]) for text in strings]
    return found


def term_cases(kind: str) -> list:
    return [
        pytest.param(term_id, code, id=f"{term_id}-{code}")
        for term_id, term in TERMS.items()
        for code in term.get(kind, {})
    ]


def test_the_termbase_covers_real_strings_and_languages():
    for term_id, term in TERMS.items():
        for kind in ("required", "forbidden"):
            assert set(term.get(kind, {})) <= set(CODES), f"{term_id}: unknown language"
        assert translations(SOURCE_LANGUAGE, term["trigger"]), f"{term_id}: no msgid matches"


@pytest.mark.parametrize(("term_id", "code"), term_cases("required"))
def test_every_translation_holds_the_required_expression(term_id, code):
    term = TERMS[term_id]
    wanted = term["required"][code]
    missing = [
        msgid
        for msgid, text in translations(code, term["trigger"])
        if not any(w.casefold() in text.casefold() for w in wanted)
    ]
    assert missing == [], f"{code} {term_id}: no {' / '.join(wanted)} in {missing}"


@pytest.mark.parametrize(("term_id", "code"), term_cases("forbidden"))
def test_no_translation_holds_a_forbidden_expression(term_id, code):
    term = TERMS[term_id]
    banned = term["forbidden"][code]
    faults = [
        (msgid, word)
        for msgid, text in translations(code, term["trigger"])
        for word in banned
        if word.casefold() in text.casefold()
    ]
    assert faults == [], f"{code} {term_id}: forbidden words in {faults}"


# A changed meeting ---------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_a_changed_meeting_marks_the_old_time_void_and_only_the_old_one(app, code):
    facts = sample_facts("appointment_changed", code, TODAY)
    void = TERMS["old_time_void"]["required"][code]
    composition = compose("appointment_changed", facts, code, "page")
    assert not composition.fallback
    rows = composition.rows

    def says_void(text: str) -> bool:
        return any(w.casefold() in text.casefold() for w in void)

    (old,) = [r for r in rows if r.picture == "changed"]
    assert says_void(old.text), f"{code}: the old time is not marked void: {old.text}"
    others = [r.text for r in rows if r is not old and says_void(r.text)]
    assert others == [], f"{code}: a row about the new meeting says 'no longer': {others}"


def test_a_changed_meeting_without_an_old_time_voids_nothing(app):
    facts = sample_facts("appointment_changed", "ar", TODAY)
    facts["appointment"]["previous_starts_at"] = None
    text = compose("appointment_changed", facts, "ar", "page").text
    assert not any(w in text for w in TERMS["old_time_void"]["required"]["ar"])


# Counts --------------------------------------------------------------------------------

COUNTS = [c for c in TERMBASE["count"] if c["lang"] == "ar"]
# n for each form of the Arabic rule, and what that form must say.
ARABIC_CASES = {
    1: "one",
    2: "two",
    3: "few",
    10: "few",
    11: "singular",
    99: "singular",
    100: "singular",
    102: "singular",
}


def arabic_plurals() -> list:
    return [m for m in CATALOGS["ar"] if m.id and isinstance(m.id, tuple | list)]


def test_arabic_has_six_forms_in_the_order_babel_writes():
    po = CATALOGS["ar"]
    assert po.num_plurals == 6
    rule = c2py(po.plural_expr)
    assert [rule(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 111)] == [
        0, 1, 2, 3, 3, 5, 5, 4, 4, 5,
    ]  # fmt: skip


@pytest.mark.parametrize("message", arabic_plurals(), ids=lambda m: m.id[0])
def test_arabic_counts_use_one_dual_few_and_singular_forms(message):
    rule = c2py(CATALOGS["ar"].plural_expr)
    (words,) = [c for c in COUNTS if c["trigger"] in message.id[0]] or [None]
    assert words, f"ar: no [[count]] in locales/terms.toml for {message.id[0]!r}"
    forms = message.string
    assert len(forms) == 6 and all(forms), f"ar {message.id[0]!r}: six forms needed"
    for n, which in ARABIC_CASES.items():
        text = forms[rule(n)]
        assert words[which] in text, f"ar {message.id[0]!r} n={n}: {words[which]} not in {text}"
    dual = forms[rule(2)]
    assert "%(n)s" not in dual, f"ar {message.id[0]!r}: the dual stands alone, not '2 ساعة'"
    assert dual not in {forms[rule(n)] for n in (1, 3, 11, 100)}


@pytest.mark.parametrize("code", CODES)
def test_every_language_has_its_plural_rule_and_all_forms(code):
    po = CATALOGS[code]
    expected = {"ar": 6, "uk": 3, "fa": 1, "prs": 1}.get(code, 2)
    assert po.num_plurals == expected, f"{code}: Plural-Forms has {po.num_plurals} forms"
    for message in po:
        if message.id and isinstance(message.id, tuple | list) and code != SOURCE_LANGUAGE:
            assert len(message.string) == expected and all(message.string), message.id[0]


def decision_text(code: str, amount: float, unit: str = "hours_per_week") -> str:
    facts = sample_facts("decision_approved", code, TODAY)
    facts["decision"] |= {"scope_amount": amount, "scope_unit": unit}
    composition = compose("decision_approved", facts, code, "page")
    assert not composition.fallback
    return composition.text


@pytest.mark.parametrize(
    ("amount", "unit", "word"),
    [
        (2, "hours_per_week", "ساعتان"),
        (2, "hours_per_month", "ساعتان"),
        (2, "days_per_month", "يومان"),
        (1, "hours_per_week", "ساعة واحدة"),
        (5, "hours_per_week", "5 ساعات"),
        (12, "hours_per_week", "12 ساعة"),
    ],
)
def test_arabic_decisions_count_with_the_dual(app, amount, unit, word):
    assert word in decision_text("ar", amount, unit)


def test_a_fraction_is_never_counted_as_two_or_as_one(app):
    """1,5 hours is not 'two hours' (the dual) and 0,5 is not 'one hour'."""
    arabic = decision_text("ar", 1.5)
    assert "ساعتان" not in arabic and "1.5 ساعة في الأسبوع" in arabic
    assert "ساعة واحدة" not in decision_text("ar", 0.5)
    assert "1,5 timmar i veckan" in decision_text("sv", 1.5)
    assert "0,5 timmar i veckan" in decision_text("sv", 0.5)
    assert "7,5 години на тиждень" in decision_text("uk", 7.5)
    assert "1,5 tuntia viikossa" in decision_text("fi", 1.5)


def test_whole_amounts_keep_their_usual_forms(app):
    assert "1 timme i veckan" in decision_text("sv", 1)
    assert "6 timmar i veckan" in decision_text("sv", 6)
    assert "5 годин на тиждень" in decision_text("uk", 5)
    assert "2 години на тиждень" in decision_text("uk", 2)
