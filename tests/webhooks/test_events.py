"""Which changes become events: `outbox.status` never pushes `sending` (the sweep's moment
of handing over), not for a first part set to it nor for a further part created in it."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import OutboxMessage, OutboxStatus, WebhookDelivery

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def statuses_pushed(session) -> list[str]:
    session.expire_all()
    rows = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id))
    return [row.payload.split('"status":"')[1].split('"')[0] for row in rows]


def test_a_further_part_created_as_sending_pushes_nothing_until_it_is_sent(
    session, subscribed, sara
):
    first = OutboxMessage(
        kind="staff_message", client_id=sara.id, to_phone=sara.phone, dedupe_key="m1", due_at=NOW
    )
    session.add(first)
    session.commit()
    first.status = OutboxStatus.SENDING
    session.add(first)
    session.commit()
    part = first.follow_on(
        dedupe_key="m1:part:2:abc",
        due_at=NOW,
        status=OutboxStatus.SENDING,
        attempts=1,
        to_phone=sara.phone,
        part=2,
        parts=2,
        first_part_id=first.id,
    )
    session.add(part)
    session.commit()
    assert statuses_pushed(session) == ["pending"]

    part.status = OutboxStatus.SENT
    session.add(part)
    session.commit()
    assert statuses_pushed(session) == ["pending", "sent"]
