"""Polling with a cursor: outbox messages with their delivery status, texts received and
callback requests; pages that miss nothing and repeat nothing, and news after the last."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import callbacks
from app.models import CallbackSource, Client, InboundMessage, OutboxMessage
from app.outbox import message_control
from tests.api.conftest import Api, client_body, make_key
from tests.factories import create_client, create_staff, create_unit

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)  # past the few seconds a change takes to settle

pytestmark = pytest.mark.frozen_at(NOW)


def enroll_many(api, count: int) -> None:
    for n in range(1, count + 1):
        response = api.put(f"/clients/C-{n}", client_body(phone=f"+4670000000{n}"))
        assert response.status_code == 201


def read_all(api, path: str, limit: int) -> tuple[list[dict], str | None, int]:
    """Every page of a feed; the items, the last cursor and how many pages it took."""
    items, cursor, pages = [], None, 0
    while True:
        query = f"{path}?limit={limit}" + (f"&after={cursor}" if cursor else "")
        page = api.get(query).get_json()
        pages += 1
        items += page["items"]
        cursor = page["next"] or cursor
        if not page["has_more"]:
            return items, cursor, pages


def test_outbox_pages_miss_nothing_and_repeat_nothing(api, frozen_clock):
    enroll_many(api, 5)
    frozen_clock.move_to(LATER)
    items, cursor, pages = read_all(api, "/outbox", limit=2)
    assert pages == 3
    assert [i["kind"] for i in items] == ["welcome"] * 5
    assert len({i["id"] for i in items}) == 5
    assert [i["client_source_id"] for i in items] == [f"C-{n}" for n in range(1, 6)]
    assert items[0]["subject"] == {
        "type": "client",
        "id": items[0]["client_id"],
        "source_id": "C-1",
    }
    empty = api.get(f"/outbox?after={cursor}").get_json()
    assert empty == {"items": [], "next": cursor, "has_more": False}


def test_a_change_and_a_new_message_come_after_the_last_cursor(session, api, frozen_clock):
    enroll_many(api, 3)
    frozen_clock.move_to(LATER)
    _items, cursor, _pages = read_all(api, "/outbox", limit=10)
    message = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    message_control.stop(session, message)  # staff stop the first welcome
    session.commit()
    api.put("/clients/C-9", client_body(phone="+46700000009"))
    frozen_clock.move_to(LATER + timedelta(minutes=1))
    page = api.get(f"/outbox?after={cursor}").get_json()
    assert [(i["id"], i["status"]) for i in page["items"]] == [
        (message.id, "cancelled"),
        (page["items"][1]["id"], "pending"),
    ]
    assert page["items"][1]["client_source_id"] == "C-9"


def test_changes_show_only_once_they_have_settled(api, frozen_clock):
    enroll_many(api, 1)
    assert api.get("/outbox").get_json()["items"] == []
    frozen_clock.move_to(NOW + timedelta(seconds=10))
    assert len(api.get("/outbox").get_json()["items"]) == 1


def test_a_unit_sees_only_its_own_clients_messages(session, client, api, frozen_clock):
    enroll_many(api, 2)
    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    per = create_staff(session, other, email="per@vastby.example", name="Per Västby")
    create_client(session, per, phone="+46700000007", consent_at=None)
    other_api = Api(client, make_key(session, other, name="Treserva", scopes="read"))
    other_client = session.exec(select(Client).where(Client.unit_id == other.id)).one()
    from app.casework import clients

    clients.record_consent(session, other_client, "written")
    session.commit()
    frozen_clock.move_to(LATER)
    assert [i["client_id"] for i in other_api.get("/outbox").get_json()["items"]] == [
        other_client.id
    ]
    assert len(api.get("/outbox").get_json()["items"]) == 2


def test_a_sent_message_shows_its_body_and_delivery(session, api, frozen_clock):
    enroll_many(api, 1)
    message = session.exec(select(OutboxMessage)).one()
    message.status, message.body, message.segments = "delivered", "Hej Sara!", 1
    message.sent_at = message.final_at = NOW
    session.add(message)
    session.commit()
    frozen_clock.move_to(LATER)
    [item] = api.get("/outbox").get_json()["items"]
    assert (item["status"], item["body"], item["segments"]) == ("delivered", "Hej Sara!", 1)


def test_a_message_sent_as_two_texts_shows_both_parts(session, api, frozen_clock):
    enroll_many(api, 1)
    first = session.exec(select(OutboxMessage)).one()
    first.status, first.body, first.part, first.parts = "sent", "Hej Sara! (1/2)", 1, 2
    session.add(first)
    session.flush()
    session.add(first.follow_on(dedupe_key=f"{first.dedupe_key}:part:2:x", due_at=NOW,
                                status="sent", body="(2/2) Tack!", part=2, parts=2,
                                first_part_id=first.id))  # fmt: skip
    session.commit()
    frozen_clock.move_to(LATER)
    items = api.get("/outbox").get_json()["items"]
    parts = sorted((i["part"], i["parts"], i["first_part_id"]) for i in items)
    assert parts == [(1, 2, None), (2, 2, first.id)]


def test_a_cursor_that_is_not_ours_and_a_wrong_limit_are_named(api):
    for query, name in (
        ("after=bm90LWEtY3Vyc29y", "after"),
        ("after=%2F%2F", "after"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
    ):
        response = api.get(f"/outbox?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"][0]["in"] == "query"
        assert response.get_json()["errors"][0]["path"] == name


def test_texts_from_clients_and_representatives_are_polled_but_not_strangers(
    session, api, frozen_clock
):
    enroll_many(api, 2)
    sara = session.exec(select(Client).where(Client.source_id == "C-1")).one()
    for n, (client_id, body) in enumerate(
        [(sara.id, "Kan vi ses på fredag?"), (None, "Vem är detta?"), (sara.id, None)]
    ):
        session.add(
            InboundMessage(
                provider_id=f"SM{n}",
                from_phone="+46700000001",
                client_id=client_id,
                body=body,
                needs_answer=True,
            )
        )
    session.commit()
    frozen_clock.move_to(LATER)
    first = api.get("/inbound?limit=1").get_json()
    rest = api.get(f"/inbound?after={first['next']}").get_json()
    items = first["items"] + rest["items"]
    assert [(i["client_source_id"], i["body"]) for i in items] == [
        ("C-1", "Kan vi ses på fredag?"),
        ("C-1", None),  # removed after retention
    ]
    assert first["has_more"] is True and rest["has_more"] is False


def test_callback_requests_are_polled_with_language_and_interpreter(session, api, frozen_clock):
    enroll_many(api, 1)
    sara = session.exec(select(Client)).one()
    callbacks.request_callback(session, sara, source=CallbackSource.VOICE, language="so")
    callbacks.request_callback(session, None, from_phone="+46700000099")  # a stranger
    session.commit()
    frozen_clock.move_to(LATER)
    [item] = api.get("/callbacks").get_json()["items"]
    assert (item["client_source_id"], item["language"], item["interpreter_needed"]) == (
        "C-1",
        "so",
        True,
    )
    assert item["assigned_staff_email"] == "lina.berg@ekby.example"


def test_a_message_claimed_by_a_worker_comes_again_as_sending(session, api, frozen_clock):
    from app.outbox.sweep import claim_due

    enroll_many(api, 1)
    frozen_clock.move_to(LATER)
    _items, cursor, _pages = read_all(api, "/outbox", limit=10)
    claim_due(session, LATER, 10)  # one bulk UPDATE, as the sweep does it
    frozen_clock.move_to(LATER + timedelta(minutes=1))
    [item] = api.get(f"/outbox?after={cursor}").get_json()["items"]
    assert item["status"] == "sending" and item["attempts"] == 1


def forged(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/outbox", "/inbound", "/callbacks"])
@pytest.mark.parametrize(
    "cursor",
    [
        "2026-03-02T08:00:00+00:00|9223372036854775808",  # 2^63: no database integer
        "2026-03-02T08:00:00+00:00|2147483648",  # 2^31: more than an id (INTEGER) holds
        "2026-03-02T08:00:00+00:00|99999999999999999999999",
        "9999-12-31T23:59:59-14:00|1",  # past year 9999 in UTC
        "0001-01-01T00:00:00+14:00|1",  # before year 1 in UTC
        "9999-12-31T23:59:59.999999+00:00|1",
        "2026-03-02T08:00:00+00:00|١٢",  # digits, but not ours
    ],
)
def test_a_forged_cursor_is_refused_on_every_feed(api, enrolled, path, cursor):
    response = api.get(f"{path}?after={forged(cursor)}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"][0]["path"] == "after"
