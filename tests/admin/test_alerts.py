"""My alerts: each staff member chooses their own e-mail alerts (app/admin/alerts.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app import create_app
from app.models import AlertMode, AlertSetting, AuditEvent
from tests.admin.conftest import post, sign_in

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


def stored(session, staff) -> AlertSetting | None:
    session.expire_all()
    return session.get(AlertSetting, staff.id)


def test_the_menu_links_to_my_alerts_and_they_start_off(as_caseworker, caseworker):
    page = as_caseworker.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/alerts"' in page and "My alerts" in page
    page = as_caseworker.get("/admin/alerts").get_data(as_text=True)
    assert "<h1>My alerts</h1>" in page
    assert "Alerts go to lina.berg@ekby.example." in page
    assert 'value="off" checked' in page
    assert "never says who or what" in page
    assert "a test server" in page  # the console transport writes mails, sends none
    assert "Monday to Friday, 00:00–23:59, not on public holidays" in page  # the unit's


def test_choosing_a_digest_saves_the_times_and_the_language(as_caseworker, session, caseworker):
    chosen = {"mode": "digest", "digest_times": ["13:00", "08:00"], "other_times": "16.30"}
    response = post(as_caseworker, "/admin/alerts", chosen)
    assert response.status_code == 302
    setting = stored(session, caseworker)
    assert setting is not None
    assert (setting.mode, setting.digest_times, setting.language) == (
        AlertMode.DIGEST, "08:00,13:00,16:30", "en",
    )  # fmt: skip
    assert setting.since == NOW
    page = as_caseworker.get("/admin/alerts").get_data(as_text=True)
    assert "Your alerts are saved." in page
    assert 'value="digest" checked' in page and 'value="08:00" checked' in page
    assert 'value="16:30"' in page  # the typed time, shown again in its field
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "alerts_changed")).one()
    assert event.detail == "mode=digest; times=08:00,13:00,16:30"
    assert event.actor_id == caseworker.id


def test_turning_alerts_on_again_starts_from_now(as_caseworker, session, caseworker, frozen_clock):
    post(as_caseworker, "/admin/alerts", {"mode": "at_once"})
    frozen_clock.shift(timedelta(hours=1))
    post(as_caseworker, "/admin/alerts", {"mode": "digest", "digest_times": ["08:00"]})
    assert stored(session, caseworker).since == NOW  # still on: nothing is skipped

    post(as_caseworker, "/admin/alerts", {"mode": "off"})
    frozen_clock.shift(timedelta(hours=1))
    post(as_caseworker, "/admin/alerts", {"mode": "at_once"})
    assert stored(session, caseworker).since == NOW + timedelta(hours=2)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mode": "digest"}, "digest_times", "Choose at least one time for the digest."),
        ({"mode": "digest", "other_times": "25:00"}, "other_times", "Write each time like 08:00"),
        ({"mode": "at_once", "other_times": "kl 9"}, "other_times", "Write each time like 08:00"),
        ({"mode": "sometimes"}, "mode", "Choose one of the options."),
        (
            {"mode": "digest", "digest_times": ["03:00"]},
            "digest_times",
            "Choose among the options.",
        ),
    ],
)
def test_a_wrong_choice_is_named_and_nothing_is_saved(
    as_caseworker, session, caseworker, data, field, message
):
    response = post(as_caseworker, "/admin/alerts", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    start = page.index('class="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert f'href="#field-{field}"' in summary and message in summary
    assert stored(session, caseworker) is None


def test_the_page_and_its_errors_are_in_swedish_for_swedish_staff(client, session, caseworker):
    sign_in(client, caseworker, language="sv")
    page = post(client, "/admin/alerts", {"mode": "digest"}).get_data(as_text=True)
    assert "Mina aviseringar" in page
    assert "Välj minst en tid för sammanställningen." in page
    assert "arbetstid: måndag till fredag, 00:00–23:59, inte på helgdagar." in page
    post(client, "/admin/alerts", {"mode": "at_once"})
    assert stored(session, caseworker).language == "sv"


def test_the_page_says_when_the_last_alert_failed(as_caseworker, session, caseworker):
    session.add(AlertSetting(staff_id=caseworker.id, mode=AlertMode.AT_ONCE, failures=2,
                             retry_at=NOW + timedelta(minutes=2)))  # fmt: skip
    session.commit()
    page = as_caseworker.get("/admin/alerts").get_data(as_text=True)
    assert "The last alert could not be sent." in page


def test_each_person_sees_and_changes_only_their_own(as_caseworker, session, caseworker, colleague):
    session.add(AlertSetting(staff_id=colleague.id, mode=AlertMode.DIGEST, digest_times="15:00"))
    session.commit()
    post(as_caseworker, "/admin/alerts", {"mode": "at_once"})
    assert stored(session, colleague).mode == AlertMode.DIGEST
    assert stored(session, caseworker).mode == AlertMode.AT_ONCE


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/admin/alerts")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


PRODUCTION = {
    "SMS_TRANSPORT": "twilio",
    "SECRET_KEY": "k" * 40,
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "production-token",
    "TWILIO_FROM_NUMBER": "+46846500400",
    "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
}


@pytest.mark.parametrize(
    ("smtp", "says"),
    [
        ({}, "E-mail is not set up on this server"),
        ({"SMTP_HOST": "smtp.ekby.example", "MAIL_FROM": "tydligt@ekby.example"}, None),
    ],
)
def test_the_page_says_whether_mail_is_set_up(config, caseworker, smtp, says):
    production = create_app(config | PRODUCTION | smtp)
    try:
        web = production.test_client()
        sign_in(web, caseworker)
        page = web.get("/admin/alerts").get_data(as_text=True)
        assert ("E-mail is not set up" in page) is (says is not None)
        assert "a test server" not in page
    finally:
        production.extensions["tydligt.engine"].dispose()
