"""Picture support changes the SMS: a client who reads with pictures gets the picture
page's link first, right after the greeting, led by "Se bilder", in every kind that has a
link and in every language, and the text still fits its budget and plain language."""

import tempfile
from datetime import date

import pytest
from jinja2 import TemplateError

from app import create_app
from app.outbox.kinds import KINDS
from app.words.compose import compose, sms_budget
from app.words.languages import language_codes
from app.words.plain_language import lix
from app.words.samples import SAMPLE_LINK, sample_facts
from app.words.sms_encoding import measure
from tests.words.test_compose_every_language import long_facts

TODAY = date(2026, 9, 23)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app for composing only (no database is touched)."""
    application = create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("pictures")})
    with application.app_context():
        yield application


def _link_index(rows) -> int | None:
    found = [i for i, row in enumerate(rows) if SAMPLE_LINK in row.text]
    assert len(found) <= 1, "the link is given twice"
    return found[0] if found else None


def _kinds_with_a_link() -> list[str]:
    """Every kind whose SMS to a client (the demo facts) carries the picture page's link
    (a representative's own messages go by their needs, not the client's)."""
    found = []
    with create_app({"INSTANCE_PATH": tempfile.mkdtemp()}).app_context():
        for kind in (k for k, spec in KINDS.items() if spec.subject_type != "representative"):
            try:
                rows = compose(kind, sample_facts(kind, "sv", TODAY), "sv", "sms").rows
            except TemplateError:  # a kind half-added (no template, no samples): the gates say so
                continue
            if _link_index(rows) is not None:
                found.append(kind)
    return found


KINDS_WITH_A_LINK = _kinds_with_a_link()


def test_the_kinds_that_carry_a_link_are_found():
    for kind in ("appointment_reminder", "decision_refused", "welcome", "reply_menu"):
        assert kind in KINDS_WITH_A_LINK


@pytest.mark.parametrize("kind", KINDS_WITH_A_LINK)
def test_without_picture_support_the_link_comes_last(app, kind):
    rows = compose(kind, sample_facts(kind, "sv", TODAY), "sv", "sms").rows
    assert _link_index(rows) > 1
    assert not any(row.text.startswith("Se bilder") for row in rows)


@pytest.mark.parametrize("kind", KINDS_WITH_A_LINK)
def test_with_picture_support_the_link_comes_right_after_the_greeting(app, kind):
    facts = sample_facts(kind, "sv", TODAY, picture_support=True)
    for lang in language_codes():
        sms = compose(kind, facts, lang, "sms")
        assert [row.picture for row in sms.rows][0] == "sender", f"{kind} [{lang}]"
        assert _link_index(sms.rows) == 1, f"{kind} [{lang}]:\n{sms.text}"
        # The first text of several carries it, within the first lines a phone shows.
        assert SAMPLE_LINK in sms.parts[0].splitlines()[1]
    swedish = compose(kind, facts, "sv", "sms")
    lead = "Se allt om dig med bilder" if swedish.rows[1].picture == "overview" else "Se bilder"
    assert swedish.rows[1].text == f"{lead}: {SAMPLE_LINK}"


@pytest.mark.parametrize("kind", KINDS_WITH_A_LINK)
def test_the_link_first_changes_no_language_lead_to_swedish(app, kind):
    facts = sample_facts(kind, "sv", TODAY, picture_support=True)
    english = compose(kind, facts, "en", "sms")
    assert not english.fallback
    lead = (
        "See all about you with pictures"
        if english.rows[1].picture == "overview"
        else ("See pictures")
    )
    assert english.rows[1].text == f"{lead}: {SAMPLE_LINK}"


@pytest.mark.parametrize("kind", KINDS_WITH_A_LINK)
def test_with_picture_support_every_language_fits_one_message_in_budget(app, kind):
    for base in language_codes():
        facts = sample_facts(kind, base, TODAY, picture_support=True)
        for lang in language_codes():
            sms = compose(kind, facts, lang, "sms")
            plain = compose(kind, sample_facts(kind, base, TODAY), lang, "sms")
            assert sms.messages <= plain.messages, f"{kind} with {base} facts [{lang}]"
            assert sms.dropped == plain.dropped, f"{kind} with {base} facts [{lang}]"
            for text in sms.parts:
                size = measure(text)
                assert size.segments <= sms_budget(kind, size.encoding, copy=False), (
                    f"{kind} [{lang}] over budget:\n{text}"
                )


@pytest.mark.parametrize("kind", KINDS_WITH_A_LINK)
def test_with_picture_support_swedish_stays_plain(app, kind):
    sms = compose(kind, sample_facts(kind, "sv", TODAY, picture_support=True), "sv", "sms")
    assert lix(sms.text) <= 30, sms.text


def test_a_copy_to_a_representative_keeps_the_link_last(app):
    facts = sample_facts("decision_refused", "sv", TODAY, copy=True)
    facts["picture_support"] = True  # the client's need, not the representative's
    rows = compose("decision_refused", facts, "sv", "sms").rows
    assert [row.picture for row in rows][:2] == ["representative", "copy"]
    assert _link_index(rows) == len(rows) - 1
    assert not any(row.text.startswith("Se bilder") for row in rows)


def test_the_welcome_tells_a_client_with_picture_support_the_link_has_pictures(app):
    plain = compose("welcome", sample_facts("welcome", "sv", TODAY), "sv", "sms").text
    facts = sample_facts("welcome", "sv", TODAY, picture_support=True)
    for lang in language_codes():
        sms = compose("welcome", facts, lang, "sms")
        assert len(sms.rows) == len(compose("welcome", facts, "sv", "sms").rows)
    text = compose("welcome", facts, "sv", "sms").text
    assert "bilder" not in plain
    assert "Länken först i våra sms visar allt med bilder." in text


def test_voice_and_page_are_the_same_with_or_without_picture_support(app):
    for kind in KINDS_WITH_A_LINK:
        for channel in ("voice", "page"):
            plain = compose(kind, sample_facts(kind, "sv", TODAY), "sv", channel)
            pictures = compose(
                kind, sample_facts(kind, "sv", TODAY, picture_support=True), "sv", channel
            )
            assert pictures.text == plain.text, f"{kind} {channel}"


def test_a_discreet_client_with_picture_support_gets_the_link_once_and_first(app):
    facts = sample_facts("decision_refused", "sv", TODAY, discreet=True, picture_support=True)
    sms = compose("decision_refused", facts, "sv", "sms")
    assert _link_index(sms.rows) == 1
    assert "boendestöd" not in sms.text


@pytest.mark.parametrize("kind", KINDS_WITH_A_LINK)
def test_long_facts_split_into_parts_keep_the_link_in_the_first(app, kind):
    facts = long_facts(kind, "ar", copy=False) | {"picture_support": True}
    for lang in language_codes():
        sms = compose(kind, facts, lang, "sms")
        assert SAMPLE_LINK in sms.parts[0].splitlines()[1], f"{kind} [{lang}]"
        for text in sms.parts:
            size = measure(text)
            assert size.segments <= sms_budget(kind, size.encoding, copy=False), (
                f"{kind} [{lang}] a part over budget:\n{text}"
            )
