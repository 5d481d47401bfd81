"""The phone simulator: a demo client texts and calls the app through the real, signed
webhooks. It exists only in development (the console transport)."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app import create_app
from app.admin.simulator import read_screen
from app.models import CallStep, InboundMessage, OutboxMessage
from tests.admin.conftest import post, sign_in
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # tuesday 10.00 in Stockholm
MEETING = datetime(2026, 3, 5, 13, 0, tzinfo=UTC)  # thursday 5 march 14.00
PRODUCTION = {
    "SMS_TRANSPORT": "twilio",
    "SECRET_KEY": "k" * 40,
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "production-token",
    "TWILIO_FROM_NUMBER": "+46846500400",
    "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
}

pytestmark = pytest.mark.frozen_at(NOW)


def page(web, client) -> str:
    response = web.get(f"/admin/simulator?client_id={client.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def act(web, client, **values):
    response = post(web, "/admin/simulator", {"client_id": client.id} | values)
    assert response.status_code == 302, response.get_data(as_text=True)
    return page(web, client)


def inbound(session) -> list[InboundMessage]:
    session.expire_all()
    return list(session.exec(select(InboundMessage).order_by(InboundMessage.id)))


def test_there_is_no_simulator_with_the_twilio_transport(config, session, caseworker):
    production = create_app(config | PRODUCTION)
    try:
        web = production.test_client()
        sign_in(web, caseworker)
        assert web.get("/admin/simulator").status_code == 404
        assert post(web, "/admin/simulator", {"action": "call"}).status_code == 404
        assert "Phone simulator" not in web.get("/admin/").get_data(as_text=True)
    finally:
        production.extensions["tydligt.engine"].dispose()


def test_the_page_lists_only_the_clients_one_may_see(session, caseworker, colleague, as_caseworker):
    create_client(session, staff=caseworker, first_name="Sara", phone="+46700000001")
    other = create_client(session, staff=colleague, first_name="Amir", phone="+46700000002")
    html = as_caseworker.get("/admin/simulator").get_data(as_text=True)
    assert "Sara Lind" in html and "Amir" not in html
    assert as_caseworker.get(f"/admin/simulator?client_id={other.id}").status_code == 404
    response = post(as_caseworker, "/admin/simulator", {"client_id": other.id, "action": "call"})
    assert response.status_code == 404


@pytest.mark.parametrize("body", ["HJÄLP", "MENY"])
def test_a_text_goes_through_the_real_webhook_and_the_reply_is_shown(
    session, unit, sara, as_caseworker, body
):
    html = act(as_caseworker, sara, action="text", body=body)
    [message] = inbound(session)
    assert message.body == body and message.client_id == sara.id
    assert message.from_phone == sara.phone and message.to_phone == unit.phone
    assert message.provider_id.startswith("SM") and len(message.provider_id) == 34
    assert "Svara med en siffra:" in message.reply
    assert "Svara med en siffra:" in html and "1 Nästa möte" in html


def test_one_tells_the_next_meeting_and_the_conversation_stays(session, sara, as_caseworker):
    book_appointment(session, sara, starts_at=MEETING, now=NOW)
    act(as_caseworker, sara, action="text", body="HJÄLP")
    html = act(as_caseworker, sara, action="text", body="1")
    assert [m.body for m in inbound(session)] == ["HJÄLP", "1"]
    assert "Ditt nästa möte:" in html
    assert "Svara med en siffra:" in html  # the earlier answer is still shown


def test_an_empty_text_is_not_sent(session, sara, as_caseworker):
    response = post(
        as_caseworker, "/admin/simulator", {"client_id": sara.id, "action": "text", "body": " "}
    )
    assert response.status_code == 422
    assert "Fill this in." in response.get_data(as_text=True)
    assert inbound(session) == []


def test_a_call_shows_the_menu_and_a_key_moves_on(session, sara, as_caseworker):
    book_appointment(session, sara, starts_at=MEETING, now=NOW)
    html = act(as_caseworker, sara, action="call")
    assert "Hej Sara!" in html and "Ekby kommun" not in html  # they know whom they called
    assert "Tryck 1 för ditt nästa möte." in html
    assert 'name="digits" value="1"' in html
    html = act(as_caseworker, sara, action="press", digits="1")
    assert "Du ska träffa Lina Berg torsdag 5 mars klockan 14.00." in html
    assert "Hej Sara!" not in html  # only what the phone says now
    steps = session.exec(select(CallStep).order_by(CallStep.step)).all()
    assert [s.step for s in steps] == [0, 1] and steps[0].call_sid == steps[1].call_sid
    assert steps[0].client_id == sara.id


def test_keys_on_a_meeting_confirm_it_through_the_phone_menu(session, sara, as_caseworker):
    meeting = book_appointment(session, sara, starts_at=MEETING, now=NOW)
    act(as_caseworker, sara, action="call")
    act(as_caseworker, sara, action="press", digits="1")
    html = act(as_caseworker, sara, action="press", digits="1")
    assert "Tack! Vi har skrivit upp att du kommer." in html
    session.expire_all()
    assert session.get(type(meeting), meeting.id).response == "confirmed"


def test_pressing_nothing_follows_the_redirect_and_hears_the_menu_again(
    session, sara, as_caseworker
):
    act(as_caseworker, sara, action="call")
    html = act(as_caseworker, sara, action="wait")
    assert "Tryck 1 för ditt nästa möte." in html
    assert "Vi hörde inget svar." in html  # what a second silence would bring
    assert len(session.exec(select(CallStep)).all()) == 2


def test_hanging_up_ends_the_call(session, sara, as_caseworker):
    act(as_caseworker, sara, action="call")
    html = act(as_caseworker, sara, action="hang_up")
    assert "Tryck 1 för ditt nästa möte." not in html
    assert "Call the phone menu" in html
    html = act(as_caseworker, sara, action="press", digits="1")
    assert "The call has ended." in html


def test_odd_keys_are_refused_before_they_reach_the_phone_menu(session, sara, as_caseworker):
    act(as_caseworker, sara, action="call")
    response = post(
        as_caseworker,
        "/admin/simulator",
        {"client_id": sara.id, "action": "press", "digits": "1<script>"},
    )
    assert response.status_code == 422
    assert len(session.exec(select(CallStep)).all()) == 1


def test_messages_sent_to_the_client_are_shown(session, sara, as_caseworker):
    session.add(
        OutboxMessage(
            kind="appointment_reminder",
            client_id=sara.id,
            dedupe_key="test:sent",
            due_at=NOW,
            status="delivered",
            sent_at=NOW,
            body="Hej Sara! Påminnelse om ditt möte.",
        )
    )
    session.add(
        OutboxMessage(
            kind="welcome", client_id=sara.id, dedupe_key="test:failed", due_at=NOW, status="failed"
        )
    )
    session.commit()
    html = page(as_caseworker, sara)
    assert "Hej Sara! Påminnelse om ditt möte." in html
    assert "Meeting reminder" in html and "Welcome" not in html


def test_a_stored_screen_reads_as_the_caller_hears_it(app):
    twiml = (
        '<Response><Gather numDigits="4" action="https://x/twilio/voice/press/pin">'
        '<Say language="sv-SE">Skriv din kod.</Say></Gather>'
        '<Say language="sv-SE">Vi hörde inget svar.</Say><Hangup/></Response>'
    )
    screen = read_screen(twiml, "sv")
    assert screen.said == [("Skriv din kod.", "sv-SE")]
    assert screen.keys == 4 and not screen.can_wait and not screen.ends
    assert screen.if_silent[0] == ("Vi hörde inget svar.", "sv-SE")


def test_a_call_belongs_to_the_client_who_made_it(session, caseworker, sara, as_caseworker):
    amir = create_client(session, staff=caseworker, first_name="Amir", phone="+46700000002")
    act(as_caseworker, sara, action="call")
    html = act(as_caseworker, amir, action="press", digits="1")
    assert "Call the phone menu" in html
    assert len(session.exec(select(CallStep)).all()) == 1
