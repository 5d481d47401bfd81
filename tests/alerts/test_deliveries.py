"""The worker's alert round against a real SMTP server on loopback: what arrives, when,
once, and after the server was down."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.alerts.deliveries import retry_delay, send_alerts
from app.models import (
    AlertItem,
    AlertItemState,
    AlertMode,
    AlertSetting,
    CallbackRequest,
    Handover,
    HandoverKind,
    OutboxMessage,
)
from app.worker import SCHEDULE
from tests.alerts.conftest import wants_alerts
from tests.factories import book_appointment, create_client, receive_text

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)

CLIENT_WORDS = "Jag mår dåligt och vill prata om min lägenhet på Rosengatan"


def test_an_alert_arrives_with_counts_and_links_and_nothing_about_the_client(
    session, caseworker, sara, mailbox
):
    """Three texts and a callback request: one mail, in Swedish, that says how many and
    links to Tydligt; the raw message holds no name, number or words of the client."""
    wants_alerts(session, caseworker)
    for minutes, words in ((50, CLIENT_WORDS), (40, "Saralinnea här"), (30, "Ring +46701234567")):
        receive_text(session, sara, words, received_at=NOW - timedelta(minutes=minutes))
    session.add(CallbackRequest(client_id=sara.id, language="sv", created_at=NOW))
    session.commit()

    result = send_alerts()

    assert (result.sent, result.failed) == (1, 0)
    assert len(mailbox) == 1
    envelope = mailbox.envelopes[0]
    assert envelope.rcpt_tos == ["lina.berg@ekby.example"]
    assert envelope.mail_from == "tydligt@ekby.example"
    mail = mailbox.message()
    assert mail["Subject"] == "Tydligt: 3 nya sms, 1 begäran om att bli uppringd"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content().replace("\r\n", "\n")
    assert "- 3 nya sms\n- 1 begäran om att bli uppringd\n" in body
    assert "https://tydligt.ekby.example/admin/\n" in body  # Today, at PUBLIC_BASE_URL
    assert "https://tydligt.ekby.example/admin/alerts" in body
    raw = mailbox.raw().decode("utf-8", "replace")
    decoded = raw + body + str(mail["Subject"])
    for secret in ("Saralinnea", "Lindqvist", "46701234567", "0701234567", "701 23 45 67",
                   "Rosengatan", "lägenhet", "mår dåligt", "Ring "):  # fmt: skip
        assert secret not in decoded, secret


def test_each_item_alerts_once(session, caseworker, sara, mailbox, frozen_clock):
    """Once, and "at once" at most every five minutes: a client texting again and again
    gives one mail now and one with the rest a few minutes later."""
    wants_alerts(session, caseworker)
    receive_text(session, sara, CLIENT_WORDS)

    send_alerts()
    send_alerts()

    assert len(mailbox) == 1
    receive_text(session, sara, "En till", received_at=NOW)
    frozen_clock.shift(timedelta(minutes=4, seconds=59))
    send_alerts()
    assert len(mailbox) == 1
    frozen_clock.shift(timedelta(seconds=1))
    send_alerts()
    assert len(mailbox) == 2
    assert mailbox.message()["Subject"] == "Tydligt: 1 nytt sms"  # only the new one


def test_nothing_from_before_alerts_were_turned_on(session, caseworker, sara, mailbox):
    receive_text(session, sara, CLIENT_WORDS, received_at=NOW - timedelta(days=3))
    wants_alerts(session, caseworker, since=NOW - timedelta(hours=1))

    send_alerts()

    assert len(mailbox) == 0


def test_off_and_other_peoples_clients_get_no_mail(session, caseworker, colleague, sara, mailbox):
    """Omar wants alerts but Sara is Lina's client; Lina has alerts off."""
    wants_alerts(session, colleague)
    wants_alerts(session, caseworker, mode=AlertMode.OFF)
    receive_text(session, sara, CLIENT_WORDS)

    send_alerts()

    assert len(mailbox) == 0


def test_a_stand_in_gets_the_absent_case_workers_alerts(
    session, caseworker, colleague, sara, mailbox
):
    wants_alerts(session, colleague)
    session.add(
        Handover(client_id=sara.id, from_staff_id=caseworker.id, to_staff_id=colleague.id,
                 kind=HandoverKind.ABSENCE, starts_on=NOW.date() - timedelta(days=1),
                 ends_on=NOW.date() + timedelta(days=5))
    )  # fmt: skip
    session.commit()
    receive_text(session, sara, CLIENT_WORDS)

    send_alerts()

    assert [e.rcpt_tos for e in mailbox.envelopes] == [["omar.haddad@ekby.example"]]


def test_the_mail_counts_every_kind_today_shows(session, caseworker, sara, mailbox):
    wants_alerts(session, caseworker, language="en")
    receive_text(session, sara, CLIENT_WORDS)
    session.add(CallbackRequest(client_id=sara.id, language="sv"))
    session.add(CallbackRequest(client_id=sara.id, language="sv"))
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=5), now=NOW)
    meeting.response, meeting.responded_at = "declined", NOW - timedelta(minutes=10)
    session.add(
        OutboxMessage(kind="welcome", client_id=sara.id, dedupe_key="f1", due_at=NOW,
                      status="failed", final_at=NOW, last_error="30003")
    )  # fmt: skip
    sara.pin_locked_at = NOW - timedelta(minutes=3)
    session.add_all([meeting, sara])
    session.commit()

    send_alerts()

    mail = mailbox.message()
    assert mail["Subject"] == (
        "Tydligt: 1 new text, 2 requests to be called back, 1 meeting the client declined, "
        "1 message that could not be delivered, 1 locked PIN"
    )
    assert "urgent" not in mail.get_content().lower()


def test_outside_working_hours_it_waits_for_the_next_working_morning(
    session, caseworker, sara, mailbox, frozen_clock
):
    friday_evening = datetime(2026, 12, 11, 18, 30, tzinfo=UTC)  # 19:30 in Stockholm
    frozen_clock.move_to(friday_evening)
    wants_alerts(session, caseworker)
    receive_text(session, sara, CLIENT_WORDS, received_at=friday_evening)

    send_alerts()
    frozen_clock.move_to(datetime(2026, 12, 12, 9, 0, tzinfo=UTC))  # Saturday 10:00
    send_alerts()
    frozen_clock.move_to(datetime(2026, 12, 14, 6, 59, tzinfo=UTC))  # Monday 07:59
    send_alerts()
    assert len(mailbox) == 0

    frozen_clock.move_to(datetime(2026, 12, 14, 7, 0, tzinfo=UTC))  # Monday 08:00
    send_alerts()
    assert len(mailbox) == 1


def test_no_alert_on_a_public_holiday(session, caseworker, sara, mailbox, frozen_clock):
    christmas_day = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)  # a Friday
    frozen_clock.move_to(christmas_day)
    wants_alerts(session, caseworker)
    receive_text(session, sara, CLIENT_WORDS, received_at=christmas_day)

    send_alerts()

    assert len(mailbox) == 0


def test_something_urgent_goes_at_night(session, caseworker, sara, mailbox, frozen_clock):
    """Sunday 22:00 the client declines Monday's 09:00 meeting: the mail goes at once."""
    sunday_night = datetime(2026, 12, 13, 21, 0, tzinfo=UTC)
    frozen_clock.move_to(sunday_night)
    wants_alerts(session, caseworker, mode=AlertMode.DIGEST)
    meeting = book_appointment(
        session, sara, starts_at=datetime(2026, 12, 14, 8, 0, tzinfo=UTC), now=NOW
    )
    receive_text(session, sara, CLIENT_WORDS, received_at=sunday_night)
    meeting.response, meeting.responded_at = "declined", sunday_night
    session.add(meeting)
    session.commit()

    send_alerts()

    assert len(mailbox) == 1
    mail = mailbox.message()
    assert mail["Subject"] == "Tydligt, brådskande: 1 nytt sms, 1 möte som klienten tackat nej till"
    assert "brådskande" in mail.get_content()


def test_a_locked_pin_and_a_far_meeting_are_not_urgent(
    session, caseworker, sara, mailbox, frozen_clock
):
    sunday_night = datetime(2026, 12, 13, 21, 0, tzinfo=UTC)
    frozen_clock.move_to(sunday_night)
    wants_alerts(session, caseworker)
    meeting = book_appointment(session, sara, starts_at=NOW + timedelta(days=9), now=NOW)
    meeting.response, meeting.responded_at = "declined", sunday_night
    sara.pin_locked_at = sunday_night
    session.add_all([meeting, sara])
    session.commit()

    send_alerts()

    assert len(mailbox) == 0


def test_a_failed_change_of_a_meeting_is_urgent(session, caseworker, sara, mailbox, frozen_clock):
    saturday = datetime(2026, 12, 12, 12, 0, tzinfo=UTC)
    frozen_clock.move_to(saturday)
    wants_alerts(session, caseworker)
    session.add(
        OutboxMessage(kind="appointment_changed", client_id=sara.id, dedupe_key="c1",
                      due_at=saturday, urgent=True, status="undelivered", final_at=saturday)
    )  # fmt: skip
    session.commit()

    send_alerts()

    assert mailbox.message()["Subject"].startswith("Tydligt, brådskande:")


def test_a_digest_goes_at_its_hours_with_everything_since_the_last(
    session, caseworker, sara, mailbox, frozen_clock
):
    frozen_clock.move_to(datetime(2026, 12, 8, 7, 30, tzinfo=UTC))  # 08:30
    wants_alerts(session, caseworker, mode=AlertMode.DIGEST, times="08:00,13:00")
    receive_text(session, sara, "Första", received_at=datetime(2026, 12, 8, 7, 30, tzinfo=UTC))
    send_alerts()
    frozen_clock.move_to(datetime(2026, 12, 8, 11, 59, tzinfo=UTC))  # 12:59
    receive_text(session, sara, "Andra", received_at=datetime(2026, 12, 8, 11, 0, tzinfo=UTC))
    send_alerts()
    assert len(mailbox) == 0  # nothing before 13:00

    frozen_clock.move_to(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))  # 13:00
    send_alerts()
    send_alerts()
    assert len(mailbox) == 1
    assert mailbox.message()["Subject"] == "Tydligt: 2 nya sms"


def test_a_digest_hour_before_the_working_day_goes_when_it_starts(
    session, caseworker, sara, mailbox, frozen_clock
):
    frozen_clock.move_to(datetime(2026, 12, 8, 5, 30, tzinfo=UTC))  # 06:30
    wants_alerts(session, caseworker, mode=AlertMode.DIGEST, times="06:00")
    receive_text(session, sara, "Natt", received_at=datetime(2026, 12, 7, 22, 0, tzinfo=UTC))
    send_alerts()
    assert len(mailbox) == 0
    frozen_clock.move_to(datetime(2026, 12, 8, 7, 0, tzinfo=UTC))  # 08:00
    send_alerts()
    assert len(mailbox) == 1


def test_what_was_handled_before_the_digest_is_not_mailed(
    session, caseworker, sara, mailbox, frozen_clock
):
    frozen_clock.move_to(datetime(2026, 12, 8, 10, 0, tzinfo=UTC))  # 11:00
    wants_alerts(session, caseworker, mode=AlertMode.DIGEST, times="13:00")
    text = receive_text(session, sara, CLIENT_WORDS, received_at=NOW)
    send_alerts()
    text.handled_at = datetime(2026, 12, 8, 10, 30, tzinfo=UTC)
    session.add(text)
    session.commit()
    frozen_clock.move_to(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))  # 13:00
    send_alerts()

    assert len(mailbox) == 0
    item = session.exec(select(AlertItem)).one()
    assert item.state == AlertItemState.GONE


def test_smtp_down_then_up_sends_one_mail_with_everything(
    session, caseworker, sara, smtp_server, mailbox, frozen_clock, caplog
):
    wants_alerts(session, caseworker)
    receive_text(session, sara, CLIENT_WORDS)
    smtp_server.stop()

    first = send_alerts()
    frozen_clock.shift(timedelta(seconds=30))
    second = send_alerts()  # waiting to retry: no new try, no storm

    assert (first.failed, second.failed, second.sent) == (1, 0, 0)
    setting = session.get(AlertSetting, caseworker.id)
    session.refresh(setting)
    assert setting.failures == 1 and setting.retry_at == NOW + retry_delay(1)
    assert setting.claim_token is None
    assert "46701234567" not in caplog.text and "lina.berg" not in caplog.text
    assert "ConnectionRefusedError" in caplog.text

    receive_text(session, sara, "En till", received_at=NOW)
    smtp_server.start()
    frozen_clock.move_to(NOW + retry_delay(1))
    third = send_alerts()
    send_alerts()

    assert third.sent == 1 and len(mailbox) == 1
    assert mailbox.message()["Subject"] == "Tydligt: 2 nya sms"
    session.refresh(setting)
    assert (setting.failures, setting.retry_at, setting.last_sent_at) == (
        0,
        None,
        NOW + retry_delay(1),
    )


def test_retries_wait_longer_each_time_up_to_an_hour():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 20)] == [
        1, 2, 4, 60, 60, 60,
    ]  # fmt: skip


def test_a_claimed_person_is_left_to_the_worker_that_holds_them(
    session, caseworker, sara, mailbox, frozen_clock
):
    """Another worker is busy with Lina's alerts: this round sends nothing for her, and
    takes over only once that claim is older than CLAIM_TIMEOUT_SECONDS."""
    setting = wants_alerts(session, caseworker)
    setting.claim_token, setting.claimed_at = "another-worker", NOW
    session.add(setting)
    session.commit()
    receive_text(session, sara, CLIENT_WORDS)

    send_alerts()
    assert len(mailbox) == 0

    frozen_clock.move_to(NOW + timedelta(seconds=601))
    send_alerts()
    assert len(mailbox) == 1


def test_an_inactive_account_gets_no_alerts(session, caseworker, sara, mailbox):
    wants_alerts(session, caseworker)
    caseworker.active = False
    session.add(caseworker)
    session.commit()
    receive_text(session, sara, CLIENT_WORDS)

    send_alerts()

    assert len(mailbox) == 0


def test_an_unknown_number_texting_the_unit_alerts_its_staff(
    session, caseworker, sara, unit, mailbox
):
    wants_alerts(session, caseworker)
    receive_text(session, sara, "Hej", client_id=None, from_phone="+46709999999", unit_id=unit.id)

    send_alerts()

    assert mailbox.message()["Subject"] == "Tydligt: 1 nytt sms"


def test_the_worker_sends_alerts_every_minute():
    job = next(job for job in SCHEDULE if job.id == "send-alerts")
    assert job.run is send_alerts and job.seconds({}) == 60


def test_two_workers_at_once_mail_each_person_once(app, session, unit, mailbox):
    """Two rounds in parallel (two worker processes): every person gets exactly one mail."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.factories import create_staff

    people = []
    for n in range(12):
        staff = create_staff(session, unit, email=f"staff{n}@ekby.example", name=f"Staff {n}")
        client = create_client(session, staff, first_name="Klient", phone=f"+4670100{n:04d}")
        receive_text(session, client, CLIENT_WORDS)
        wants_alerts(session, staff)
        people.append(staff.email)

    def round_in_its_own_context():
        with app.app_context():
            return send_alerts()

    with ThreadPoolExecutor(max_workers=2) as pool:
        rounds = list(pool.map(lambda _n: round_in_its_own_context(), range(2)))

    assert sum(r.sent for r in rounds) == 12
    assert sorted(e.rcpt_tos[0] for e in mailbox.envelopes) == sorted(people)
