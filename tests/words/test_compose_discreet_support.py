"""The answer to 9 for a discreet client (reply_discreet_detail with about="support"): that
there is a list of support and how to hear or read it after the PIN, in every language,
within the kind's budget, in plain Swedish."""

from datetime import date

import pytest

from app import create_app
from app.words.compose import compose, sms_budget
from app.words.languages import language_codes
from app.words.plain_language import lix
from app.words.samples import SAMPLE_LINK, sample_facts
from app.words.sms_encoding import measure

TODAY = date(2026, 9, 23)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app for composing only (no database is touched)."""
    application = create_app({"INSTANCE_PATH": tmp_path_factory.mktemp("discreet")})
    with application.app_context():
        yield application


def facts(lang: str) -> dict:
    return sample_facts("reply_discreet_detail", lang, TODAY) | {
        "about": "support",
        "link": f"{SAMPLE_LINK}/support",
    }


@pytest.mark.parametrize("lang", language_codes())
def test_every_language_says_it_whole_within_the_budget(app, lang):
    swedish = compose("reply_discreet_detail", facts("sv"), "sv", "sms")
    sms = compose("reply_discreet_detail", facts(lang), lang, "sms")
    assert not sms.fallback, sms.missing
    assert [row.picture for row in sms.rows] == [row.picture for row in swedish.rows]
    assert [row.picture for row in sms.rows] == ["sender", "help", "listen", "link"]
    size = measure(sms.text)
    assert size.segments <= sms_budget("reply_discreet_detail", size.encoding, copy=False), sms.text
    assert sms.text.endswith(f"{SAMPLE_LINK}/support")


def test_the_swedish_is_plain_and_names_no_offer(app):
    text = compose("reply_discreet_detail", facts("sv"), "sv", "sms").text
    assert lix(text) <= 30
    assert "pinkod" in text and "våld" not in text.lower()
