"""Application pages: register one, move it step by step with a form per step, errors in
the staff language, the list on the client page; only for clients the person handles."""

import html
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import applications, decisions
from app.models import Application, AuditEvent, OutboxMessage, OutboxStatus
from tests.admin.conftest import post, sign_in

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March, 09:00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def saved(session) -> list[Application]:
    session.expire_all()
    return list(session.exec(select(Application)))


def planned(session) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(m.kind, m.status) for m in rows]


@pytest.fixture
def application(session, sara) -> Application:
    made = applications.receive(
        session, sara, service="boendestod", received_on=date(2026, 2, 27), now=NOW
    )
    session.commit()
    return made


def test_registering_an_application_tells_the_client_and_shows_on_the_client_page(
    session, as_caseworker, sara
):
    response = post(
        as_caseworker,
        f"/admin/clients/{sara.id}/applications/new",
        {
            "service": "boendestod",
            "received_on": "2026-02-27",
            "decision_expected_on": "2026-04-15",
        },
    )
    assert response.status_code == 302, text(response)
    (made,) = saved(session)
    assert made.decision_expected_on == date(2026, 4, 15)
    assert planned(session) == [("application_received", OutboxStatus.PENDING)]
    page = text(as_caseworker.get(f"/admin/clients/{sara.id}"))
    assert "Applications" in page
    assert f"/admin/applications/{made.id}" in page
    assert "Received" in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"service": "", "received_on": "2026-02-27"}, "service", "Choose one of the options."),
        ({"service": "boendestod", "received_on": "27/2"}, "received_on", "Give a date like"),
        (
            {"service": "boendestod", "received_on": "2026-03-09"},
            "received_on",
            "Give a date from 2000-01-01 to 2026-03-02.",
        ),
    ],
)
def test_a_wrong_new_application_says_what_is_wrong_and_saves_nothing(
    session, as_caseworker, sara, form, field, message
):
    response = post(as_caseworker, f"/admin/clients/{sara.id}/applications/new", form)
    assert response.status_code == 200
    page = text(response)
    assert f'id="error-{field}"' in page
    assert message in page
    assert saved(session) == []


def test_errors_are_in_swedish_for_a_swedish_interface(session, client, caseworker, sara):
    sign_in(client, caseworker, language="sv")
    response = post(
        client,
        f"/admin/clients/{sara.id}/applications/new",
        {"service": "boendestod", "received_on": "2026-03-09"},
    )
    assert "Ange ett datum från 2000-01-01 till 2026-03-02." in text(response)


def test_each_step_has_its_own_form_asking_only_what_it_needs(as_caseworker, application):
    page = text(as_caseworker.get(f"/admin/applications/{application.id}"))
    assert 'name="answer_by"' in page
    assert 'name="start_expected_on"' in page
    assert "Send for the client&#39;s comment" in page or "Send for the client's comment" in page
    assert "When you send a decision about the same service" in page  # none made yet
    assert 'name="new_start_on"' not in page  # a delay only while waiting


def test_sending_for_comment_plans_the_message_and_the_reminder(
    session, as_caseworker, application
):
    response = post(
        as_caseworker,
        f"/admin/applications/{application.id}/step",
        {"step": "comment", "answer_by": "2026-03-16"},
    )
    assert response.status_code == 302
    assert "The client is told." in text(as_caseworker.get(response.headers["Location"]))
    assert planned(session)[1:] == [
        ("application_comment", OutboxStatus.PENDING),
        ("application_comment_reminder", OutboxStatus.PENDING),
    ]
    session.expire_all()
    events = session.exec(select(AuditEvent.detail).where(AuditEvent.action == "application_step"))
    assert list(events) == ["received->comment"]


def test_a_step_without_its_date_is_refused_in_staff_words(session, as_caseworker, application):
    response = post(
        as_caseworker, f"/admin/applications/{application.id}/step", {"step": "comment"}
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="error-answer_by"' in page and "Give a date like 2026-03-04." in page
    assert len(planned(session)) == 1


def test_an_answer_day_in_the_past_is_refused(session, as_caseworker, application):
    response = post(
        as_caseworker,
        f"/admin/applications/{application.id}/step",
        {"step": "comment", "answer_by": "2026-02-20"},
    )
    assert response.status_code == 400
    assert (
        "Give a day from 2026-03-05 to 2026-05-31: the client needs at least 3 days to answer."
        in text(response)
    )


def test_going_back_says_the_client_is_not_told(session, as_caseworker, sara, application):
    applications.move(session, sara, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    session.commit()
    response = post(
        as_caseworker, f"/admin/applications/{application.id}/step", {"step": "investigating"}
    )
    page = text(as_caseworker.get(response.headers["Location"]))
    assert "The client is not told" in page
    kinds = dict(planned(session))
    assert kinds["application_comment"] == OutboxStatus.CANCELLED
    assert "application_investigating" not in kinds


def test_linking_a_decision_offers_only_the_clients_decisions(
    session, as_caseworker, sara, someone_elses, application
):
    mine = decisions.decide(session, sara, now=NOW, service="fardtjanst", outcome="approved")
    theirs = decisions.decide(
        session, someone_elses, now=NOW, service="boendestod", outcome="approved"
    )
    session.commit()
    page = text(as_caseworker.get(f"/admin/applications/{application.id}"))
    assert f'<option value="{mine.id}"' in page
    assert f'<option value="{theirs.id}"' not in page
    refused = post(
        as_caseworker,
        f"/admin/applications/{application.id}/step",
        {"step": "decided", "decision_id": str(theirs.id)},
    )
    assert refused.status_code == 400
    linked = post(
        as_caseworker,
        f"/admin/applications/{application.id}/step",
        {"step": "decided", "decision_id": str(mine.id)},
    )
    assert linked.status_code == 302
    (found,) = saved(session)
    assert (found.step, found.decision_id) == ("decided", mine.id)


def test_a_delay_is_told_with_the_new_day_and_a_reason(session, as_caseworker, sara, application):
    decisions.decide(session, sara, now=NOW, service="boendestod", outcome="approved")
    applications.move(
        session, sara, application, "waiting", start_expected_on=date(2026, 4, 6), now=NOW
    )
    session.commit()
    wrong = post(
        as_caseworker,
        f"/admin/applications/{application.id}/delay",
        {"new_start_on": "2026-04-01", "delay_reason": "no_staff"},
    )
    assert wrong.status_code == 400
    assert "A delay moves the start later than the day given before." in text(wrong)
    response = post(
        as_caseworker,
        f"/admin/applications/{application.id}/delay",
        {"new_start_on": "2026-05-04", "delay_reason": "no_staff"},
    )
    assert response.status_code == 302
    assert planned(session)[-1] == ("support_delayed", OutboxStatus.PENDING)


def test_the_client_commented_stops_the_reminder(session, as_caseworker, sara, application):
    applications.move(session, sara, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    session.commit()
    response = post(as_caseworker, f"/admin/applications/{application.id}/commented")
    assert response.status_code == 302
    assert dict(planned(session))["application_comment_reminder"] == OutboxStatus.CANCELLED


def test_another_case_workers_client_is_not_found(session, as_caseworker, someone_elses):
    other = applications.receive(
        session, someone_elses, service="boendestod", received_on=date(2026, 2, 27), now=NOW
    )
    session.commit()
    assert as_caseworker.get(f"/admin/applications/{other.id}").status_code == 404
    step = post(as_caseworker, f"/admin/applications/{other.id}/step", {"step": "closed"})
    assert step.status_code == 404
    new = post(
        as_caseworker,
        f"/admin/clients/{someone_elses.id}/applications/new",
        {"service": "boendestod", "received_on": "2026-02-27"},
    )
    assert new.status_code == 404


def test_an_unknown_step_is_a_bad_request_not_an_error(as_caseworker, application):
    response = post(as_caseworker, f"/admin/applications/{application.id}/step", {"step": "x"})
    assert response.status_code == 400


def test_support_cannot_be_told_to_start_after_a_refusal(session, client, caseworker, sara,
                                                         application):  # fmt: skip
    decisions.decide(
        session, sara, now=NOW, service="boendestod", outcome="refused", reasons="need_assessed"
    )
    session.commit()
    sign_in(client, caseworker, language="sv")
    for values in ({"step": "waiting", "start_expected_on": "2026-04-01"}, {"step": "started"}):
        response = post(client, f"/admin/applications/{application.id}/step", values)
        assert response.status_code == 400
        assert "Koppla först ett beslut om bifall eller delvis bifall." in text(response)
    assert [kind for kind, _status in planned(session) if kind.startswith("support_")] == []
    (found,) = saved(session)
    assert found.step == "decided"


def test_a_delay_posted_when_not_waiting_says_why(session, as_caseworker, application):
    response = post(
        as_caseworker,
        f"/admin/applications/{application.id}/delay",
        {"new_start_on": "2026-05-04", "delay_reason": "no_staff"},
    )
    assert response.status_code == 400
    assert "Only support that is waiting to start can be delayed." in text(response)
    assert len(planned(session)) == 1


def test_an_ended_application_offers_only_closing(session, as_caseworker, sara, application):
    applications.move(session, sara, application, "withdrawn", now=NOW)
    session.commit()
    page = text(as_caseworker.get(f"/admin/applications/{application.id}"))
    assert "This application has ended." in page
    assert 'name="answer_by"' not in page and 'value="closed"' in page
    response = post(
        as_caseworker,
        f"/admin/applications/{application.id}/step",
        {"step": "comment", "answer_by": "2026-03-20"},
    )
    assert response.status_code == 400
    assert "has ended (withdrawn or closed) and cannot move on." in text(response)
    (found,) = saved(session)
    assert found.step == "withdrawn"


def test_a_comment_at_another_step_changes_nothing(session, as_caseworker, application):
    response = post(as_caseworker, f"/admin/applications/{application.id}/commented")
    assert response.status_code == 302
    page = text(as_caseworker.get(response.headers["Location"]))
    assert "Nothing changed: the application is not waiting for a comment." in page
    (found,) = saved(session)
    assert found.comment_received_on is None
    commented = select(AuditEvent).where(AuditEvent.action == "application_commented")
    assert session.exec(commented).all() == []
