"""Operations alerts (app/alerts/operations.py): a mail to every administrator when the
worker is silent, many messages fail or the provider refuses, once per incident, and one
more when it is over; never anything about a client."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app import health
from app.alerts import mail, operations
from app.models import (
    AlertMode,
    AlertSetting,
    AuditEvent,
    OperationsAlert,
    OperationsAlertMail,
    OutboxMessage,
    StaffRole,
    Unit,
)
from app.outbox.sweep import REFUSED_PREFIX
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def admins(session, unit):
    """An administrator in each of two units (one reads English), one without e-mail, one
    who left; and a case worker, who gets no operations mail."""
    other = create_unit(session, name="Ekby kommun, försörjningsstöd", phone="+46846500499")
    eva = create_staff(session, unit, email="eva.admin@ekby.example", name="Eva Admin",
                       role=StaffRole.ADMIN)  # fmt: skip
    session.add(AlertSetting(staff_id=eva.id, mode=AlertMode.OFF, language="en"))
    ali = create_staff(session, other, email="ali.admin@ekby.example", name="Ali Admin",
                       role=StaffRole.ADMIN)  # fmt: skip
    create_staff(session, other, email="", name="No Mail", role=StaffRole.ADMIN)
    create_staff(session, unit, email="gone.admin@ekby.example", name="Gone Admin",
                 role=StaffRole.ADMIN, active=False)  # fmt: skip
    session.commit()
    return eva, ali


def silent_worker(session, minutes: int = 10) -> None:
    health.record_run(session, "send-due", NOW - timedelta(minutes=minutes), succeeded=True)


def recipients(mailbox) -> list[str]:
    return sorted(rcpt for envelope in mailbox.envelopes for rcpt in envelope.rcpt_tos)


def mail_to(mailbox, address: str):
    for index, envelope in enumerate(mailbox.envelopes):
        if address in envelope.rcpt_tos:
            return mailbox.message(index)
    raise AssertionError(f"no mail to {address}")


def ended(session, client, status: str, n: int, ago=timedelta(minutes=20)) -> None:
    for _ in range(n):
        session.add(
            OutboxMessage(kind="welcome", client_id=client.id, dedupe_key=uuid.uuid4().hex,
                          due_at=NOW - ago, status=status, sent_at=NOW - ago,
                          final_at=NOW - ago if status != "sent" else None)
        )  # fmt: skip
    session.commit()


def test_a_silent_worker_mails_every_administrator_once(app, session, admins, sara, mailbox):
    silent_worker(session)
    result = operations.check_all()
    assert result.opened == ["worker_silent"]
    assert recipients(mailbox) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]
    mail = mail_to(mailbox, "eva.admin@ekby.example")
    assert mail["Subject"] == "Tydligt: reminders are not going out"
    body = mail.get_content()
    assert "The worker has not sent messages for 10 min." in body
    assert "This began at 2026-03-04 10:00." in body  # Stockholm time
    assert "worker process is running" in body
    assert mail["Auto-Submitted"] == "auto-generated"
    swedish = mail_to(mailbox, "ali.admin@ekby.example")  # no language chosen: Swedish
    assert swedish["Subject"] == "Tydligt: påminnelser går inte ut"
    assert "Bakgrundsprocessen har inte skickat meddelanden på 10 min." in swedish.get_content()
    for envelope in mailbox.envelopes:  # nothing about any client
        raw = envelope.original_content.decode()
        assert "Saralinnea" not in raw and "Lindqvist" not in raw and "1234567" not in raw
    # Still silent a minute later: no second mail.
    assert operations.check_all(NOW + timedelta(minutes=1)).opened == []
    assert len(mailbox) == 2


def test_the_administrators_hear_when_it_is_over(app, session, admins, mailbox, frozen_clock):
    silent_worker(session)
    operations.check_all()
    frozen_clock.shift(timedelta(minutes=25))
    health.record_run(session, "send-due", NOW + timedelta(minutes=25), succeeded=True)
    result = operations.check_all()
    assert result.resolved == ["worker_silent"]
    assert len(mailbox) == 4
    resolved = [mailbox.message(i) for i in range(2, 4)]
    assert sorted(m["To"] for m in resolved) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]
    english = next(m for m in resolved if m["To"] == "eva.admin@ekby.example")
    assert english["Subject"] == "Resolved: Tydligt sends reminders again"
    assert "The problem that began at 2026-03-04 10:00 is over since 2026-03-04 10:25." in (
        english.get_content()
    )
    assert operations.check_all().resolved == []
    assert len(mailbox) == 4
    # A new silence is a new incident, with its own mail.
    frozen_clock.shift(timedelta(minutes=30))
    assert operations.check_all().opened == ["worker_silent"]
    assert len(mailbox) == 6


def test_each_mail_and_incident_is_audited(app, session, admins, mailbox, frozen_clock):
    silent_worker(session)
    operations.check_all()
    health.record_run(session, "send-due", NOW + operations.CLEAR_FOR, succeeded=True)
    operations.check_all(NOW + operations.CLEAR_FOR)
    actions = [
        (e.action, e.detail) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))
    ]
    assert [a for a, _ in actions] == [
        "operations_alert_opened",
        "operations_alert_mailed",
        "operations_alert_resolved",
        "operations_alert_mailed",
    ]
    assert actions[1][1] == "worker_silent started: mailed to 2 administrators"
    assert actions[3][1] == "worker_silent resolved: mailed to 2 administrators"


def test_a_failure_rate_over_the_threshold_in_the_last_hour(app, session, admins, sara, mailbox):
    health.record_run(session, "send-due", NOW, succeeded=True)
    ended(session, sara, "delivered", 7)
    ended(session, sara, "failed", 1)
    ended(session, sara, "undelivered", 1)
    ended(session, sara, "failed", 5, ago=timedelta(hours=2))  # before the last hour
    assert operations.check_all().opened == []  # 9 messages: too few to judge
    ended(session, sara, "sent", 1)
    assert operations.check_all().opened == []  # 2 of 10: 20 % is the threshold...
    ended(session, sara, "failed", 1, ago=timedelta(minutes=5))
    assert operations.check_all().opened == ["failure_rate"]  # ...3 of 11 is over it
    mail = mail_to(mailbox, "eva.admin@ekby.example")
    assert mail["Subject"] == "Tydligt: many messages could not be delivered"
    assert "could not be delivered in the last hour: 3 of 11." in mail.get_content()


def test_a_failure_rate_is_judged_per_unit_and_mailed_to_that_units_administrators(
    app, session, admins, sara, mailbox
):
    eva, ali = admins
    health.record_run(session, "send-due", NOW, succeeded=True)
    ended(session, sara, "delivered", 8)
    ended(session, sara, "failed", 3)  # 3 of 11 in Eva's unit
    omar = create_staff(session, session.get(Unit, ali.unit_id), email="omar@ekby.example")
    elsewhere = create_client(session, omar, phone="+46701234599")
    ended(session, elsewhere, "delivered", 30)  # all well in Ali's unit: 3 of 41 overall
    assert operations.check_all().opened == ["failure_rate"]
    incident = session.exec(select(OperationsAlert)).one()
    assert (incident.unit_id, incident.open_key) == (eva.unit_id, f"failure_rate:{eva.unit_id}")
    assert recipients(mailbox) == ["eva.admin@ekby.example"]
    ended(session, elsewhere, "failed", 10, ago=timedelta(minutes=5))  # now Ali's too
    assert operations.check_all().opened == ["failure_rate"]
    assert recipients(mailbox) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]
    assert len(session.exec(select(OperationsAlert)).all()) == 2  # one incident per unit


def test_a_unit_without_an_administrator_to_mail_has_its_failures_mailed_to_all(
    app, session, admins, mailbox
):
    health.record_run(session, "send-due", NOW, succeeded=True)
    lonely = create_unit(session, name="Ekby kommun, äldreomsorg", phone="+46846500498")
    nils = create_staff(session, lonely, email="nils@ekby.example")
    ended(session, create_client(session, nils, phone="+46701234598"), "failed", 10)
    assert operations.check_all().opened == ["failure_rate"]
    assert recipients(mailbox) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]


def test_a_mail_one_administrator_did_not_get_is_sent_to_that_one_later(
    app, session, admins, mailbox, monkeypatch
):
    deliver = mail.deliver
    refused = {"ali.admin@ekby.example"}

    def picky(message, staff_id):
        if message["To"] in refused:
            raise mail.MailError("recipient refused")
        deliver(message, staff_id)

    monkeypatch.setattr(mail, "deliver", picky)
    silent_worker(session)
    assert operations.check_all().mailed == 1
    assert recipients(mailbox) == ["eva.admin@ekby.example"]
    assert operations.check_all(NOW + timedelta(minutes=1)).mailed == 0  # still refused
    refused.clear()
    assert operations.check_all(NOW + timedelta(minutes=2)).mailed == 1
    assert recipients(mailbox) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]
    assert operations.check_all(NOW + timedelta(minutes=3)).mailed == 0  # each got one


def test_someone_who_is_no_longer_an_administrator_is_not_mailed_later(
    app, session, admins, mailbox, smtp_server
):
    eva, ali = admins
    silent_worker(session)
    smtp_server.stop()
    operations.check_all()
    ali.active = False  # left while the server was down
    session.add(ali)
    session.commit()
    smtp_server.start()
    assert operations.check_all(NOW + timedelta(minutes=1)).mailed == 1
    assert recipients(mailbox) == ["eva.admin@ekby.example"]
    assert [m.staff_id for m in session.exec(select(OperationsAlertMail))] == [eva.id]


def test_the_end_is_mailed_to_those_told_of_the_start(
    app, session, admins, mailbox, monkeypatch, frozen_clock
):
    deliver = mail.deliver

    def picky(message, staff_id):
        if message["To"] == "ali.admin@ekby.example":
            raise mail.MailError("recipient refused")
        deliver(message, staff_id)

    monkeypatch.setattr(mail, "deliver", picky)
    silent_worker(session)
    operations.check_all()
    monkeypatch.setattr(mail, "deliver", deliver)
    frozen_clock.shift(operations.CLEAR_FOR)
    health.record_run(session, "send-due", NOW + operations.CLEAR_FOR, succeeded=True)
    assert operations.check_all().resolved == ["worker_silent"]
    # Ali never heard it began: no start now that it is over, and no end either.
    assert [m["To"] for m in map(mailbox.message, range(len(mailbox)))] == [
        "eva.admin@ekby.example",
        "eva.admin@ekby.example",
    ]


def test_a_sweep_that_fails_every_run_mails_the_administrators(
    app, session, admins, mailbox, frozen_clock
):
    for seconds in (10, 5, 0):
        health.record_run(session, "send-due", NOW - timedelta(seconds=seconds), succeeded=False)
    assert operations.check_all().opened == ["sweep_failing"]
    assert recipients(mailbox) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]
    english = mail_to(mailbox, "eva.admin@ekby.example")
    assert english["Subject"] == "Tydligt: sending messages fails"
    assert "Sending has failed 3 times in a row." in english.get_content()
    assert "worker's log" in english.get_content()
    swedish = mail_to(mailbox, "ali.admin@ekby.example")
    assert swedish["Subject"] == "Tydligt: utskicken misslyckas"
    frozen_clock.shift(operations.CLEAR_FOR)
    health.record_run(session, "send-due", NOW + operations.CLEAR_FOR, succeeded=True)
    assert operations.check_all().resolved == ["sweep_failing"]
    assert len(mailbox) == 4
    assert mailbox.message(-1)["Subject"] in (
        "Resolved: Tydligt sends messages again",
        "Löst: Tydligt skickar meddelanden igen",
    )


def test_late_messages_nothing_else_explains_are_mailed(app, session, admins, sara, mailbox):
    # A sweep crashed on this message and left it in `sending`; the sweep runs on, fine.
    health.record_run(session, "send-due", NOW, succeeded=True)
    session.add(
        OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="stuck", status="sending",
                      due_at=NOW - timedelta(minutes=40), claimed_at=NOW - timedelta(minutes=39),
                      claim_token="t")
    )  # fmt: skip
    session.commit()
    assert operations.check_all().opened == ["messages_late"]
    assert recipients(mailbox) == ["ali.admin@ekby.example", "eva.admin@ekby.example"]
    english = mail_to(mailbox, "eva.admin@ekby.example")
    assert english["Subject"] == "Tydligt: messages are late"
    assert "has waited 40 min." in english.get_content()
    assert mail_to(mailbox, "ali.admin@ekby.example")["Subject"] == (
        "Tydligt: meddelanden är försenade"
    )


def test_late_messages_of_a_silent_worker_are_one_mail_not_two(app, session, admins, sara, mailbox):
    silent_worker(session, minutes=40)
    session.add(OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="late",
                              due_at=NOW - timedelta(minutes=40)))  # fmt: skip
    session.commit()
    assert operations.check_all().opened == ["worker_silent"]
    assert len(mailbox) == 2


def test_the_threshold_and_minimum_are_settings(app, session, admins, sara, mailbox):
    app.config |= {"OPS_FAILURE_RATE_PERCENT": 50, "OPS_FAILURE_MIN_MESSAGES": 2}
    health.record_run(session, "send-due", NOW, succeeded=True)
    ended(session, sara, "failed", 1)
    ended(session, sara, "delivered", 1)
    assert operations.check_all().opened == []  # 50 % is not over 50 %
    ended(session, sara, "failed", 1)
    assert operations.check_all().opened == ["failure_rate"]


def test_the_provider_refusing_messages(app, session, admins, sara, mailbox, frozen_clock):
    health.record_run(session, "send-due", NOW, succeeded=True)
    session.add(
        OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="r1",
                      due_at=NOW + timedelta(seconds=30),
                      last_error=f"{REFUSED_PREFIX} (auth): Twilio HTTP 401 code 20003")
    )  # fmt: skip
    session.commit()
    assert operations.check_all().opened == ["provider_refusing"]
    mail = mail_to(mailbox, "eva.admin@ekby.example")
    assert mail["Subject"] == "Tydligt: the SMS provider refuses messages"
    assert "credentials" in mail.get_content()
    row = session.exec(select(OutboxMessage)).one()
    row.status = "sent"  # the provider took it after all
    session.add(row)
    session.commit()
    assert operations.check_all().resolved == []  # gone for less than CLEAR_FOR
    frozen_clock.shift(operations.CLEAR_FOR)
    health.record_run(session, "send-due", NOW + operations.CLEAR_FOR, succeeded=True)
    assert operations.check_all().resolved == ["provider_refusing"]


def test_a_mail_the_server_did_not_take_is_tried_at_the_next_check(
    app, session, admins, mailbox, smtp_server
):
    silent_worker(session)
    smtp_server.stop()
    assert operations.check_all().opened == ["worker_silent"]
    unsent = session.exec(select(OperationsAlertMail)).all()
    assert len(unsent) == 2 and all(m.sent_at is None and m.attempts == 1 for m in unsent)
    smtp_server.start()
    assert operations.check_all().mailed == 2
    assert operations.check_all().mailed == 0
    assert len(mailbox) == 2


def test_an_incident_that_ends_before_any_mail_is_not_mailed(
    app, session, admins, mailbox, smtp_server
):
    silent_worker(session)
    smtp_server.stop()
    operations.check_all()
    smtp_server.start()
    health.record_run(session, "send-due", NOW + operations.CLEAR_FOR, succeeded=True)
    result = operations.check_all(NOW + operations.CLEAR_FOR)
    assert (result.resolved, result.mailed, len(mailbox)) == (["worker_silent"], 0, 0)


def test_a_problem_that_comes_and_goes_is_one_incident(app, session, admins, mailbox, frozen_clock):
    silent_worker(session)
    assert operations.check_all().opened == ["worker_silent"]
    for minutes in (3, 6, 9, 12):  # the worker runs, stalls, runs, stalls
        frozen_clock.move_to(NOW + timedelta(minutes=minutes))
        if minutes % 2:
            health.record_run(session, "send-due", NOW + timedelta(minutes=minutes))
        result = operations.check_all()
        assert (result.opened, result.resolved) == ([], [])
    assert len(mailbox) == 2  # one mail to each administrator, no more
    health.record_run(session, "send-due", NOW + timedelta(minutes=22))
    frozen_clock.move_to(NOW + timedelta(minutes=22))
    assert operations.check_all().resolved == ["worker_silent"]  # 10 minutes clear
    assert len(mailbox) == 4


def test_two_processes_noticing_at_once_open_one_incident(app, session, admins):
    finding = operations.Finding("worker_silent", "silent", "")
    assert operations._open(session, finding, NOW) is True
    assert operations._open(session, finding, NOW) is False
    assert len(session.exec(select(OperationsAlert)).all()) == 1
    session.add(OperationsAlert(condition="worker_silent", open_key="worker_silent"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_healthz_checks_in_the_background_at_most_once_a_minute(
    app, client, session, admins, mailbox
):
    app.config["OPS_CHECK_ON_HEALTHZ"] = True
    silent_worker(session)
    assert client.get("/healthz").get_json()["status"] == "degraded"
    app.extensions["tydligt.ops_check"]["thread"].join(timeout=30)
    assert len(mailbox) == 2
    first = app.extensions["tydligt.ops_check"]["thread"]
    client.get("/healthz")
    assert app.extensions["tydligt.ops_check"]["thread"] is first  # none started again
    assert len(mailbox) == 2


def test_flask_ops_check_for_cron(app, runner, session, admins, mailbox):
    silent_worker(session)
    result = runner.invoke(args=["ops-check"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Started: worker_silent; resolved: none; mails sent: 2."
