"""Floods and loops (issue 16, item 12): a number that texts many times in a short while
gets a few automatic answers, one notice that a person will answer, then silence; every
text is still stored and acted on, and staff see the flood on Today."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import func, select

from app import create_app
from app.config import ConfigError, load_config
from app.models import Appointment, AuditEvent, Client, InboundMessage
from tests.admin.conftest import PASSWORD, post, sign_in
from tests.factories import (
    book_appointment,
    create_client,
    create_staff,
    create_unit,
    password_hash_of,
)
from tests.signing import post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
SARA = "+46700000001"
STRANGER = "+46709999999"
UNIT_NUMBER = "+46846500400"
NOTICE_SV = "Vi har fått dina sms."
NOTICE_EN = "We have got your texts."
MENU = "Svara med en siffra:"
_counter = iter(range(1, 10**9))

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def unit(session):
    return create_unit(session, phone_menu_number="+46846500401")


@pytest.fixture
def lina(session, unit):
    return create_staff(
        session,
        unit,
        email="lina@ekby.example",
        name="Lina Berg",
        phone="+46701740605",
        password_hash=password_hash_of(PASSWORD),
    )


@pytest.fixture
def sara(session, lina):
    return create_client(session, staff=lina)


@pytest.fixture
def limit(app) -> int:
    return app.config["SMS_FLOOD_ANSWERS"]


def new_sid() -> str:
    return f"SM{next(_counter):032d}"


def text(web, body: str, sender: str = SARA, sid: str | None = None, **extra) -> str:
    """One text through the signed webhook; the answer's words ('' for none)."""
    params = {
        "MessageSid": sid or new_sid(),
        "AccountSid": "AC1",
        "From": sender,
        "To": UNIT_NUMBER,
        "Body": body,
        "NumMedia": "0",
    } | extra
    response = post_signed(web, "/twilio/sms", params)
    assert response.status_code == 200, response.data
    root = ET.fromstring(response.data)
    return "\n".join(m.text or "" for m in root.iter("Message"))


def flood(web, times: int, body: str, sender: str = SARA) -> list[str]:
    return [text(web, body, sender) for _ in range(times)]


def stored(session, **where) -> list[InboundMessage]:
    session.expire_all()
    query = select(InboundMessage).order_by(InboundMessage.id)
    for name, value in where.items():
        query = query.where(getattr(InboundMessage, name) == value)
    return list(session.exec(query))


def flood_events(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "sms_flood")))


# A known client and a stranger


def test_a_client_s_flood_gets_a_few_answers_one_notice_then_silence(
    client, session, sara, lina, limit
):
    replies = flood(client, 30, "HJÄLP")

    assert all(MENU in reply for reply in replies[:limit])
    notice = replies[limit]
    assert NOTICE_SV in notice and MENU not in notice
    assert "Hej Sara! Det här är Ekby kommun." in notice
    assert "En person läser dem och svarar dig." in notice
    assert replies[limit + 1 :] == [""] * (30 - limit - 1)
    texts = stored(session, from_phone=SARA)
    assert len(texts) == 30
    assert {t.intent for t in texts} == {"help"}  # every one was read
    # The notice promised a person: the first held text waits for the case worker.
    held = texts[limit]
    assert held.needs_answer and held.assigned_staff_id == lina.id
    assert held.reply == notice
    [event] = flood_events(session)
    assert (event.client_id, event.subject_type, event.subject_id) == (
        sara.id,
        "inbound_message",
        held.id,
    )
    assert SARA not in event.detail and "HJÄLP" not in event.detail


def test_the_notice_is_in_the_client_s_language(client, session, lina, limit):
    create_client(session, staff=lina, first_name="Aino", language="fi")
    replies = flood(client, limit + 2, "hei, soitatteko minulle")
    assert "Saimme tekstiviestisi." in replies[limit]
    assert NOTICE_SV not in replies[limit]
    assert replies[limit + 1] == ""


def test_a_stranger_s_flood_gets_a_few_answers_one_notice_in_swedish_and_english(
    client, session, unit, sara, limit
):
    replies = flood(client, 30, "Hej, vem är det här?", sender=STRANGER)

    assert all("Vi känner inte igen ditt nummer." in reply for reply in replies[:limit])
    notice = replies[limit]
    assert NOTICE_SV in notice and NOTICE_EN in notice
    assert "Sara" not in notice
    assert replies[limit + 1 :] == [""] * (30 - limit - 1)
    texts = stored(session, from_phone=STRANGER)
    assert len(texts) == 30
    assert all(t.needs_answer and t.unit_id == unit.id for t in texts)
    [event] = flood_events(session)
    assert event.client_id is None and event.subject_id == texts[limit].id


def test_answers_resume_once_the_window_has_passed(app, client, session, sara, limit):
    flood(client, 30, "HJÄLP")
    window = timedelta(minutes=app.config["SMS_FLOOD_WINDOW_MINUTES"])
    with time_machine.travel(NOW + window / 2, tick=False):
        assert text(client, "HJÄLP") == ""  # still within the flood's window
    with time_machine.travel(NOW + window + timedelta(seconds=1), tick=False):
        assert MENU in text(client, "HJÄLP")
        assert len(flood_events(session)) == 1


def test_a_limit_set_in_the_configuration_is_used(config, session, sara):
    application = create_app(config | {"SMS_FLOOD_ANSWERS": "2"})
    try:
        with application.app_context():
            replies = flood(application.test_client(), 6, "HJÄLP")
    finally:
        application.extensions["tydligt.engine"].dispose()
    assert [bool(r) for r in replies] == [True, True, True, False, False, False]
    assert NOTICE_SV in replies[2]


@pytest.mark.parametrize("key", ["SMS_FLOOD_ANSWERS", "SMS_FLOOD_WINDOW_MINUTES"])
@pytest.mark.parametrize("value", ["0", "many"])
def test_a_limit_must_be_a_whole_number_of_at_least_one(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        load_config(tmp_path, {key: value, "TESTING": True})


# Texts inside a flood still act


def test_stop_inside_a_flood_still_opts_out_and_start_opts_back_in(client, session, sara, limit):
    replies = flood(client, limit + 3, "HJÄLP")
    assert sum(1 for r in replies if r) == limit + 1

    assert text(client, "STOPP") == ""
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None
    assert (
        session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "opted_out")
        ).one()
        == 1
    )

    assert text(client, "START") == ""
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is None
    assert [t.intent for t in stored(session)[-2:]] == ["stop", "start"]


def test_a_stop_as_the_first_held_text_opts_out_without_a_notice(client, session, sara, limit):
    replies = flood(client, limit, "HJÄLP")
    assert all(replies)
    assert text(client, "STOPP") == ""  # asked for silence: no "we got your texts" either
    assert text(client, "HJÄLP") == ""
    session.expire_all()
    assert session.get(Client, sara.id).opted_out_at is not None
    [event] = flood_events(session)  # staff still see the flood
    assert event.subject_id == stored(session)[limit].id


def test_ja_inside_a_flood_still_confirms_and_free_text_still_waits_for_staff(
    client, session, sara, limit
):
    appointment = book_appointment(session, sara, starts_at=NOW + timedelta(days=2), now=NOW)
    flood(client, limit + 3, "HJÄLP")

    assert text(client, "JA") == ""
    assert text(client, "Jag kommer lite sent") == ""
    session.expire_all()
    assert session.get(Appointment, appointment.id).response == "confirmed"
    yes, words = stored(session)[-2:]
    assert yes.intent == "yes"
    assert words.intent == "free_text" and words.needs_answer


# Loops and retries


@pytest.mark.parametrize("sender", [SARA, STRANGER], ids=["client", "stranger"])
def test_a_loop_with_another_automatic_responder_ends(client, session, sara, limit, sender):
    """The other side answers every text we send, at once and for ever."""
    auto_reply = "Detta är ett automatiskt svar. Jag är inte på kontoret förrän måndag."
    answers = []
    ours = text(client, auto_reply, sender)
    while ours and len(answers) < 100:
        answers.append(ours)
        ours = text(client, auto_reply, sender)
    assert len(answers) == limit + 1  # the last one is the notice, which ends it
    assert NOTICE_SV in answers[-1]
    assert len(stored(session, from_phone=sender)) == limit + 2


def test_a_retried_webhook_gets_the_same_answer_as_the_first_time(client, session, sara, limit):
    sids = [new_sid() for _ in range(limit + 3)]
    first = [text(client, "HJÄLP", sid=sid) for sid in sids]
    again = [text(client, "HJÄLP", sid=sid) for sid in reversed(sids)]
    assert list(reversed(again)) == first
    assert NOTICE_SV in first[limit] and first[limit + 1] == ""
    assert len(stored(session)) == limit + 3
    assert len(flood_events(session)) == 1


def test_the_limit_holds_across_web_workers(config, client, session, sara, limit):
    """Two app instances on one database, as two gunicorn workers are."""
    other = create_app(config)
    try:
        workers = [client, other.test_client()]
        replies = [text(workers[n % 2], "HJÄLP") for n in range(20)]
    finally:
        other.extensions["tydligt.engine"].dispose()
    assert sum(1 for r in replies if r) == limit + 1
    assert NOTICE_SV in replies[limit]


# Staff see it


def test_today_shows_the_flood_to_the_unit_whose_number_was_texted(
    client, session, unit, lina, sara, limit
):
    flood(client, 30, "HJÄLP")
    flood(client, 12, "Hallå?", sender=STRANGER)
    other_unit = create_unit(
        session, name="Västby kommun", sender_name="Västby", phone="+46855500000"
    )
    outsider = create_staff(
        session,
        other_unit,
        email="per@vastby.example",
        name="Per Ek",
        password_hash=password_hash_of(PASSWORD),
    )

    sign_in(client, lina)
    page = client.get("/admin/").get_data(as_text=True)
    panel = page[page.index('id="h-floods"') :]
    panel = panel[: panel.index("</section>")]
    assert "Many texts in a short time" in panel
    assert "Sara Lind" in panel
    assert "30 texts; automatic answers held back since" in panel
    assert "Unknown number" in panel and "12 texts" in panel
    assert STRANGER not in panel  # masked

    held = stored(session, from_phone=SARA)[limit]
    response = post(client, f"/admin/inbox/{held.id}/handled", {"back": "/admin/"})
    assert response.status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    panel = page[page.index('id="h-floods"') :]
    panel = panel[: panel.index("</section>")]
    assert "Sara Lind" not in panel and "Unknown number" in panel

    elsewhere = client.application.test_client()
    sign_in(elsewhere, outsider)
    page = elsewhere.get("/admin/").get_data(as_text=True)
    assert "No number has sent many texts in a short time." in page
    assert "12 texts" not in page


def test_today_names_the_flood_in_swedish(client, session, lina, sara, limit):
    flood(client, limit + 2, "HJÄLP")
    sign_in(client, lina, language="sv")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Många sms på kort tid" in page
    assert f"{limit + 2} sms; automatiska svar stoppade sedan" in page
