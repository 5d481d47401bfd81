"""GET and PUT /api/v1/support-offers: the support the key's unit offers."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import SupportOffer
from tests.factories import create_unit, offer_support

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


def test_every_kind_and_what_the_unit_offers_violence_first(reader, session, unit):
    offer_support(session, unit, "meeting_place", phone="", place="Lindvägen 4, Ekby")
    offer_support(session, unit, "violence", who="Ekby stödlinje")
    other = create_unit(session, name="Västby kommun", phone="+46846500900")
    offer_support(session, other, "bills", who="Västby skuldrådgivning")
    response = reader.get("/support-offers")
    assert response.status_code == 200
    body = response.get_json()
    assert body["kinds"][0] == {"key": "violence", "name": "Stöd vid våld"}
    assert [o["kind"] for o in body["offers"]] == ["violence", "meeting_place"]
    assert body["offers"][1] | {} == {
        "kind": "meeting_place",
        "name": "Träffpunkt",
        "who": "",
        "phone": "",
        "place": "Lindvägen 4, Ekby",
        "hours": "",
        "web": "",
    }


def test_put_sets_the_whole_list(api, session, unit):
    offer_support(session, unit, "bills")
    response = api.put(
        "/support-offers",
        {
            "offers": [
                {"kind": "budget_debt", "who": "Budgetrådgivningen", "phone": "08-465 004 60"},
                {"kind": "violence", "phone": "+46846500450", "hours": "Dygnet runt"},
            ]
        },
    )
    assert response.status_code == 200, response.get_json()
    assert [o["kind"] for o in response.get_json()["offers"]] == ["violence", "budget_debt"]
    session.expire_all()
    stored = {o.kind: o for o in session.exec(select(SupportOffer))}
    assert set(stored) == {"violence", "budget_debt"}  # bills is no longer offered
    assert stored["budget_debt"].phone == "+46846500460"


def test_put_names_each_wrong_field_and_saves_nothing(api, session, unit):
    offer_support(session, unit, "bills")
    response = api.put(
        "/support-offers",
        {
            "offers": [
                {"kind": "budget_debt", "phone": "not a number"},
                {"kind": "lottery", "phone": "08-465 004 60"},
                {"kind": "talk", "web": "http://ekby.example"},
                {"kind": "talk", "phone": "08-465 004 60"},
            ]
        },
    )
    assert response.status_code == 422
    paths = {error["path"] for error in response.get_json()["errors"]}
    assert paths == {"/offers/0/phone", "/offers/1/kind", "/offers/2/web", "/offers/3/kind"}
    session.expire_all()
    assert [o.kind for o in session.exec(select(SupportOffer))] == ["bills"]


def test_a_read_key_cannot_write(reader):
    response = reader.put("/support-offers", {"offers": []})
    assert response.status_code == 403


def test_the_openapi_document_describes_it(reader):
    document = reader.get("/openapi.json").get_json()
    operations = document["paths"]["/support-offers"]
    assert "never named to a representative" in operations["get"]["description"]
    assert "no longer offered" in operations["put"]["description"]
