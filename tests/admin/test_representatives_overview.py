"""Staff text a representative their own overview link from the client page."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.casework import representatives
from app.models import AuditEvent, OutboxMessage
from tests.admin.conftest import post, sign_in

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def add(session, sara, **values):
    defaults = dict(name="Per Holm", role="god_man", phone="+46700000009", copy_decisions=True)
    added = representatives.add(session, sara, now=NOW, **(defaults | values))
    session.commit()
    return added


def test_the_client_page_has_a_button_per_representative_who_can_get_it(
    as_caseworker, session, sara
):
    per = add(session, sara)
    gone = add(session, sara, name="Mia Lind", phone="+46700000008")
    representatives.remove(session, gone, NOW)
    session.commit()
    html = as_caseworker.get(f"/admin/clients/{sara.id}").data.decode()
    assert f'action="/admin/representatives/{per.id}/overview"' in html
    assert "Text Per Holm a link" in html
    assert f'action="/admin/representatives/{gone.id}/overview"' not in html
    assert "Cannot be sent" in html


def test_the_button_plans_the_text_and_says_what_it_does(as_caseworker, session, sara):
    per = add(session, sara)
    response = post(as_caseworker, f"/admin/representatives/{per.id}/overview")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/clients/{sara.id}#representatives")
    planned = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "representative_overview")
    ).one()
    assert planned.representative_id == per.id
    audit = session.exec(
        select(AuditEvent).where(AuditEvent.action == "representative_overview_sent")
    ).one()
    assert audit.subject_id == per.id and audit.client_id == sara.id
    page = as_caseworker.get(response.headers["Location"]).data.decode()
    assert "Per Holm gets a text with their own overview link" in page


def test_a_removed_representative_gets_no_link_and_staff_are_told_why(as_caseworker, session, sara):
    per = add(session, sara)
    representatives.remove(session, per, NOW)
    session.commit()
    response = post(as_caseworker, f"/admin/representatives/{per.id}/overview")
    page = as_caseworker.get(response.headers["Location"]).data.decode()
    assert "This representative was removed or said STOP: no link goes." in page
    assert (
        session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "representative_overview")
        ).first()
        is None
    )


def test_the_staff_words_are_in_swedish_too(client, session, caseworker, sara):
    sign_in(client, caseworker, language="sv")
    per = add(session, sara)
    html = client.get(f"/admin/clients/{sara.id}").data.decode()
    assert "Sms:a en länk till Per Holm" in html and "Egen översiktssida" in html
    response = post(client, f"/admin/representatives/{per.id}/overview")
    assert "får ett sms med en egen länk" in client.get(response.headers["Location"]).data.decode()


def test_someone_else_s_client_s_representative_is_not_reachable(
    as_caseworker, session, someone_elses
):
    theirs = add(session, someone_elses)
    response = post(as_caseworker, f"/admin/representatives/{theirs.id}/overview")
    assert response.status_code == 404
    assert (
        session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "representative_overview")
        ).first()
        is None
    )
