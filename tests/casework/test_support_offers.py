"""What support a unit offers: the catalog's kinds, violence support first, and who may
hear of which (never violence support to a representative, nothing to a stranger)."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.access import Role
from app.casework import support_offers
from app.errors import InvalidInput
from app.models import AuditEvent, Representative, SupportOffer
from tests.factories import create_client, create_staff, create_unit, offer_support

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def unit(session):
    return create_unit(session)


@pytest.fixture
def sara(session, unit):
    return create_client(session, staff=create_staff(session, unit))


def test_the_catalog_has_the_kinds_the_sources_name_with_violence_support_first(app):
    kinds = support_offers.kinds()
    assert kinds[0] == "violence"
    assert {"services", "budget_debt", "bills", "meeting_place", "activities"} <= set(kinds)


def test_violence_support_comes_first_whatever_order_it_was_added_in(session, unit):
    offer_support(session, unit, "meeting_place", place="Lindvägen 4, Ekby")
    offer_support(session, unit, "budget_debt")
    offer_support(session, unit, "violence")
    assert [o.kind for o in support_offers.offers(session, unit.id)] == [
        "violence",
        "budget_debt",
        "meeting_place",
    ]


def test_a_representative_never_hears_of_violence_support(session, unit, sara):
    offer_support(session, unit, "violence")
    offer_support(session, unit, "budget_debt")
    god_man = Representative(client_id=sara.id, name="Anders Holm", phone="+46700000099")
    session.add(god_man)
    session.commit()
    assert [o.kind for o in support_offers.listed(session, Role(sara))] == [
        "violence",
        "budget_debt",
    ]
    assert [o.kind for o in support_offers.listed(session, Role(sara, god_man))] == ["budget_debt"]
    assert support_offers.listed(session, None) == []


def test_another_units_offers_are_not_listed(session, unit, sara):
    other = create_unit(session, name="Västby kommun", phone="+46846500999")
    offer_support(session, other, "bills")
    assert support_offers.listed(session, Role(sara)) == []


def test_saving_again_changes_the_details_and_is_audited(session, unit):
    offer_support(session, unit, "bills", who="Skuldrådgivningen")
    offer_support(session, unit, "bills", who="Ekonomirådgivningen", phone="08-465 004 70")
    offer = session.exec(select(SupportOffer)).one()
    assert (offer.who, offer.phone) == ("Ekonomirådgivningen", "+46846500470")
    actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("support_offer_saved") == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"phone": "not a number"}, "phone"),
        ({"web": "http://ekby.example/stod"}, "web"),
        ({"web": "javascript:alert(1)"}, "web"),
        ({"phone": "", "place": "", "web": ""}, "phone"),
        ({"phone": "+46846500450", "who": "x" * 121}, "who"),
    ],
)
def test_wrong_details_are_refused_field_by_field(session, unit, values, field):
    with pytest.raises(InvalidInput) as error:
        support_offers.save(session, unit.id, "bills", values)
    assert field in error.value.errors


def test_an_unknown_kind_is_refused(session, unit):
    with pytest.raises(InvalidInput) as error:
        support_offers.save(session, unit.id, "lottery", {"phone": "+46846500450"})
    assert "kind" in error.value.errors


def test_removing_stops_offering(session, unit):
    offer_support(session, unit, "bills")
    assert support_offers.remove(session, unit.id, "bills") is True
    assert support_offers.remove(session, unit.id, "bills") is False
    assert support_offers.offers(session, unit.id) == []
