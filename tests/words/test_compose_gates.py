"""Gates that fail the build: every kind renders everywhere, within budget, in plain words."""

import re
import tomllib
from datetime import date, timedelta

import pytest

from app import create_app
from app.config import PROJECT_ROOT
from app.outbox.kinds import KINDS
from app.words.compose import compose, sms_budget
from app.words.languages import language_codes
from app.words.preview import VARIANTS, preview_rows
from app.words.samples import sample_facts

JARGON = tomllib.loads((PROJECT_ROOT / "messages/catalog/jargon.toml").read_text())
# Every message tells the client what they can do next, with one of these.
NEXT_STEP_WORDS = (
    "Svara",
    "Ring",
    "Skriv",
    "Skicka",
    "Läs",
    "Ta med",
    "Lämna",
    "behöver inte",
    "Tryck",
)


@pytest.fixture(scope="module")
def all_rows(tmp_path_factory):
    """Every kind, language, channel and variant, rendered once for this module."""
    application = create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("gates")})
    with application.app_context():
        return preview_rows(VARIANTS)


def test_every_kind_renders_for_every_demo_client_in_every_channel(all_rows):
    seen = {(r["kind"], r["lang"], r["channel"]) for r in all_rows if r["variant"] == "standard"}
    expected = {
        (k, lang, c) for k in KINDS for lang in language_codes() for c in ("sms", "voice", "page")
    }
    assert seen == expected
    for row in all_rows:
        assert row["text"].strip(), row
        assert not row["fallback"], f"{row['kind']} [{row['lang']}] lacks a translation"


@pytest.fixture(scope="module")
def week_of_sms(tmp_path_factory):
    """Every SMS on seven days in a row: every weekday's name, the long and the short."""
    application = create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("week")})
    with application.app_context():
        return [
            row
            for offset in range(7)
            for row in preview_rows(
                VARIANTS, today=date(2026, 9, 21) + timedelta(days=offset), channels=("sms",)
            )
        ]


def test_every_sms_fits_its_segment_budget_on_any_weekday(week_of_sms):
    for row in week_of_sms:
        budget = sms_budget(row["kind"], row["encoding"], copy=row["variant"] == "copy")
        assert row["segments"] <= budget, (
            f"{row['kind']} {row['variant']} [{row['lang']}]:\n{row['text']}"
        )


def test_gsm_languages_never_fall_into_ucs2(all_rows):
    for row in all_rows:
        if row["lang"] in ("sv", "en") and not KINDS[row["kind"]].mixed_scripts:
            assert row["encoding"] == "GSM-7", row["text"]


def test_reminders_and_notices_fit_three_segments_and_summaries_four_in_swedish(all_rows):
    for row in all_rows:
        if row["lang"] == "sv" and row["channel"] == "sms" and row["variant"] == "standard":
            assert row["segments"] <= KINDS[row["kind"]].sms_segments <= 4


def test_swedish_client_texts_have_lix_at_most_30(all_rows):
    for row in all_rows:
        if row["lang"] == "sv":
            assert row["lix"] <= 30, (
                f"{row['kind']} {row['channel']} LIX {row['lix']}:\n{row['text']}"
            )


def test_jargon_appears_only_with_its_explanation_after_it(all_rows):
    for row in all_rows:
        if row["lang"] != "sv":
            continue
        lowered = row["text"].lower()
        for entry in JARGON.values():
            for match in re.finditer(rf"\b{entry['word']}\w*", lowered):
                rest = row["text"][match.end() :]
                assert entry["explanation"] in rest, (
                    f"'{entry['word']}' without explanation in {row['kind']}:\n{row['text']}"
                )


def test_dates_have_weekday_and_month_and_times_say_klockan(all_rows):
    weekdays = "måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag"
    for row in all_rows:
        if row["lang"] != "sv":
            continue
        text = row["text"]
        assert "kl." not in text
        assert not re.search(r"\b\d{4}-\d\d-\d\d\b|\b\d{1,2}/\d{1,2}\b", text), text
        for match in re.finditer(
            r"\b\d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|"
            r"september|oktober|november|december)\b",
            text,
        ):
            before = text[: match.start()].rstrip().split()[-1]
            assert re.fullmatch(weekdays, before), f"date without weekday: {text}"
        assert not re.search(r"\b\d{1,2}[.:]\d\d\b", text) or "klockan" in text


def test_every_message_says_who_sends_it_and_what_to_do_next(all_rows):
    for row in all_rows:
        if row["lang"] != "sv" or row["variant"] == "discreet":
            continue
        assert "Ekby kommun" in row["text"], row["text"]
        assert any(word in row["text"] for word in NEXT_STEP_WORDS), f"{row['kind']}: {row['text']}"


def test_discreet_sms_carries_no_details(app):
    today = date(2026, 11, 23)
    texts = set()
    for kind in (k for k, spec in KINDS.items() if not spec.reply):
        facts = sample_facts(kind, "sv", today, discreet=True)
        text = compose(kind, facts, "sv", "sms").text
        texts.add(text)
        for detail in (
            "boendestöd",
            "Storgatan",
            "klockan",
            "hyresavi",
            "beslut",
            "Lina Berg",
            "Omar",
            "papper",
            "möte",
        ):
            assert detail not in text, f"{kind} leaks '{detail}': {text}"
    assert len(texts) == 1  # the same words whatever the message is about
    assert "08-465 004 01" in texts.pop()


def test_discreet_clients_still_get_details_by_phone_and_page(app):
    facts = sample_facts("decision_approved", "sv", date(2026, 11, 23), discreet=True)
    assert "boendestöd" in compose("decision_approved", facts, "sv", "voice").text
    assert "boendestöd" in compose("decision_approved", facts, "sv", "page").text


def test_a_copy_is_addressed_to_the_representative_as_such(app):
    facts = sample_facts("appointment_reminder", "sv", date(2026, 11, 23), copy=True)
    lines = compose("appointment_reminder", facts, "sv", "sms").text.splitlines()
    assert lines[0] == "Hej Anders Holm! Det här är Ekby kommun."
    assert lines[1] == "Du är god man för Sara. Här är vårt meddelande till Sara:"
    assert not any(line.startswith("Hej Sara") for line in lines)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("forvaltare", "Du är förvaltare för Sara."),
        ("relative", "Sara vill att du får se vårt meddelande."),
    ],
)
def test_copies_name_the_representative_role(app, role, expected):
    facts = sample_facts("welcome", "sv", date(2026, 11, 23), copy=True)
    facts["copy"]["role"] = role
    assert expected in compose("welcome", facts, "sv", "sms").text


def test_an_sms_over_budget_leaves_out_optional_details_but_never_the_essentials(app):
    facts = sample_facts("decision_refused", "sv", date(2026, 11, 23))
    facts["decision"]["reasons"] = ["need_met_otherwise", "income_over_limit", "missing_documents"]
    sms = compose("decision_refused", facts, "sv", "sms")
    assert sms.segments <= 3
    assert sms.dropped and "reason" not in sms.dropped  # extras only: who can help
    for essential in (
        "Du får inte boendestöd.",
        "Du har mer pengar än gränsen för att få stöd.",
        "överklaga senast",
        "Läs mer:",
    ):
        assert essential in sms.text
    page = compose("decision_refused", facts, "sv", "page")
    assert "Du har mer pengar än gränsen för att få stöd." in page.text
