"""GET /p/<token>: the picture page of a message and the client's overview page."""

import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from app.casework import checklists, decisions, pins
from app.models import LinkToken, OutboxMessage
from app.outbox.sweep import send_due
from app.pages import links
from tests.factories import book_appointment, create_client, create_staff, create_unit
from tests.signing import BASE, post_signed

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # booked at short notice: reminded at once

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def lina(session):
    unit = create_unit(session, phone_menu_number="+46846500401")
    return create_staff(
        session, unit, email="lina@ekby.example", name="Lina Berg", phone="+46701740605"
    )


def sent(outbox_file) -> list[dict]:
    return [json.loads(line) for line in outbox_file.read_text().splitlines()]


def token_in(body: str) -> str:
    return re.search(r"/p/([A-Za-z0-9_-]{22})", body).group(1)


def reminded(session, lina, outbox_file, **client_values) -> str:
    client = create_client(session, staff=lina, **client_values)
    book_appointment(session, client, starts_at=MEETING, now=NOW)
    send_due(NOW)
    body = next(m["body"] for m in sent(outbox_file) if m["kind"] == "appointment_reminder")
    return token_in(body)


def test_every_sms_links_to_its_page_with_a_random_hashed_token(session, lina, outbox_file):
    token = reminded(session, lina, outbox_file)
    assert f"{BASE}/p/{token}" in sent(outbox_file)[0]["body"]
    stored = session.exec(select(LinkToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert stored.expires_at == NOW + timedelta(days=60)


def test_the_page_says_what_the_sms_says_with_pictures(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file)
    response = client.get(f"/p/{token}")
    assert response.status_code == 200
    html = response.data.decode()
    assert '<html lang="sv" dir="ltr">' in html
    assert "Meddelande från Ekby kommun" in html
    assert "Du ska träffa Lina Berg tisdag 3 mars klockan 8.00." in html
    assert "Plats: Storgatan 12, Ekby." in html
    assert '<img src="/pictograms/meeting.svg" alt="Två personer vid ett bord"' in html
    assert '<img src="/pictograms/calendar.svg" alt="En kalender"' in html
    assert "Klockan 8.00" in html
    assert 'href="tel:+46701740605"' in html
    assert 'href="sms:' in html
    assert 'Vill du höra det här? Ring <span class="phone" dir="ltr">08-465 004 01</span>.' in html
    assert "Läs upp" in html and "Skriv ut" in html
    assert "Lind" not in html  # no surname on a page


def test_pages_are_private_and_load_nothing_from_outside(client, session, lina, outbox_file):
    response = client.get(f"/p/{reminded(session, lina, outbox_file)}")
    headers = response.headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in headers["X-Robots-Tag"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    html = response.data.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_right_to_left_languages_get_dir_rtl(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file, language="ar")
    html = client.get(f"/p/{token}").data.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_the_language_can_be_switched_on_the_page(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file)
    html = client.get(f"/p/{token}?lang=en").data.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "You will meet Lina Berg on Tuesday 3 March at 08:00." in html
    assert "Message from Ekby kommun" in html
    assert 'href="?lang=fa"' in html and 'lang="fa"' in html


@pytest.mark.parametrize("token", ["x" * 22, "nonsense", "a" * 80, "%00%ff"])
def test_an_unknown_link_gets_a_friendly_page_that_reveals_nothing(client, session, lina, token):
    create_client(session, staff=lina)
    response = client.get(f"/p/{token}")
    assert response.status_code == 404
    html = response.data.decode()
    assert "Länken fungerar inte längre" in html
    assert 'Skriv MENY i ett sms till <span class="phone" dir="ltr">08-465 004 00</span>.' in html
    assert "Sara" not in html and "Lina" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_an_expired_or_revoked_link_stops_working(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file)
    with time_machine.travel(NOW + timedelta(days=61), tick=False):
        assert client.get(f"/p/{token}").status_code == 404
    link = links.resolve(session, token, NOW)
    links.revoke(session, link, NOW)
    session.commit()
    assert client.get(f"/p/{token}").status_code == 404


def test_a_changed_meeting_shows_its_new_time(client, session, lina, outbox_file):
    from app.casework import appointments
    from app.models import Appointment

    token = reminded(session, lina, outbox_file)
    appointment = session.exec(select(Appointment)).one()
    appointments.change(session, appointment, starts_at=MEETING + timedelta(hours=2), now=NOW)
    session.commit()
    html = client.get(f"/p/{token}").data.decode()
    # The page is composed when it is opened: it tells the meeting as it is now.
    assert "Du ska träffa Lina Berg tisdag 3 mars klockan 10.00." in html
    assert "klockan 8.00" not in html


def test_a_discreet_client_confirms_the_pin_first(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file, privacy="discreet")
    from app.models import Client

    sara = session.exec(select(Client)).one()
    pins.set_pin(session, sara, "4826")
    session.commit()
    first = client.get(f"/p/{token}").data.decode()
    assert "Det här meddelandet är skyddat." in first and "Lina Berg" not in first
    wrong = client.post(f"/p/{token}", data={"pin": "1111"}).data.decode()
    assert "Pinkoden var fel." in wrong
    right = client.post(f"/p/{token}", data={"pin": "4826"})
    assert right.status_code == 303
    assert "Du ska träffa Lina Berg" in client.get(f"/p/{token}").data.decode()


def test_the_welcome_links_to_the_overview_which_is_always_current(
    client, session, lina, outbox_file
):
    from app.casework import clients

    sara = clients.enroll(
        session,
        unit_id=lina.unit_id,
        caseworker_id=lina.id,
        first_name="Sara",
        phone="+46700000001",
        consent_method="verbal",
        now=NOW,
    )
    session.commit()
    send_due(NOW)
    token = token_in(sent(outbox_file)[0]["body"])
    empty = client.get(f"/p/{token}").data.decode()
    assert "Allt om dig hos Ekby kommun" in empty
    assert "Du har inget bokat möte just nu." in empty
    book_appointment(session, sara, starts_at=MEETING, now=NOW)
    checklists.create(
        session,
        sara,
        application_type="ekonomiskt_bistand",
        due_date=date(2026, 3, 9),
        documents=["hyresavi"],
        now=NOW,
    )
    decisions.decide(
        session,
        sara,
        now=NOW,
        service="boendestod",
        outcome="approved",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 8, 31),
    )
    session.commit()
    html = client.get(f"/p/{token}").data.decode()
    assert "Du ska träffa Lina Berg tisdag 3 mars klockan 8.00." in html
    assert "Hyresavi. Papperet som visar hur mycket hyra du ska betala." in html
    assert "boendestöd: gäller till måndag 31 augusti." in html
    assert "Din kontakt hos oss är Lina Berg." in html


def test_the_sms_menu_links_to_the_overview(client, session, lina):
    create_client(session, staff=lina)
    params = {
        "MessageSid": "SM" + "5" * 32,
        "From": "+46700000001",
        "To": "+46846500400",
        "Body": "MENY",
    }
    reply = post_signed(client, "/twilio/sms", params).data.decode()
    token = token_in(reply)
    assert session.exec(select(LinkToken)).one().purpose == "overview"
    assert "Allt om dig" in client.get(f"/p/{token}").data.decode()


def test_the_sms_body_names_the_page_and_the_outbox_keeps_it(session, lina, outbox_file):
    reminded(session, lina, outbox_file)
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "appointment_reminder")
    ).one()
    assert "Läs mer: https://tydligt.ekby.example/p/" in message.body


def test_dari_pages_carry_the_bcp47_tag_browsers_know(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file, language="prs")
    html = client.get(f"/p/{token}").data.decode()
    # "prs" stays our code (the links), but browsers and screen readers know Dari as fa-AF.
    assert '<html lang="fa-AF" dir="rtl">' in html
    assert 'href="?lang=prs" lang="fa-AF" hreflang="fa-AF"' in html
    assert 'lang="prs"' not in html and 'hreflang="prs"' not in html
    assert 'data-lang="fa-AF"' in html


def test_each_message_page_has_a_title_saying_what_it_is(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file)
    sara = session.exec(select(OutboxMessage)).first().client_id
    from app.models import Client

    checklists.create(
        session,
        session.get(Client, sara),
        application_type="ekonomiskt_bistand",
        due_date=date(2026, 3, 9),
        documents=["hyresavi"],
        now=NOW,
    )
    session.commit()
    send_due(NOW)
    request = next(m for m in sent(outbox_file) if m["kind"] == "checklist_request")
    reminder = client.get(f"/p/{token}").data.decode()
    papers = client.get(f"/p/{token_in(request['body'])}").data.decode()
    assert "<title>Ditt möte – måndag 2 mars – Ekby kommun</title>" in reminder
    assert "<title>Papper vi behöver – måndag 2 mars – Ekby kommun</title>" in papers
    english = client.get(f"/p/{token}?lang=en").data.decode()
    assert "<title>Your meeting – Monday 2 March – Ekby kommun</title>" in english


def test_reading_aloud_can_be_stopped_in_every_language(client, session, lina, outbox_file):
    token = reminded(session, lina, outbox_file)
    swedish = client.get(f"/p/{token}").data.decode()
    assert re.search(
        r'<button type="button" class="button read-stop"[^>]*hidden>Sluta läsa<', swedish
    )
    english = client.get(f"/p/{token}?lang=en").data.decode()
    assert ">Stop reading</button>" in english


def test_phone_numbers_are_kept_on_one_line(client, session, lina, outbox_file):
    html = client.get(f"/p/{reminded(session, lina, outbox_file)}").data.decode()
    assert 'Ring <span class="phone" dir="ltr">070-174 06 05</span>' in html
    assert 'Skicka sms till <span class="phone" dir="ltr">08-465 004 00</span>' in html


def test_the_overview_says_when_it_was_printed(client, session, lina, outbox_file):
    from app.casework import clients

    clients.enroll(
        session,
        unit_id=lina.unit_id,
        caseworker_id=lina.id,
        first_name="Sara",
        phone="+46700000001",
        consent_method="verbal",
        now=NOW,
    )
    session.commit()
    send_due(NOW)
    token = token_in(sent(outbox_file)[0]["body"])
    html = client.get(f"/p/{token}").data.decode()
    assert '<p class="printed">Utskriven måndag 2 mars 2026.</p>' in html
    english = client.get(f"/p/{token}?lang=en").data.decode()
    assert '<p class="printed">Printed on Monday 2 March 2026.</p>' in english


def test_the_ethiopic_font_and_its_licence_are_served_by_the_app(client):
    def fetch(path: str) -> tuple[int, bytes]:
        response = client.get(path)
        try:
            return response.status_code, response.get_data()
        finally:
            response.close()  # a static file stays open until closed

    css = fetch("/static/page.css")[1].decode()
    face = re.search(r"@font-face\s*{[^}]*Ethiopic[^}]*}", css).group(0)
    assert "unicode-range: U+1200-139F" in face  # only Ethiopic text fetches it
    url = re.search(r'url\("?([^")]+\.woff2)"?\)', face).group(1)
    status, font = fetch("/static/" + url)
    assert status == 200 and font[:4] == b"wOF2"
    assert "SIL OPEN FONT LICENSE Version 1.1" in fetch("/static/fonts/OFL.txt")[1].decode()
