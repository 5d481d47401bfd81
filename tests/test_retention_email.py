"""Retention of e-mail copies: their text goes after the same 90 days as a text's, and
nothing is queued for deletion at the SMS provider (a mail server keeps nothing of ours)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import OutboxMessage
from app.models.messaging import ProviderDeletion
from app.retention import run_retention
from tests.factories import create_client

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_an_old_emails_text_goes_and_the_sms_provider_is_not_asked(app, session, monkeypatch):
    asked: list[tuple[str, str]] = []
    provider = app.extensions["tydligt.provider"]
    monkeypatch.setattr(provider, "delete_stored", lambda item, ref: asked.append((item, ref)))
    client = create_client(session, email="sara.lind@example.org", email_copies=True)
    old = NOW - timedelta(days=91)
    common = dict(kind="welcome", client_id=client.id, due_at=old, created_at=old)
    session.add_all([
        OutboxMessage(dedupe_key="w", channel="sms", status="delivered", body="Hej Sara!",
                      provider_id="SM" + "1" * 32, **common),
        OutboxMessage(dedupe_key="w:email", channel="email", status="sent",
                      body="Ett mejl från Ekby kommun", provider_id="EMAIL" + "2" * 32, **common),
    ])  # fmt: skip
    session.commit()
    assert run_retention(NOW)["outbox bodies"] == 2
    session.expire_all()
    assert {m.channel: m.body for m in session.exec(select(OutboxMessage))} == {
        "sms": None,
        "email": None,
    }
    assert asked == [("message", "SM" + "1" * 32)]
    assert session.exec(select(ProviderDeletion)).all() == []  # deleted, nothing left queued
