"""Retention with two SMS providers: each deletion goes to the provider that holds it."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models.messaging import ProviderDeletion, ProviderItem
from app.retention import delete_at_provider
from app.transports.elks import ElksTransport
from app.transports.failover import FailoverRules, FailoverTransport
from app.transports.twilio import TwilioTransport
from tests.elks_fake import fake_session
from tests.twilio_fake import FakeTwilioHttp

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)

TWILIO_SID = "SM" + "4" * 32
ELKS_ID = "s" + "3" * 32


def test_each_deletion_goes_to_the_provider_that_holds_it(app, session):
    session.add(ProviderDeletion(item=ProviderItem.MESSAGE, ref=ELKS_ID))
    session.add(ProviderDeletion(item=ProviderItem.MESSAGE, ref=TWILIO_SID))
    session.commit()
    twilio_http = FakeTwilioHttp([(204, {})])
    twilio = TwilioTransport(
        {
            "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_FROM_NUMBER": "+46846500400",
            "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
            "TWILIO_HTTP_CLIENT": twilio_http,
        }
    )
    elks_session, elks_fake = fake_session()
    elks = ElksTransport(
        {
            "ELKS_API_USERNAME": "u1",
            "ELKS_API_PASSWORD": "p1",
            "ELKS_FROM": "Ekby",
            "ELKS_WEBHOOK_SECRET": "k" * 40,
            "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
            "ELKS_HTTP_SESSION": elks_session,
        }
    )
    transport = FailoverTransport(elks, twilio, twilio, FailoverRules())

    counts = delete_at_provider(transport, NOW)

    assert counts == {"deleted at the provider": 2, "waiting at the provider": 0}
    assert [(r["method"], r["uri"].rsplit("/", 1)[-1]) for r in twilio_http.requests] == [
        ("DELETE", f"{TWILIO_SID}.json")
    ]
    # 46elks offers no deletion and keeps no words of what we send (dontlog): nothing asked.
    assert elks_fake.requests == []
    session.expire_all()
    assert session.exec(select(ProviderDeletion)).all() == []
