"""Every kind as an e-mail, in every language: the subject and the words around the
message are translated (never the Swedish fallback), the HTML says its language and
direction, every picture has its alt text, and a discreet client's mail names nothing of
what the message is about. The Swedish words read at LIX 30 or below."""

import re
from datetime import date

import pytest
from markupsafe import escape

from app.outbox.email_copies import NOT_BY_EMAIL
from app.outbox.kinds import KINDS
from app.words.compose import compose
from app.words.email import FRAME, TOPICS, compose_mail
from app.words.languages import languages
from app.words.plain_language import lix
from app.words.samples import sample_facts

TODAY = date(2026, 11, 23)
LINK = "https://tydligt.ekby.example/p/abc123"
MAILED = [kind for kind, spec in KINDS.items() if not spec.reply and kind not in NOT_BY_EMAIL]
DETAILS = ("boendestöd", "Storgatan", "klockan", "hyresavi", "beslut", "Lina Berg", "Omar",
           "papper", "möte")  # fmt: skip


def mail_of(kind: str, lang: str, *, discreet: bool = False):
    facts = sample_facts(kind, lang, TODAY, discreet=discreet)
    topic = KINDS[kind].subject_type
    return compose_mail(kind, facts, lang, to="sara@example.org", topic=topic, link=LINK,
                        message_id=7)  # fmt: skip


@pytest.mark.parametrize("topic", [*TOPICS, "client", ""])
@pytest.mark.parametrize("discreet", [False, True])
def test_the_words_around_the_message_exist_in_every_language(app, topic, discreet):
    for language in languages():
        facts = sample_facts("welcome", language.code, TODAY, discreet=discreet) | {"topic": topic}
        frame = compose(FRAME, facts, language.code, "page")
        assert not frame.missing, (language.code, frame.missing)
        assert {row.picture for row in frame.rows} >= {"subject", "link", "message", "stop"}
        if language.code == "sv":
            for row in frame.rows:
                assert lix(row.text) <= 30, row.text


@pytest.mark.parametrize("kind", MAILED)
def test_every_kind_goes_as_an_accessible_mail_in_every_language(app, kind):
    for language in languages():
        mail = mail_of(kind, language.code)
        html = mail.message.get_body(("html",)).get_content()
        assert f'<html lang="{language.bcp47}" dir="{language.direction}">' in html
        assert mail.message["Subject"] and str(escape(mail.message["Subject"])) in html
        assert f'href="{LINK}"' in html and LINK in mail.text
        for alt in re.findall(r'<img [^>]*alt="([^"]*)"', html):
            assert alt.strip()


@pytest.mark.parametrize("kind", MAILED)
def test_a_discreet_clients_mail_names_nothing(app, kind):
    mail = mail_of(kind, "sv", discreet=True)
    html = mail.message.get_body(("html",)).get_content()
    for part in (mail.message["Subject"], mail.text, html):
        for detail in DETAILS:
            assert detail not in part, f"{kind} leaks '{detail}'"
    assert mail.message["Subject"] == "Ett mejl från Ekby kommun"
