"""Send now sends a form once: a double click, a resubmit or two requests at the same moment
plan one message, and the staff member is told it was already sent; a forged form token is
a form error, never a 500."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import AuditEvent, OutboxMessage, StaffMessage
from app.outbox import send_now as sending_now
from tests.admin.conftest import post
from tests.admin.test_send_now import confirmed

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
BATCH = "3f9a0c1d2b4e5f60"

pytestmark = pytest.mark.frozen_at(NOW)


def own_words(sara, **changes) -> dict:
    form = {"group": "one", "client_id": str(sara.id), "choice": "staff_message",
            "text": "Kontoret är stängt i morgon.", "batch": BATCH, "action": "send"}  # fmt: skip
    return form | changes


def sent(web, form: dict, **kwargs):
    """Send the form from its preview, as the Send button does."""
    return post(web, "/admin/send", confirmed(web, form), **kwargs)


def planned(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.exec(select(OutboxMessage).where(OutboxMessage.representative_id.is_(None)))
    )


def test_own_words_sent_twice_with_one_form_go_out_once(as_caseworker, session, sara):
    form = confirmed(as_caseworker, own_words(sara))
    first = post(as_caseworker, "/admin/send", form)
    again = post(as_caseworker, "/admin/send", form, follow_redirects=True)
    assert first.status_code == 302
    assert again.status_code == 200
    assert "This was already sent. It was not sent again." in again.get_data(as_text=True)
    assert [m.kind for m in planned(session)] == ["staff_message"]
    assert len(session.exec(select(StaffMessage)).all()) == 1
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "sent_now")).all()) == 1


def test_a_new_form_sends_the_same_words_again(as_caseworker, session, sara):
    sent(as_caseworker, own_words(sara))
    page = as_caseworker.get(f"/admin/send?client_id={sara.id}").get_data(as_text=True)
    fresh = page.split('name="batch" value="')[1].split('"')[0]
    assert fresh and fresh != BATCH
    sent(as_caseworker, own_words(sara, batch=fresh))
    assert [m.kind for m in planned(session)] == ["staff_message"] * 2


def test_a_reminder_sent_twice_with_one_form_says_so(as_caseworker, session, sara):
    form = confirmed(as_caseworker, own_words(sara, choice="welcome", text=""))
    assert post(as_caseworker, "/admin/send", form).status_code == 302
    again = post(as_caseworker, "/admin/send", form, follow_redirects=True)
    assert "This was already sent. It was not sent again." in again.get_data(as_text=True)
    assert [m.kind for m in planned(session)] == ["welcome"]


@pytest.mark.parametrize("batch", ["x" * 300, "b1'; --", "a b"])
def test_a_forged_form_token_is_a_form_error(as_caseworker, session, sara, batch):
    response = post(as_caseworker, "/admin/send", own_words(sara, batch=batch))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This form is out of date. Check it and send again." in page
    assert batch not in page
    assert planned(session) == []
    assert session.exec(select(StaffMessage)).all() == []


def test_two_requests_at_the_same_moment_send_once(app, session, caseworker, sara):
    """Two sends of one form in parallel: one plans the message, the other is told."""
    engine = app.extensions["tydligt.engine"]
    first_flushed, outcomes = threading.Event(), {}

    def send(name: str, hold: bool) -> None:
        with app.app_context(), Session(engine, expire_on_commit=False) as db:
            if not hold:
                first_flushed.wait(10)
            item = sending_now.resolve(db, db.get(type(sara), sara.id), "staff_message", NOW)
            author = db.get(type(caseworker), caseworker.id)
            try:
                sending_now.send(db, item, batch=BATCH, author=author, text="Hej", now=NOW)
                db.flush()
                if hold:  # the other request runs into this one before it commits
                    first_flushed.set()
                    threading.Event().wait(0.5)
                db.commit()
                outcomes[name] = "sent"
            except (sending_now.AlreadySent, IntegrityError):
                db.rollback()
                outcomes[name] = "already sent"

    threads = [threading.Thread(target=send, args=("first", True)),
               threading.Thread(target=send, args=("second", False))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes == {"first": "sent", "second": "already sent"}
    assert [m.kind for m in planned(session)] == ["staff_message"]
    assert len(session.exec(select(StaffMessage)).all()) == 1
