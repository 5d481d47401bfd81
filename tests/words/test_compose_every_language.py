"""Equal information in every language: a client never gets less because of their language
or script. Essential rows are never left out; what an SMS leaves out to fit its budget is
decided once for the facts (as the Swedish SMS does) and is the same in every language;
a message still too long goes as several texts, split between rows, never cut."""

from datetime import date

import pytest

from app import create_app
from app.casework.catalog import entries, entry
from app.config import PROJECT_ROOT
from app.outbox.kinds import KINDS
from app.words.compose import Composition, _render, compose, sms_budget
from app.words.languages import language_codes
from app.words.samples import sample_facts
from app.words.sms_encoding import measure

TODAY = date(2026, 9, 23)  # a Wednesday: the dates in the samples fall on long weekdays
CATALOG = PROJECT_ROOT / "messages" / "catalog"
REASONS = [
    "need_met_otherwise",
    "income_over_limit",
    "missing_documents",
    "not_in_group",
    "need_assessed",
]
DOCUMENTS = [
    "hyresavi",
    "hyreskontrakt",
    "kontoutdrag",
    "lonespecifikation",
    "lakarintyg",
    "id_handling",
    "beslut_forsakringskassan",
    "intyg_arbetsformedlingen",
]
# Every reason there is: longer than any real refusal, so that it needs two texts.
ALL_REASONS = list(entries(CATALOG, "reasons"))
LONG_PLACE = "Kommunhuset Ekbacken, Storgatan 112, ingång C, våning 4, rum 4012, Ekby"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app for composing only (no database is touched)."""
    application = create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("equal")})
    with application.app_context():
        yield application


def long_facts(kind: str, lang: str, copy: bool) -> dict:
    """The sample facts with long values: many reasons, many documents, a long place, long
    names (a case worker with a double name, a stand-in with one too)."""
    facts = sample_facts(kind, lang, TODAY, copy=copy)
    facts["contact"] |= {"name": "Anna-Karin Lindqvist-Bergström"}
    if "appointment" in facts:
        facts["appointment"] |= {"mode": "office", "location": LONG_PLACE, "bring": DOCUMENTS[:4]}
        facts["appointment"]["staff_name"] = "Anna-Karin Lindqvist-Bergström"
    if "decision" in facts:
        facts["decision"] |= {"reasons": REASONS}
    if "checklist" in facts:
        facts["checklist"] |= {"documents": DOCUMENTS, "missing": DOCUMENTS[2:]}
        facts["checklist"] |= {"received": DOCUMENTS[:2], "received_now": DOCUMENTS[:2]}
    if "handover" in facts:
        facts["handover"]["new"] |= {"name": "Mohammed Abdullahi Warsame-Nilsson"}
        facts["handover"]["old"] |= {"name": "Anna-Karin Lindqvist-Bergström"}
    return facts


CASES = [
    pytest.param(variant, copy, id=f"{variant}{'-copy' if copy else ''}")
    for variant in ("sample-sv", "sample-ar", "sample-ti", "long")
    for copy in (False, True)
]


def facts_for(kind: str, variant: str, copy: bool) -> dict:
    """The same facts for every language: a demo client's, or the long ones."""
    if variant == "long":
        return long_facts(kind, "ar", copy)
    return sample_facts(kind, variant.removeprefix("sample-"), TODAY, copy=copy)


def every_language(kind: str, facts: dict) -> dict[str, Composition]:
    return {lang: compose(kind, facts, lang, "sms") for lang in language_codes()}


@pytest.mark.parametrize(("variant", "copy"), CASES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_language_gets_every_row_the_swedish_sms_keeps(app, kind, variant, copy):
    facts = facts_for(kind, variant, copy)
    composed = every_language(kind, facts)
    swedish = composed["sv"]
    full, _ = _render(kind, "sv", "sms", facts)
    essential = [row.picture for row in full if not row.optional]
    kept = [row.picture for row in swedish.rows]
    # Essential rows are never left out, however long the facts.
    assert [p for p in kept if p in essential] == essential
    assert all(row.optional for row in full if row.picture in swedish.dropped)
    for lang, sms in composed.items():
        # (A string not yet translated gives Swedish with an interpreter line after it.)
        pictures = [row.picture for row in sms.rows]
        assert pictures == kept + (["interpreter"] if sms.fallback else []), (
            f"{kind} [{lang}] rows differ"
        )
        assert sms.dropped == swedish.dropped, f"{kind} [{lang}] leaves out other rows"


@pytest.mark.parametrize(("variant", "copy"), CASES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_part_fits_the_budget_and_carries_whole_rows(app, kind, variant, copy):
    facts = facts_for(kind, variant, copy)
    for lang, sms in every_language(kind, facts).items():
        for text in sms.parts:
            size = measure(text)
            assert size.segments <= sms_budget(kind, size.encoding, copy=copy), (
                f"{kind} [{lang}] a part over budget:\n{text}"
            )
        lines = [line for part in sms.parts for line in part.split("\n")]
        assert [line for line in lines if not _marker(line)] == [r.text for r in sms.rows], (
            f"{kind} [{lang}]: rows cut or lost between parts"
        )
        assert sms.segments == sum(measure(text).segments for text in sms.parts)


def _marker(line: str) -> bool:
    return line.startswith("(") and line.endswith(")") and "/" in line and line[1].isdigit()


@pytest.mark.parametrize("copy", [False, True])
@pytest.mark.parametrize("kind", [k for k, spec in KINDS.items() if not spec.reply])
def test_realistic_facts_fit_one_message_whole_in_every_language(app, kind, copy):
    """The budgets are set so that the demo clients' facts need one text, nothing left out,
    in every language: long values are what the splitting is for."""
    for base in language_codes():
        facts = sample_facts(kind, base, TODAY, copy=copy)
        for lang, sms in every_language(kind, facts).items():
            assert sms.messages == 1 and not sms.dropped, (
                f"{kind} with {base} facts [{lang}]: {sms.part_segments} of {sms.budget}, "
                f"left out {sms.dropped}"
            )


def test_an_arabic_refusal_with_many_reasons_keeps_every_reason_in_two_texts(app):
    facts = long_facts("decision_refused", "ar", copy=False)
    facts["decision"]["reasons"] = ALL_REASONS
    arabic = compose("decision_refused", facts, "ar", "sms")
    swedish = compose("decision_refused", facts, "sv", "sms")
    assert arabic.messages == 2
    assert arabic.parts[0].endswith("\n(1/2)") and arabic.parts[1].startswith("(2/2)\n")
    assert arabic.parts[0].startswith(arabic.rows[0].text)  # the opening comes first
    whole = "\n".join(arabic.parts)
    for key in ALL_REASONS:
        assert entry(CATALOG, "reasons", key)["sentence"] in swedish.text
    reasons = [row.text for row in arabic.rows if row.picture == "reason"]
    assert len(reasons) == len(ALL_REASONS)
    for reason in reasons:  # each whole, in one of the two texts
        assert sum(reason in part for part in arabic.parts) == 1, reason
    assert "appeal" in [row.picture for row in arabic.rows]
    assert whole.count("(1/2)") == whole.count("(2/2)") == 1


def test_an_absence_notice_keeps_the_phone_hours_in_every_language(app):
    facts = sample_facts("handover_absence", "ar", TODAY)
    for lang, sms in every_language("handover_absence", facts).items():
        assert "clock" in [row.picture for row in sms.rows], lang


def test_a_reminder_keeps_purpose_and_what_to_bring_in_every_language(app):
    facts = long_facts("appointment_reminder", "ar", copy=True)
    for lang, sms in every_language("appointment_reminder", facts).items():
        pictures = [row.picture for row in sms.rows]
        for essential in ("meeting", "office", "talk", "bring"):
            assert essential in pictures, (lang, essential)


def test_only_extras_are_left_out_and_the_same_ones_everywhere(app):
    """A Swedish SMS over its budget leaves out its extras (the letter line, who can help),
    never an essential row; every other language leaves out exactly those."""
    facts = sample_facts("decision_partly_approved", "sv", TODAY)
    facts["decision"] |= {"reasons": REASONS}
    composed = every_language("decision_partly_approved", facts)
    assert composed["sv"].dropped, "the long Swedish summary leaves out an extra"
    assert set(composed["sv"].dropped) <= {"letter", "help", "link"}
    for sms in composed.values():
        assert sms.dropped == composed["sv"].dropped
        assert [r.picture for r in sms.rows].count("reason") == len(REASONS)


def test_extras_stay_when_leaving_them_out_would_not_save_a_text(app):
    """A refusal with every reason goes as two texts in Swedish with or without its extras
    (the letter line, who can help): then nobody's copy leaves them out."""
    facts = long_facts("decision_refused", "sv", copy=False)
    facts["decision"]["reasons"] = ALL_REASONS
    for lang, sms in every_language("decision_refused", facts).items():
        assert sms.dropped == (), lang
        assert {"letter", "help"} <= {row.picture for row in sms.rows}, lang
