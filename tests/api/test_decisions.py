"""Decisions through the API: the same messages as the admin page, an announced decision
decided by the same id, and repeated actions that change nothing."""

import json
from datetime import UTC, date, datetime

import pytest

from app.casework import decisions
from app.models import OutboxStatus
from app.outbox.sweep import send_due
from tests.api.conftest import errors, planned
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

pytestmark = pytest.mark.frozen_at(NOW)


HEADS_UP = {
    "client_source_id": "C-1",
    "status": "announced",
    "service": "boendestod",
    "expected_on": "2026-03-16",
}
DECIDED = {
    "client_source_id": "C-1",
    "status": "decided",
    "service": "boendestod",
    "outcome": "approved",
    "scope_amount": 10,
    "scope_unit": "hours_per_week",
    "valid_from": "2026-03-16",
    "valid_to": "2026-09-30",
    "decided_on": "2026-03-02",
}


def test_a_decision_plans_what_the_domain_plans_for_staff(session, api, enrolled, caseworker):
    response = api.put("/decisions/D-1", DECIDED)
    assert response.status_code == 201
    karin = create_client(session, caseworker, first_name="Karin", phone="+46700000002")
    values = {k: v for k, v in DECIDED.items() if k not in ("client_source_id", "status")}
    values |= {
        "valid_from": date(2026, 3, 16),
        "valid_to": date(2026, 9, 30),
        "decided_on": date(2026, 3, 2),
    }
    decisions.decide(session, karin, staff_id=caseworker.id, **values)
    session.commit()
    assert planned(session, enrolled["id"]) == planned(session, karin.id)
    assert "support_ending" in [kind for kind, *_ in planned(session, karin.id)]


def test_an_announced_decision_is_decided_by_the_same_id(session, api, enrolled):
    assert api.put("/decisions/D-1", HEADS_UP).status_code == 201
    assert api.put("/decisions/D-1", HEADS_UP).status_code == 200  # the same: nothing new
    response = api.put("/decisions/D-1", DECIDED)
    assert response.status_code == 200
    assert response.get_json()["status"] == "decided"
    assert api.put("/decisions/D-1", DECIDED).status_code == 200  # sent again: no change
    kinds = [(kind, status) for kind, _c, _d, status, _r in planned(session, enrolled["id"])]
    assert ("decision_heads_up", OutboxStatus.CANCELLED) in kinds
    assert kinds.count(("decision_approved", OutboxStatus.PENDING)) == 1
    assert errors(
        api.put(
            "/decisions/D-1", DECIDED | {"outcome": "refused", "reasons": ["need_met_otherwise"]}
        )
    ) == {"/status"}
    assert errors(api.put("/decisions/D-1", HEADS_UP)) == {"/status"}


def test_a_refusal_needs_a_reason_and_dates_in_order(api, enrolled):
    response = api.put("/decisions/D-1", DECIDED | {"outcome": "refused", "valid_to": "2026-03-01"})
    assert errors(response) == {"/reasons", "/valid_to"}
    assert errors(api.put("/decisions/D-1", HEADS_UP | {"expected_on": None})) == {"/expected_on"}


def test_a_decision_without_an_outcome_is_refused_not_taken_as_approved(session, api, enrolled):
    without = {k: v for k, v in DECIDED.items() if k != "outcome"}
    assert errors(api.put("/decisions/D-1", without)) == {"/outcome"}
    assert errors(api.put("/decisions/D-1", without | {"outcome": None})) == {"/outcome"}
    assert planned(session, enrolled["id"]) == []  # nothing told to the client


def test_withdrawing_a_decision_twice_changes_nothing(api, enrolled):
    api.put("/decisions/D-1", DECIDED)
    first = api.post("/decisions/D-1/withdraw")
    again = api.post("/decisions/D-1/withdraw")
    assert first.get_json()["version"] == again.get_json()["version"]
    assert errors(api.put("/decisions/D-1", DECIDED)) == {"/status"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope_amount": 1e20}, "/scope_amount"),
        ({"scope_amount": 169}, "/scope_amount"),  # a week has 168 hours
        ({"decided_on": "2026-03-03"}, "/decided_on"),  # tomorrow
        ({"received_on": "2026-05-01"}, "/received_on"),  # weeks ahead
        ({"valid_to": "2100-12-31"}, "/valid_to"),
        ({"valid_from": "2000-01-01", "valid_to": None}, None),  # the earliest: taken
    ],
)
def test_a_decision_nobody_could_have_made_is_refused(api, enrolled, changes, field):
    response = api.put("/decisions/D-1", DECIDED | changes)
    if field is None:
        assert response.status_code == 201
    else:
        assert errors(response) == {field}


@pytest.mark.parametrize("amount", ["1e400", "Infinity", "-Infinity", "NaN"])
def test_an_amount_that_is_no_number_is_refused(api, enrolled, amount):
    body = json.dumps(DECIDED).replace('"scope_amount": 10', f'"scope_amount": {amount}')
    response = api.web.put(
        "/api/v1/decisions/D-1",
        data=body,
        headers=api.headers({"Content-Type": "application/json"}),
    )
    assert errors(response) == {"/scope_amount"}
    assert api.get("/decisions/D-1").status_code == 404  # nothing saved


def test_a_heads_up_for_a_decision_more_than_a_year_ahead_is_refused(api, enrolled):
    assert errors(api.put("/decisions/D-1", HEADS_UP | {"expected_on": "2027-03-03"})) == {
        "/expected_on"
    }


REFUSED = DECIDED | {"outcome": "refused", "reasons": ["need_met_otherwise"]}


def test_a_refusal_without_a_heads_up_is_accepted_and_says_so(api, enrolled):
    response = api.put("/decisions/D-1", REFUSED)
    assert response.status_code == 201
    assert response.get_json()["heads_up_sent"] is False


def test_a_refusal_after_a_heads_up_that_went_out_says_so(api, enrolled):
    assert api.put("/decisions/D-1", HEADS_UP).get_json()["heads_up_sent"] is False
    send_due(NOW)  # the heads-up goes out
    response = api.put("/decisions/D-1", REFUSED)
    assert response.status_code == 200
    assert response.get_json()["heads_up_sent"] is True
    assert api.get("/decisions/D-1").get_json()["heads_up_sent"] is True
