"""Copies to representatives: only of what the client allowed, in the representative's
language, and none once the representative opted out."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import clients, representatives
from app.errors import InvalidInput
from app.models import Representative
from app.outbox.sweep import send_due
from tests.casework.conftest import outbox, sent
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm


def add_representative(session, client, **values) -> Representative:
    defaults = dict(
        client_id=client.id, name="Anders Holm", role="god_man", phone="+46701740607", language="sv"
    )
    representative = Representative(**(defaults | values))
    session.add(representative)
    session.commit()
    return representative


def test_representatives_get_copies_only_of_what_the_client_allowed(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client, copy_appointments=True)
    add_representative(
        session,
        client,
        name="Maria Lind",
        role="relative",
        phone="+46701740608",
        copy_decisions=True,
    )
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    messages = sent(outbox_file)
    assert [(m["to"], m["kind"]) for m in messages] == [
        ("+46700000001", "appointment_reminder"),
        ("+46701740607", "appointment_reminder"),
    ]
    assert messages[1]["body"].splitlines()[:2] == [
        "Hej Anders Holm! Det här är Ekby kommun.",
        "Du är god man för Sara. Här är vårt meddelande till Sara:",
    ]


def test_a_copy_is_written_in_the_representative_s_language(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client, language="en", copy_appointments=True)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    send_due(NOW)
    copy = sent(outbox_file)[1]
    assert copy["language"] == "en"
    assert copy["body"].startswith("Hello Anders Holm! This is Ekby kommun.")


def test_an_opted_out_representative_gets_no_copies(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    representative = add_representative(session, client, copy_appointments=True)
    book_appointment(session, client, starts_at=NOW + timedelta(hours=20), now=NOW)
    representative.opted_out_at = NOW
    session.add(representative)
    session.commit()
    send_due(NOW)
    assert [m["to"] for m in sent(outbox_file)] == ["+46700000001"]


# Numbers a representative cannot have


def test_a_landline_is_refused_for_a_representative(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    with pytest.raises(InvalidInput) as excinfo:
        representatives.add(session, client, name="Anders Holm", phone="08-123 456 78", now=NOW)
    assert "landline" in excinfo.value.errors["phone"]
    assert session.exec(select(Representative)).all() == []


def test_the_client_s_own_number_is_refused_when_added_and_when_changed(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina)  # +46700000001
    with pytest.raises(InvalidInput) as excinfo:
        representatives.add(session, client, name="Anders Holm", phone="070-000 00 01", now=NOW)
    assert "client's own number" in excinfo.value.errors["phone"]
    anders = representatives.add(session, client, name="Anders Holm", phone="+46701740607")
    with pytest.raises(InvalidInput) as excinfo:
        representatives.update(session, anders, phone="+46 70 000 00 01")
    assert "client's own number" in excinfo.value.errors["phone"]
    session.refresh(anders)
    assert anders.phone == "+46701740607"


def test_a_client_cannot_take_the_number_of_their_own_representative(session, team):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    add_representative(session, client)  # +46701740607
    with pytest.raises(InvalidInput) as excinfo:
        clients.update(session, client, phone="070-174 06 07")
    assert "representatives has this number" in excinfo.value.errors["phone"]


# The welcome to a new representative


def test_a_new_representative_is_welcomed_in_their_language_with_how_to_stop(
    session, team, outbox_file
):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    representatives.add(session, client, name="Anders Holm", role="god_man",
                        phone="070-174 06 07", language="en", copy_appointments=True,
                        copy_decisions=True, now=NOW)  # fmt: skip
    session.commit()
    send_due(NOW)
    (welcome,) = sent(outbox_file)
    assert (welcome["to"], welcome["kind"], welcome["language"]) == (
        "+46701740607",
        "representative_welcome",
        "en",
    )
    body = welcome["body"]
    assert body.startswith("Hello Anders Holm! This is Ekby kommun.")
    assert "guardian (god man) for Sara" in body
    assert "about meetings" in body and "about decisions" in body
    assert "papers" not in body  # not allowed: not said
    assert "Lind" not in body  # the client's first name only
    assert "Text STOP" in body


def test_a_relative_is_told_the_client_wants_them_to_get_copies(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    representatives.add(session, client, name="Maria Lind", role="relative",
                        phone="070-174 06 08", copy_documents=True, now=NOW)  # fmt: skip
    session.commit()
    send_due(NOW)
    body = sent(outbox_file)[0]["body"]
    assert "Sara vill att du får kopior av en del sms från oss." in body
    assert "Kopiorna gäller papper som vi behöver." in body
    assert "Skriv STOPP" in body


def test_no_welcome_without_copies_or_before_the_client_agreed(session, team):
    unit, lina, _ = team
    client = clients.enroll(session, unit_id=unit.id, first_name="Sara", phone="070-000 00 01",
                            caseworker_id=lina.id, now=NOW)  # fmt: skip
    anders = representatives.add(session, client, name="Anders Holm", phone="070-174 06 07",
                                 copy_appointments=True, now=NOW)  # fmt: skip
    maria = representatives.add(session, client, name="Maria Lind", phone="070-174 06 08",
                                now=NOW)  # fmt: skip
    assert outbox(session, "representative_welcome") == []
    clients.record_consent(session, client, "verbal", recorded_by_id=lina.id, now=NOW)
    assert [m.representative_id for m in outbox(session, "representative_welcome")] == [anders.id]
    representatives.update(session, maria, copy_decisions=True, now=NOW)
    representatives.update(session, maria, copy_documents=True, now=NOW)  # welcomed once
    assert [m.representative_id for m in outbox(session, "representative_welcome")] == [
        anders.id,
        maria.id,
    ]


def test_a_new_number_is_welcomed_again_once_the_first_welcome_went(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    anders = representatives.add(session, client, name="Anders Holm", phone="070-174 06 07",
                                 copy_appointments=True, now=NOW)  # fmt: skip
    representatives.update(session, anders, phone="070-174 06 09", now=NOW)  # still waiting
    assert len(outbox(session, "representative_welcome")) == 1
    send_due(NOW)
    representatives.update(session, anders, phone="070-174 06 10", now=NOW)
    session.commit()
    send_due(NOW)
    assert [(m["to"], m["kind"]) for m in sent(outbox_file)] == [
        ("+46701740609", "representative_welcome"),
        ("+46701740610", "representative_welcome"),
    ]


def test_copies_unticked_and_ticked_again_before_the_welcome_went_still_welcome(
    session, team, outbox_file
):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    anders = representatives.add(session, client, name="Anders Holm", phone="070-174 06 07",
                                 copy_appointments=True, now=NOW)  # fmt: skip
    representatives.update(session, anders, copy_appointments=False, now=NOW)  # by mistake
    session.commit()
    send_due(NOW)  # the first welcome is no longer current: cancelled, not sent
    representatives.update(session, anders, copy_appointments=True, now=NOW)
    session.commit()
    send_due(NOW)
    assert [(m["to"], m["kind"]) for m in sent(outbox_file)] == [
        ("+46701740607", "representative_welcome")
    ]


def test_a_representative_removed_before_the_welcome_goes_gets_nothing(session, team, outbox_file):
    _, lina, _ = team
    client = create_client(session, staff=lina)
    anders = representatives.add(session, client, name="Anders Holm", phone="070-174 06 07",
                                 copy_appointments=True, now=NOW)  # fmt: skip
    representatives.remove(session, anders, NOW)
    session.commit()
    send_due(NOW)
    assert sent(outbox_file) == []


def test_the_usual_copies_follow_what_the_representative_is():
    assert set(representatives.DEFAULT_COPIES["god_man"]) == set(representatives.COPIES)
    assert "copy_appointments" not in representatives.DEFAULT_COPIES["forvaltare"]
    assert "copy_decisions" in representatives.DEFAULT_COPIES["forvaltare"]
    assert representatives.DEFAULT_COPIES["relative"] == ("copy_appointments",)
    assert representatives.DEFAULT_COPIES["other"] == ()


@pytest.mark.frozen_at(NOW)
def test_a_discreet_client_s_representative_is_welcomed_discreetly_with_a_page(
    session, team, outbox_file, client
):
    _, lina, _ = team
    sara = create_client(session, staff=lina, privacy="discreet")
    representatives.add(session, sara, name="Anders Holm", phone="070-174 06 07",
                        copy_decisions=True, now=NOW)  # fmt: skip
    session.commit()
    send_due(NOW)
    body = sent(outbox_file)[0]["body"]
    assert "beslut" not in body and "Vi har ett nytt meddelande till dig." in body
    token = re.search(r"/p/([A-Za-z0-9_-]{22})", body).group(1)
    response = client.get(f"/p/{token}")  # the welcome's page, behind the client's PIN
    assert response.status_code == 200
    assert "Skriv din pinkod" in response.get_data(as_text=True)
