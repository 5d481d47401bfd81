"""Support ending meets a plan, not a date: each service's lead times (90 and 30 days for
LSS services, 30 for others, the catalog before SUPPORT_ENDING_NOTICE_DAYS), and a notice
that says to apply again by which day, who helps, and that an LSS application is assessed
anew."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.casework import catalog, decisions, support_ending
from app.models import OutboxMessage
from app.outbox.sweep import send_due
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm
STOCKHOLM = ZoneInfo("Europe/Stockholm")
LSS = ("ledsagarservice", "kontaktperson", "korttidsvistelse", "daglig_verksamhet",
       "bostad_sarskild_service", "personlig_assistans")  # fmt: skip

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def sara(session):
    unit = create_unit(session)
    staff = create_staff(session, unit, name="Lina Berg", phone="+46701740605")
    return create_client(session, staff)


def approved(service: str) -> dict:
    return dict(
        service=service,
        outcome="approved",
        valid_from=date(2026, 3, 16),
        valid_to=date(2026, 9, 30),  # a wednesday
    )


def notice_days(session) -> list[date]:
    session.commit()
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "support_ending")
        .order_by(OutboxMessage.due_at)
    )
    return [row.due_at.astimezone(STOCKHOLM).date() for row in rows]


def sent_bodies(outbox_file) -> list[str]:
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    return [line["body"] for line in lines if line["kind"] == "support_ending"]


def test_an_lss_service_is_told_90_and_30_days_before_it_ends(session, sara):
    decisions.decide(session, sara, now=NOW, **approved("daglig_verksamhet"))
    assert notice_days(session) == [date(2026, 7, 2), date(2026, 8, 31)]


def test_another_service_is_told_30_days_before(session, sara):
    decisions.decide(session, sara, now=NOW, **approved("fardtjanst"))
    assert notice_days(session) == [date(2026, 8, 31)]


def test_the_catalog_wins_and_the_setting_is_the_fallback(app, session, sara, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPORT_ENDING_NOTICE_DAYS", (45,))
    assert support_ending.ending_notice_days("fardtjanst") == (45,)
    assert support_ending.ending_notice_days("kontaktperson") == (90, 30)


def test_every_lss_service_has_the_long_lead_time_and_every_value_reads(app):
    services = catalog.entries(catalog.configured_dir(), "services")
    for key in LSS:
        assert support_ending.ending_notice_days(key) == (90, 30), key
        assert support_ending.assessed_again(key), key
    for key, entry in services.items():
        days = entry.get("ending_notice_days", [30])
        assert days and all(isinstance(d, int) and 0 < d <= 365 for d in days), key
        assert 0 <= int(entry.get("apply_days_before", 14)) < 365, key
        if key not in LSS:
            assert not support_ending.assessed_again(key), key


def test_the_first_lss_notice_gives_a_day_to_apply_by_who_helps_and_a_new_assessment(
    session, sara, outbox_file
):
    decisions.decide(session, sara, now=NOW, **approved("daglig_verksamhet"))
    session.commit()
    send_due(datetime(2026, 7, 2, 7, 0, tzinfo=UTC))
    (body,) = sent_bodies(outbox_file)
    assert "Ditt stöd slutar onsdag 30 september. Det gäller daglig verksamhet." in body
    # 60 days before the end (Saturday 1 August), on the working day before
    assert "Sök senast fredag 31 juli." in body
    assert "När du söker igen, tittar vi på vad du behöver nu." in body
    assert "Vi hjälper dig att söka." in body
    assert "Ring Lina Berg på 070-174 06 05." in body


def test_a_late_notice_says_to_apply_now(session, sara, outbox_file):
    decisions.decide(session, sara, now=NOW, **approved("daglig_verksamhet"))
    session.commit()
    send_due(datetime(2026, 8, 31, 7, 0, tzinfo=UTC))
    body = sent_bodies(outbox_file)[-1]  # the 30-day notice, after the 90-day one
    assert "Sök redan nu, så att du får ett nytt beslut så snart som möjligt." in body


def test_a_service_outside_lss_says_nothing_of_a_new_assessment(session, sara, outbox_file):
    decisions.decide(session, sara, now=NOW, **approved("fardtjanst"))
    session.commit()
    send_due(datetime(2026, 8, 31, 7, 0, tzinfo=UTC))
    (body,) = sent_bodies(outbox_file)
    assert "Sök senast onsdag 16 september." in body
    assert "tittar vi på vad du behöver nu" not in body
