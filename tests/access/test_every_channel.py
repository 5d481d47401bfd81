"""The one access rule, walked through every channel for every kind of asker.

Channels: SMS, the phone menu, reminder calls, picture pages, the admin pages and the API.
Askers: the client, a discreet client without and with the PIN, an allowed representative,
a limited representative, a removed representative, an opted-out representative, a
representative of two clients, a stranger, a client of two units, staff of the unit, a
former case worker, staff of another unit, and a key of another unit.

Each cell checks what is revealed (the secret place of the next meeting, the missing
document, the decision) and what can be changed (declining the meeting).
"""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse

import pytest
import time_machine
from sqlmodel import select

from app.api import keys
from app.casework import checklists, decisions, handovers, pins, representatives
from app.models import (
    Appointment,
    CallbackRequest,
    Client,
    InboundMessage,
    LinkPurpose,
    OutboxMessage,
    Representative,
    StaffRole,
    utcnow,
)
from app.pages import links
from tests.admin.conftest import PASSWORD, sign_in
from tests.factories import (
    book_appointment,
    create_client,
    create_staff,
    create_unit,
    password_hash_of,
)
from tests.signing import BASE, post_signed

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # tuesday 10.00 in Stockholm: office open
MEETING = NOW + timedelta(days=2)
PLACE = "Hemliga gatan 7"  # the meeting's place: identifying for a discreet client
DOCUMENT = "kontoutdrag"
DECISION = "boendestöd"
SECRETS = (PLACE, DOCUMENT, DECISION)
PIN = "2468"

UNIT_SMS, UNIT_MENU = "+46846500400", "+46846500401"
OTHER_SMS, OTHER_MENU = "+46855500500", "+46855500501"

SARA = "+46700000001"  # a client; also a client of the other unit
DINA = "+46700000002"  # a discreet client with a PIN
MAJA = "+46700000003"
ANNA = "+46700000010"  # Sara's representative: every copy
LARS = "+46700000011"  # Sara's representative: appointments only
ROLF = "+46700000012"  # Sara's representative, removed by staff
OLLE = "+46700000013"  # Sara's representative, opted out himself
GUNNEL = "+46700000014"  # representative of Sara (decisions) and of Maja (everything)
STRANGER = "+46709999999"

_sid = iter(range(1, 10**9))

pytestmark = pytest.mark.frozen_at(NOW)


class World:
    """Two units, their staff and keys, clients and representatives, and Sara's records."""

    def __init__(self, session):
        cheap = {"password_hash": _password()}
        self.unit = create_unit(session, phone=UNIT_SMS, phone_menu_number=UNIT_MENU,
                                office_hours="mon-fri 09:00-12:00")  # fmt: skip
        self.other_unit = create_unit(session, name="Västby socialtjänst", sender_name="Västby",
                                      phone=OTHER_SMS, phone_menu_number=OTHER_MENU)  # fmt: skip
        self.lina = create_staff(session, self.unit, email="lina@ekby.example", name="Lina Berg",
                                 **cheap)  # fmt: skip
        self.omar = create_staff(session, self.unit, email="omar@ekby.example",
                                 name="Omar Haddad", **cheap)  # fmt: skip
        self.eva = create_staff(session, self.unit, email="eva@ekby.example", name="Eva Admin",
                                role=StaffRole.ADMIN, **cheap)  # fmt: skip
        self.pia = create_staff(session, self.other_unit, email="pia@vastby.example",
                                name="Pia Ek", **cheap)  # fmt: skip
        self.cover = create_staff(session, self.unit, email="ulla@ekby.example",
                                  name="Ulla Vik", **cheap)  # fmt: skip
        self.sara = create_client(session, staff=self.lina, phone=SARA, source_system="Lifecare",
                                  source_id="LC-1")  # fmt: skip
        self.dina = create_client(session, staff=self.lina, phone=DINA, first_name="Dina",
                                  privacy="discreet")  # fmt: skip
        pins.set_pin(session, self.dina, PIN)
        self.maja = create_client(session, staff=self.lina, phone=MAJA, first_name="Maja")
        # The same person is also a client of the other unit (economic assistance there).
        self.sanna = create_client(session, staff=self.pia, phone=SARA, first_name="Sanna")
        everything = dict.fromkeys(
            ("copy_appointments", "copy_documents", "copy_decisions", "copy_handovers"), True
        )
        add = representatives.add
        self.anna = add(session, self.sara, name="Anna Holm", phone=ANNA, role="god_man",
                        **everything)  # fmt: skip
        self.lars = add(session, self.sara, name="Lars Ek", phone=LARS, copy_appointments=True)
        self.rolf = add(session, self.sara, name="Rolf Berg", phone=ROLF, **everything)
        self.olle = add(session, self.sara, name="Olle Ek", phone=OLLE, **everything)
        self.gunnel = add(session, self.sara, name="Gunnel Ask", phone=GUNNEL, role="god_man",
                          copy_decisions=True)  # fmt: skip
        self.gunnel_maja = add(session, self.maja, name="Gunnel Ask", phone=GUNNEL,
                               role="god_man", **everything)  # fmt: skip
        for client in (self.sara, self.dina, self.maja):
            book_appointment(session, client, starts_at=MEETING, now=NOW, location=PLACE)
            checklists.create(session, client, application_type="ekonomiskt_bistand",
                              due_date=date(2026, 3, 9), documents=[DOCUMENT], now=NOW)  # fmt: skip
            decisions.decide(session, client, now=NOW, service="boendestod", outcome="approved",
                             valid_from=date(2026, 4, 1))  # fmt: skip
        session.commit()
        # Copies planned while Rolf was allowed everything; then staff removed him.
        representatives.remove(session, self.rolf, now=NOW)
        self.olle.opted_out_at = NOW
        # Sara went Lina -> Omar -> Lina: Omar is a former case worker now.
        handovers.hand_over(session, self.sara, self.omar, starts_on=date(2026, 1, 5),
                            from_staff=self.lina, now=NOW - timedelta(days=60))  # fmt: skip
        handovers.hand_over(session, self.sara, self.lina, starts_on=date(2026, 2, 2),
                            from_staff=self.omar, now=NOW - timedelta(days=30))  # fmt: skip
        # Ulla stands in for Lina this week, for Maja only.
        handovers.hand_over(session, self.maja, self.cover, kind="absence", starts_on=NOW.date(),
                            ends_on=NOW.date() + timedelta(days=4), from_staff=self.lina,
                            now=NOW)  # fmt: skip
        self.key, self.secret = keys.create(session, unit_id=self.unit.id, name="Lifecare",
                                            scopes="read")  # fmt: skip
        self.other_key, self.other_secret = keys.create(
            session, unit_id=self.other_unit.id, name="Lifecare", scopes="read"
        )
        session.commit()


def _password() -> str:

    return password_hash_of(PASSWORD)


@pytest.fixture
def world(session) -> World:
    return World(session)


def revealed(text: str) -> set[str]:
    """Which of the secrets a text gives away."""
    return {secret for secret in SECRETS if secret.casefold() in text.casefold()}


def meeting_of(session, client) -> Appointment:
    session.expire_all()
    return session.exec(select(Appointment).where(Appointment.client_id == client.id)).one()


# SMS ---------------------------------------------------------------------------------------


def text(web, sender: str, body: str, to: str = UNIT_SMS) -> str:
    params = {"MessageSid": f"SM{next(_sid):032d}", "AccountSid": "AC1", "From": sender,
              "To": to, "Body": body, "NumMedia": "0"}  # fmt: skip
    response = post_signed(web, "/twilio/sms", params)
    assert response.status_code == 200
    return "\n".join(m.text or "" for m in ET.fromstring(response.data).iter("Message"))


def sms_reveals(web, sender: str) -> set[str]:
    return revealed(" ".join(text(web, sender, option) for option in ("1", "2", "3")))


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        (SARA, {PLACE, DOCUMENT, DECISION}),
        (DINA, set()),  # discreet: never by SMS, PIN or not
        (ANNA, {PLACE, DOCUMENT, DECISION}),
        (LARS, {PLACE}),
        (ROLF, set()),
        (OLLE, set()),
        (STRANGER, set()),
    ],
)
def test_sms_reveals_exactly_what_the_sender_may_see(client, world, sender, expected):
    assert sms_reveals(client, sender) == expected


@pytest.mark.parametrize(
    ("sender", "may_decline"),
    [
        (SARA, True),
        (DINA, True),
        (ANNA, True),
        (LARS, True),
        (ROLF, False),
        (OLLE, False),
        (STRANGER, False),
    ],  # fmt: skip
)
def test_sms_no_declines_only_for_those_who_may(client, session, world, sender, may_decline):
    reply = text(client, sender, "NEJ")
    assert (meeting_of(session, world.sara).response == "declined") == (
        may_decline and sender != DINA
    )
    if sender == DINA:
        assert meeting_of(session, world.dina).response == "declined"
        assert "Tack för att du sa till." in reply
    assert PLACE not in reply or sender in (SARA, ANNA, LARS)
    if sender == DINA:
        assert "5 mars" not in reply  # no date by SMS


def test_a_discreet_clients_yes_by_sms_does_not_repeat_the_date(client, session, world):
    reply = text(client, DINA, "JA")
    assert "Tack! Vi har skrivit upp att du kommer." in reply
    assert "5 mars" not in reply and PLACE not in reply
    assert meeting_of(session, world.dina).response == "confirmed"


def test_a_removed_or_opted_out_representative_is_a_stranger_by_sms(client, session, world):
    for number in (ROLF, OLLE):
        reply = text(client, number, "HJÄLP")
        assert "Sara" not in reply and "Rolf" not in reply and "Olle" not in reply
        assert "08-465 004 00" in reply  # the unit's number, nothing about anyone
        inbound = session.exec(
            select(InboundMessage).where(InboundMessage.from_phone == number)
        ).first()
        assert inbound.client_id is None and inbound.unit_id == world.unit.id


def test_an_opted_out_representative_can_still_turn_texts_back_on(client, session, world):
    assert "START" not in text(client, OLLE, "START") or True
    session.expire_all()
    assert session.get(Representative, world.olle.id).opted_out_at is None
    assert session.get(Representative, world.rolf.id).removed_at is not None
    text(client, ROLF, "START")
    session.expire_all()
    assert session.get(Representative, world.rolf.id).opted_out_at is not None


def test_a_representative_of_two_clients_chooses_whose_and_is_greeted_by_name(
    client, session, world
):
    ask = text(client, GUNNEL, "1")
    assert ask.startswith("Hej Gunnel Ask! Det här är Ekby kommun.")
    assert "1 Sara" in ask and "2 Maja" in ask and revealed(ask) == set()
    menu = text(client, GUNNEL, "2")
    assert menu.startswith("Hej Gunnel Ask! Det här är Ekby kommun.\nDet här gäller Maja.")
    assert "1 Nästa möte" in menu and "3 Senaste beslutet" in menu
    assert revealed(text(client, GUNNEL, "1")) == {PLACE}  # Maja's meeting, her copies


def test_a_representative_of_two_clients_chooses_again_with_0(client, session, world):
    text(client, GUNNEL, "HJÄLP")
    text(client, GUNNEL, "2")
    # 0 chooses again; for Sara, Gunnel may see decisions only.
    assert "Vem gäller det?" in text(client, GUNNEL, "0")
    sara_menu = text(client, GUNNEL, "1")
    assert "Det här gäller Sara." in sara_menu and "1 Nästa möte" not in sara_menu
    assert revealed(text(client, GUNNEL, "1")) == set()
    assert revealed(text(client, GUNNEL, "3")) == {DECISION}


def test_a_representative_of_two_clients_is_asked_before_a_no_changes_anything(
    client, session, world
):
    reply = text(client, GUNNEL, "NEJ")
    assert "Vem gäller det?" in reply
    assert meeting_of(session, world.maja).response is None
    inbound = session.exec(select(InboundMessage).where(InboundMessage.from_phone == GUNNEL)).one()
    assert inbound.needs_answer  # a person reads it


def test_a_client_of_two_units_is_known_by_the_number_they_texted(client, session, world):
    assert "Hej Sara!" in text(client, SARA, "HJÄLP", to=UNIT_SMS)
    other = text(client, SARA, "HJÄLP", to=OTHER_SMS)
    assert "Hej Sanna! Det här är Västby." in other and "Sara" not in other
    assert revealed(text(client, SARA, "1", to=OTHER_SMS)) == set()  # Sanna has no meeting


def test_a_staff_answer_to_a_representative_goes_to_the_representative(client, session, world):
    from app.casework import staff_messages
    from app.outbox.sweep import send_due

    text(client, ANNA, "Kan Sara ta med sig någon till mötet?")
    inbound = session.exec(select(InboundMessage).where(InboundMessage.from_phone == ANNA)).one()
    assert inbound.representative_id == world.anna.id and inbound.needs_answer
    staff_messages.send(session, world.sara, text="Ja, det går bra.", author=world.lina,
                        in_reply_to=inbound, now=NOW)  # fmt: skip
    session.commit()
    send_due(now=NOW)
    session.expire_all()
    answer = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "staff_message")).one()
    assert answer.to_phone == ANNA and answer.representative_id == world.anna.id
    assert answer.body.startswith("Hej Anna Holm! Det här är Ekby kommun.\nDet här gäller Sara.")
    assert "Ja, det går bra." in answer.body


# The phone menu -----------------------------------------------------------------------------


class Call:
    def __init__(self, web, phone: str, to: str = UNIT_MENU):
        self.web, self.phone, self.to = web, phone, to
        self.sid = f"CA{next(_sid):032d}"
        self.root = None

    def post(self, url: str, **params) -> "Call":
        parts = urlparse(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = {"CallSid": self.sid, "From": self.phone, "To": self.to, "AccountSid": "AC1"}
        response = post_signed(self.web, path, data | params)
        assert response.status_code == 200
        self.root = ET.fromstring(response.data)
        return self

    def start(self) -> "Call":
        return self.post(f"{BASE}/twilio/voice")

    def press(self, digits: str) -> "Call":
        return self.post(self.root.find("Gather").get("action"), Digits=digits)

    def silence(self) -> "Call":
        return self.post(self.root.find("Redirect").text)

    @property
    def said(self) -> str:
        return " ".join(el.text or "" for el in self.root.iter("Say"))


def phone_reveals(web, caller: str, pin: str | None = None) -> set[str]:
    heard = ""
    for option in ("1", "2", "3"):
        call = Call(web, caller).start()
        call.press(option)
        if pin and call.root.find("Gather") is not None and "pinkod" in call.said:
            call.press(pin)
        heard += " " + call.said
    return revealed(heard)


@pytest.mark.parametrize(
    ("caller", "pin", "expected"),
    [
        (SARA, None, {PLACE, DOCUMENT, DECISION}),
        (DINA, None, set()),  # discreet without the PIN: nothing identifying
        (DINA, PIN, {PLACE, DOCUMENT, DECISION}),
        (ANNA, None, {PLACE, DOCUMENT, DECISION}),
        (LARS, None, {PLACE}),  # appointments only: pressing 3 tells no refusal
        (ROLF, None, set()),
        (OLLE, None, set()),
        (STRANGER, None, set()),
    ],
)
def test_the_phone_menu_reveals_exactly_what_the_caller_may_hear(
    client, world, caller, pin, expected
):
    assert phone_reveals(client, caller, pin) == expected


def test_a_limited_representative_hears_only_the_allowed_options(client, world):
    call = Call(client, LARS).start()
    assert call.said.startswith("Hej Lars Ek! Det här är Ekby kommun. Det här gäller Sara.")
    assert "Tryck 1 " in call.said and "Tryck 3 " not in call.said and "Tryck 2 " not in call.said


def test_a_removed_representative_cannot_decline_by_phone(client, session, world):
    call = Call(client, ROLF).start()
    assert "Sara" not in call.said
    call.press("1")
    if call.root.find("Gather") is not None:
        call.press("2")
    assert meeting_of(session, world.sara).response is None


def test_a_representative_of_two_clients_chooses_whose_by_phone(client, session, world):
    call = Call(client, GUNNEL).start()
    assert "Tryck 1 för Sara." in call.said and "Tryck 2 för Maja." in call.said
    call.press("2")
    assert "Det här gäller Maja." in call.said
    call.press("1")
    assert PLACE in call.said
    call.press("2")  # Maja cannot come
    assert meeting_of(session, world.maja).response == "declined"
    assert meeting_of(session, world.sara).response is None


def test_a_representative_of_two_clients_who_stays_silent_hears_how_to_reach_us(client, world):
    # Silent on the list "whose?", and again when it is said once more: the goodbye in
    # their language, about nobody's matters (never a 500).
    call = Call(client, GUNNEL).start().silence()
    assert call.root[-1].tag == "Hangup"
    assert "Vi hörde inget svar." in call.said
    assert "Sara" not in call.said.split("Vi hörde inget svar.")[-1]


def test_caller_id_is_not_proof_decisions_need_the_pin_whenever_the_client_has_one(
    client, session, world
):
    pins.set_pin(session, world.sara, "1357")
    session.commit()
    call = Call(client, SARA).start()
    call.press("3")
    assert DECISION not in call.said and "pinkod" in call.said
    call.press("1357")
    assert "Du får boendestöd." in call.said
    call.press("*")
    call.press("1")  # the next meeting needs no PIN for a client who is not discreet
    assert PLACE in call.said


def test_a_discreet_client_hears_no_meeting_before_the_pin(client, session, world):
    call = Call(client, DINA).start()
    call.press("1")
    assert PLACE not in call.said and "5 mars" not in call.said
    assert "Skriv din pinkod" in call.said
    call.press(PIN)
    assert PLACE in call.said
    call.press("*")
    call.press("3")  # the PIN holds for the rest of the call
    assert "Du får boendestöd." in call.said


def test_a_discreet_client_cannot_decline_before_the_pin(client, session, world):
    call = Call(client, DINA).start()
    call.press("1")
    call.press("2")  # on the PIN screen: a wrong PIN, not a "no"
    assert meeting_of(session, world.dina).response is None


# Reminder calls ----------------------------------------------------------------------------


def reminder_call(session, web, client_row: Client) -> Call:
    meeting = meeting_of(session, client_row)
    message = OutboxMessage(kind="appointment_reminder", channel="voice", client_id=client_row.id,
                            subject_type="appointment", subject_id=meeting.id, subject_version=1,
                            dedupe_key=f"test:{client_row.id}", due_at=NOW,
                            status="sent")  # fmt: skip
    session.add(message)
    session.commit()
    return Call(web, client_row.phone).post(f"{BASE}/twilio/voice/reminder/{message.id}")


def test_a_reminder_call_to_a_discreet_client_says_only_who_calls_and_asks_for_the_pin(
    client, session, world
):
    call = reminder_call(session, client, world.dina)
    assert call.said.startswith("Hej! Det här är Ekby kommun.")
    assert "Dina" not in call.said and PLACE not in call.said and "5 mars" not in call.said
    assert "Skriv din pinkod med fyra siffror." in call.said
    call.press("0000")
    assert PLACE not in call.said and "Pinkoden var fel" in call.said
    call.press(PIN)
    call.post(call.root.find("Redirect").text)
    assert PLACE in call.said
    call.press("2")
    assert meeting_of(session, world.dina).response == "declined"


def test_a_reminder_call_to_a_client_who_is_not_discreet_says_it_all(client, session, world):
    call = reminder_call(session, client, world.sara)
    assert PLACE in call.said


# Picture pages ------------------------------------------------------------------------------


def page_link(session, client_row: Client, representative: Representative | None = None) -> str:
    message = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.client_id == client_row.id,
            OutboxMessage.kind == "appointment_reminder",
            OutboxMessage.representative_id == (representative.id if representative else None)
            if representative
            else OutboxMessage.representative_id.is_(None),
        )
    ).first()
    token = links.create(session, client_row, LinkPurpose.MESSAGE, NOW, message)
    session.commit()
    return f"/p/{token}"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("sara", True), ("dina", False), ("anna", True), ("lars", True), ("rolf", False)],
)
def test_a_page_shows_the_meeting_only_to_those_who_may_see_it(client, session, world, who,
                                                               expected):  # fmt: skip
    owner = {"sara": world.sara, "dina": world.dina}.get(who, world.sara)
    representative = {"anna": world.anna, "lars": world.lars, "rolf": world.rolf}.get(who)
    if representative is world.rolf:  # his copy was planned before he was removed
        message = session.exec(select(OutboxMessage).where(
            OutboxMessage.representative_id == world.rolf.id)).first()  # fmt: skip
        url = f"/p/{links.create(session, world.sara, LinkPurpose.MESSAGE, NOW, message)}"
        session.commit()
    else:
        url = page_link(session, owner, representative)
    page = client.get(url).get_data(as_text=True)
    assert (PLACE in page) == expected


def test_a_discreet_clients_page_opens_after_the_pin(client, session, world):
    url = page_link(session, world.dina)
    assert PLACE not in client.get(url).get_data(as_text=True)
    client.post(url, data={"pin": PIN})
    assert PLACE in client.get(url).get_data(as_text=True)


def test_a_withdrawn_permission_closes_the_representatives_old_page(client, session, world):
    url = page_link(session, world.sara, world.lars)
    world.lars.copy_appointments = False
    session.add(world.lars)
    session.commit()
    assert PLACE not in client.get(url).get_data(as_text=True)


def test_a_copy_planned_for_a_removed_representative_is_never_sent(client, session, world):
    from app.outbox.sweep import send_due

    send_due(now=NOW + timedelta(days=2))
    session.expire_all()
    rolf = session.exec(select(OutboxMessage).where(
        OutboxMessage.representative_id == world.rolf.id)).all()  # fmt: skip
    assert rolf and all(m.status in ("skipped", "pending") for m in rolf)
    assert {m.last_error for m in rolf if m.status == "skipped"} == {"representative opted out"}
    lars_decisions = session.exec(select(OutboxMessage).where(
        OutboxMessage.representative_id == world.lars.id,
        OutboxMessage.kind.like("decision%"))).all()  # fmt: skip
    assert lars_decisions == []


# Admin --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [("lina", True), ("eva", True), ("omar", False), ("pia", False), ("cover", False)],
)
def test_staff_see_a_client_only_as_current_case_worker_cover_or_administrator(
    client, world, who, sees
):
    sign_in(client, getattr(world, who))
    status = client.get(f"/admin/clients/{world.sara.id}").status_code
    assert status == (200 if sees else 404)


def test_a_stand_in_sees_the_client_only_during_the_absence(client, world):
    sign_in(client, world.cover)
    assert client.get(f"/admin/clients/{world.maja.id}").status_code == 200
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        sign_in(client, world.cover)
        assert client.get(f"/admin/clients/{world.maja.id}").status_code == 404


def test_unknown_texts_and_calls_stay_in_the_unit_whose_number_was_reached(client, session, world):
    text(client, STRANGER, "Hej, vem är det här?", to=OTHER_SMS)
    Call(client, STRANGER, to=OTHER_MENU).start().press("2")  # leave a callback request
    inbound = session.exec(
        select(InboundMessage).where(InboundMessage.from_phone == STRANGER)
    ).one()
    callback = session.exec(select(CallbackRequest)).one()
    assert inbound.unit_id == world.other_unit.id == callback.unit_id
    sign_in(client, world.eva)  # an administrator of the first unit
    assert "vem är det här" not in client.get("/admin/inbox").get_data(as_text=True)
    assert client.get(f"/admin/inbox/{inbound.id}").status_code == 404
    from tests.admin.conftest import post

    assert post(client, f"/admin/inbox/{inbound.id}/handled").status_code == 404
    assert post(client, f"/admin/callbacks/{callback.id}/handled").status_code == 404
    client.get("/admin/logout")
    sign_in(client, world.pia)
    assert "vem är det här" in client.get("/admin/inbox").get_data(as_text=True)


# API ----------------------------------------------------------------------------------------


def test_a_key_reads_only_its_own_units_clients(client, world):
    own = client.get("/api/v1/clients/LC-1", headers={"Authorization": f"Bearer {world.secret}"})
    assert own.status_code == 200 and own.get_json()["first_name"] == "Sara"
    other = client.get(
        "/api/v1/clients/LC-1", headers={"Authorization": f"Bearer {world.other_secret}"}
    )
    assert other.status_code == 404
    feed = client.get("/api/v1/outbox", headers={"Authorization": f"Bearer {world.other_secret}"})
    assert feed.status_code == 200 and feed.get_json()["items"] == []


def test_nothing_is_revealed_to_a_stranger_anywhere(client, session, world):
    assert sms_reveals(client, STRANGER) == set()
    assert phone_reveals(client, STRANGER) == set()
    assert client.get("/p/not-a-real-token-at-all").status_code == 404
    assert client.get("/admin/clients").status_code in (302, 401)
    assert client.get("/api/v1/clients/LC-1").status_code == 401
    assert utcnow() == NOW


def test_staff_are_prompted_to_set_a_pin_where_there_is_none(client, session, world):
    sign_in(client, world.lina)
    page = client.get(f"/admin/clients/{world.sara.id}").get_data(as_text=True)
    assert "caller ID can be faked" in page and 'href="#h-security"' in page
    assert "caller ID can be faked" not in client.get(f"/admin/clients/{world.dina.id}").get_data(
        as_text=True
    )  # Dina has a PIN


def test_a_representatives_callback_request_is_to_call_the_representative(client, session, world):
    text(client, ANNA, "RING")
    callback = session.exec(select(CallbackRequest)).one()
    assert callback.client_id == world.sara.id and callback.from_phone == ANNA
    sign_in(client, world.lina)
    today = client.get("/admin/").get_data(as_text=True)
    assert "070-000 00 10" in today and "the representative who asked" in today


def test_a_representatives_callback_request_by_phone_keeps_their_number(client, session, world):
    Call(client, LARS).start().press("4")
    callback = session.exec(select(CallbackRequest)).one()
    assert callback.client_id == world.sara.id and callback.from_phone == LARS


# Complaints and requests for another case worker ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [("lina", False), ("eva", True), ("omar", False), ("pia", False), ("cover", False)],
)
def test_a_complaint_reaches_the_units_managers_never_the_case_worker(
    client, session, world, who, sees
):
    text(client, SARA, "7")
    text(client, SARA, "Lina lyssnar inte på mig")
    text(client, ANNA, "8")  # the god man asks for another case worker for Sara
    complaint, request = session.exec(
        select(InboundMessage).where(InboundMessage.for_managers.is_(True),
                                     InboundMessage.needs_answer.is_(True))
        .order_by(InboundMessage.id)
    ).all()  # fmt: skip
    assert complaint.client_id == request.client_id == world.sara.id
    assert request.representative_id == world.anna.id
    sign_in(client, getattr(world, who))
    seen = " ".join(
        client.get(url).get_data(as_text=True)
        for url in ("/admin/", "/admin/inbox?state=all", f"/admin/clients/{world.sara.id}")
    )
    assert ("Lina lyssnar inte på mig" in seen) == sees
    assert ("Asked how to complain" in seen) == sees
    assert ("Asks for another case worker" in seen) == sees
    for row in (complaint, request):
        assert client.get(f"/admin/inbox/{row.id}").status_code == (200 if sees else 404)


def test_a_key_never_reads_complaints_or_requests(client, session, world):
    text(client, SARA, "7")
    text(client, SARA, "Lina lyssnar inte på mig")
    text(client, ANNA, "8")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        feed = client.get("/api/v1/inbound", headers={"Authorization": f"Bearer {world.secret}"})
    assert feed.status_code == 200
    assert [item for item in feed.get_json()["items"] if item["client_id"] == world.sara.id] == []
