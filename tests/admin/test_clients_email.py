"""E-mail on the client form: the address and the choice of copies by e-mail, checked in
the staff language, shown on the client page with a warning when the address stopped
working; own words sent at once go by e-mail too."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import Client, OutboxMessage
from tests.admin.conftest import post, sign_in
from tests.admin.test_send_now import confirmed
from tests.factories import create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def details(caseworker, **values) -> dict:
    return {
        "first_name": "Sara", "last_name": "Lind", "phone": "0700000001", "language": "sv",
        "channel": "sms", "privacy": "full", "caseworker_id": str(caseworker.id),
    } | values  # fmt: skip


def test_the_edit_form_saves_the_address_and_the_choice(as_caseworker, session, caseworker):
    client = create_client(session, caseworker, email_unreachable_at=NOW)
    form = details(caseworker, email=" Sara.Lind@Example.ORG ", email_copies="1")
    response = post(as_caseworker, f"/admin/clients/{client.id}/edit", form)
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Client, client.id)
    assert (saved.email, saved.email_copies) == ("Sara.Lind@example.org", True)
    assert saved.email_unreachable_at is None  # a new address is tried again
    page = as_caseworker.get(f"/admin/clients/{client.id}").get_data(as_text=True)
    assert "Sara.Lind@example.org (also by e-mail)" in page
    edit = as_caseworker.get(f"/admin/clients/{client.id}/edit").get_data(as_text=True)
    assert 'value="Sara.Lind@example.org"' in edit and 'type="email"' in edit


@pytest.mark.parametrize(
    ("form", "field", "error"),
    [
        ({"email": "sara.lind@"}, "email", "This is not an e-mail address."),
        ({"email": "sara lind@example.org"}, "email", "This is not an e-mail address."),
        ({"email": "", "email_copies": "1"}, "email_copies", "Give an e-mail address"),
    ],
)
def test_a_wrong_address_is_told_not_saved(as_caseworker, session, caseworker, form, field, error):
    client = create_client(session, caseworker)
    response = post(as_caseworker, f"/admin/clients/{client.id}/edit", details(caseworker) | form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error in page and 'id="field-email' in page
    session.expire_all()
    assert (session.get(Client, client.id).email, session.get(Client, client.id).email_copies) == (
        "",
        False,
    )


def test_errors_are_in_swedish_for_swedish_staff(client, session, caseworker):
    sign_in(client, caseworker, language="sv")
    sara = create_client(session, caseworker)
    form = details(caseworker, email="inte en adress")
    page = post(client, f"/admin/clients/{sara.id}/edit", form).get_data(as_text=True)
    assert "Det här är ingen e-postadress." in page


def test_a_new_client_can_choose_email_from_the_start(as_caseworker, session, caseworker):
    form = details(caseworker, phone="0700000009", email="amal@example.org", email_copies="1")
    response = post(as_caseworker, "/admin/clients/new", form | {"consent_method": "verbal"})
    assert response.status_code == 302
    client = session.exec(select(Client).where(Client.phone == "+46700000009")).one()
    assert (client.email, client.email_copies) == ("amal@example.org", True)
    welcome = session.exec(select(OutboxMessage).where(OutboxMessage.client_id == client.id))
    assert sorted(m.channel for m in welcome) == ["email", "sms"]


def test_the_client_page_warns_when_the_address_stopped_working(as_caseworker, session, caseworker):
    client = create_client(
        session, caseworker, email="sara@example.org", email_copies=True, email_unreachable_at=NOW
    )
    page = as_caseworker.get(f"/admin/clients/{client.id}").get_data(as_text=True)
    assert "The e-mail address does not work." in page


def test_own_words_sent_at_once_go_by_email_too(as_caseworker, session, caseworker):
    client = create_client(session, caseworker, email="sara@example.org", email_copies=True)
    form = {"group": "one", "client_id": str(client.id), "choice": "staff_message",
            "text": "Kontoret är stängt i morgon.", "batch": "b9"}  # fmt: skip
    assert post(as_caseworker, "/admin/send", confirmed(as_caseworker, form)).status_code == 302
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.client_id == client.id)).all()
    assert sorted(r.channel for r in rows) == ["email", "sms"]
    sms = next(r for r in rows if r.channel == "sms")
    mail = next(r for r in rows if r.channel == "email")
    assert sms.dedupe_key.startswith("now:") and mail.dedupe_key.endswith(":email")


def test_sent_emails_show_on_the_outbox_and_client_pages(as_caseworker, session, caseworker):
    from app.outbox.sweep import send_due

    client = create_client(session, caseworker, email="sara@example.org", email_copies=True)
    form = {"group": "one", "client_id": str(client.id), "choice": "staff_message",
            "text": "Kontoret är stängt i morgon.", "batch": "b10"}  # fmt: skip
    post(as_caseworker, "/admin/send", confirmed(as_caseworker, form))
    assert send_due(NOW).sent == 2
    outbox = as_caseworker.get("/admin/outbox?channel=email")
    assert outbox.status_code == 200 and "E-mail" in outbox.get_data(as_text=True)
    assert as_caseworker.get(f"/admin/clients/{client.id}").status_code == 200
