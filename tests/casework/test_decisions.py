"""Decisions: heads-up, plain summaries per outcome, appeal dates, support ending."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import decisions
from app.errors import InvalidInput
from app.models import Decision, DecisionStatus, OutboxMessage, OutboxStatus
from app.outbox.sweep import send_due
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def outbox(session, kind) -> list[OutboxMessage]:
    session.commit()  # the domain functions leave committing to their caller
    query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.due_at)
    return list(session.exec(query))


def bodies(outbox_file, kind) -> list[str]:
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    return [line["body"] for line in lines if line["kind"] == kind]


APPROVED = dict(
    service="boendestod",
    outcome="approved",
    scope_amount=6,
    scope_unit="hours_per_week",
    valid_from=date(2026, 4, 1),
    valid_to=date(2026, 9, 30),
)


def test_the_appeal_date_counts_from_when_the_client_got_the_letter(session, outbox_file):
    client = create_client(session)
    decisions.decide(
        session,
        client,
        now=NOW,
        decided_on=date(2026, 3, 2),
        received_on=date(2026, 3, 5),
        **APPROVED,
    )
    session.commit()
    send_due(NOW)
    (body,) = bodies(outbox_file, "decision_approved")
    assert "överklaga senast torsdag 26 mars." in body


def test_without_a_received_date_the_appeal_date_counts_from_the_decision_date(
    session, outbox_file
):
    # The earliest date the letter can have come: the date we give is never too late.
    client = create_client(session)
    decisions.decide(session, client, now=NOW, decided_on=date(2026, 3, 2), **APPROVED)
    session.commit()
    send_due(NOW)
    assert "överklaga senast måndag 23 mars." in bodies(outbox_file, "decision_approved")[0]


def test_the_summary_says_what_how_much_from_when_and_that_the_letter_is_the_decision(
    session, outbox_file
):
    client = create_client(session)
    decisions.decide(session, client, now=NOW, **APPROVED)
    session.commit()
    send_due(NOW)
    (body,) = bodies(outbox_file, "decision_approved")
    for line in (
        "Du får boendestöd.",
        "Det är 6 timmar i veckan.",
        "Det gäller från onsdag 1 april till onsdag 30 september.",
        "Brevet är det riktiga beslutet.",
        "Det betyder att du ber en domstol att ändra beslutet.",
    ):
        assert line in body


@pytest.mark.parametrize("outcome", ["approved", "partly_approved", "refused", "ended", "changed"])
def test_each_outcome_has_its_own_message(session, outcome):
    client = create_client(session)
    values = APPROVED | {"outcome": outcome, "reasons": "need_assessed"}
    decisions.decide(session, client, now=NOW, **values)
    assert len(outbox(session, f"decision_{outcome}")) == 1


def test_a_refusal_needs_a_reason(session):
    client = create_client(session)
    with pytest.raises(InvalidInput) as excinfo:
        decisions.decide(session, client, now=NOW, service="boendestod", outcome="refused")
    assert "reasons" in excinfo.value.errors


def test_heads_up_goes_out_first_and_stops_once_decided(session, outbox_file):
    client = create_client(session)
    announced = decisions.announce(
        session, client, service="boendestod", expected_on=date(2026, 3, 20), now=NOW
    )
    session.commit()
    assert [m.due_at for m in outbox(session, "decision_heads_up")] == [NOW]
    send_due(NOW)
    (heads_up,) = bodies(outbox_file, "decision_heads_up")
    # What is being looked at, when the decision comes, and a meeting offered first.
    assert "Vi går igenom din ansökan om boendestöd." in heads_up
    assert "Du får ett beslut runt fredag 20 mars." in heads_up
    assert "Vill du träffa oss och prata innan dess? Ring, så bokar vi en tid." in heads_up
    decided = decisions.decide(session, client, announced, now=NOW + timedelta(days=1), **APPROVED)
    assert decided.id == announced.id and decided.status == DecisionStatus.DECIDED


def test_an_unsent_heads_up_is_cancelled_when_the_decision_comes_first(session):
    client = create_client(session)
    announced = decisions.announce(
        session, client, service="boendestod", expected_on=date(2026, 3, 20), now=NOW
    )
    decisions.decide(session, client, announced, now=NOW, **APPROVED)
    session.commit()
    assert [m.status for m in outbox(session, "decision_heads_up")] == [OutboxStatus.CANCELLED]


def test_support_ending_notice_goes_out_before_the_end_date(session, outbox_file):
    client = create_client(session)
    decisions.decide(session, client, now=NOW, **APPROVED)
    session.commit()
    # 30 days before 30 september, at 09.00 Stockholm summer time (07.00 UTC).
    assert [m.due_at for m in outbox(session, "support_ending")] == [
        datetime(2026, 8, 31, 7, 0, tzinfo=UTC)
    ]
    send_due(datetime(2026, 8, 31, 7, 0, tzinfo=UTC))
    (body,) = bodies(outbox_file, "support_ending")
    assert "Ditt stöd slutar onsdag 30 september. Det gäller boendestöd." in body
    assert "söka igen" in body


def test_a_refusal_brings_no_support_ending_notice(session):
    client = create_client(session)
    decisions.decide(
        session,
        client,
        now=NOW,
        **(APPROVED | {"outcome": "refused", "reasons": "need_met_otherwise"}),
    )
    assert outbox(session, "support_ending") == []


def test_withdrawing_a_decision_cancels_what_has_not_gone_out(session):
    client = create_client(session)
    decision = decisions.decide(session, client, now=NOW, **APPROVED)
    decisions.withdraw(session, decision, now=NOW)
    assert {m.status for m in outbox(session, "support_ending")} == {OutboxStatus.CANCELLED}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"service": "spa_weekend"}, "service"),
        ({"outcome": "maybe"}, "outcome"),
        ({"scope_unit": "hours_per_week", "scope_amount": None}, "scope_amount"),
        ({"scope_unit": "miles", "scope_amount": 3}, "scope_unit"),
        ({"valid_from": date(2026, 5, 1), "valid_to": date(2026, 4, 1)}, "valid_to"),
        ({"reasons": "because"}, "reasons"),
        ({"decided_on": date(2026, 3, 5), "received_on": date(2026, 3, 4)}, "received_on"),
        # Nothing absurd is sent to a client, and nothing downstream overflows.
        ({"scope_amount": float("inf")}, "scope_amount"),
        ({"scope_amount": float("nan")}, "scope_amount"),  # would drop the extent silently
        ({"scope_amount": 1e20}, "scope_amount"),
        ({"scope_amount": 169}, "scope_amount"),  # a week has 168 hours
        ({"scope_unit": "days_per_month", "scope_amount": 32}, "scope_amount"),
        ({"scope_unit": "sek_once", "scope_amount": 1_000_001}, "scope_amount"),
        ({"decided_on": date(2026, 3, 3)}, "decided_on"),  # tomorrow
        ({"decided_on": date(9999, 12, 31)}, "decided_on"),
        ({"decided_on": date(1999, 12, 31)}, "decided_on"),
        ({"decided_on": date(2026, 3, 2), "received_on": date(2026, 3, 31)}, "received_on"),
        ({"received_on": date(9999, 12, 31)}, "received_on"),
        ({"valid_to": date(9999, 12, 31)}, "valid_to"),
        ({"valid_from": date(1900, 1, 1)}, "valid_from"),
        ({"valid_from": date(2036, 3, 3), "valid_to": None}, "valid_from"),
    ],
)
def test_bad_decision_input_names_the_field(session, values, field):
    client = create_client(session)
    with pytest.raises(InvalidInput) as excinfo:
        decisions.decide(session, client, now=NOW, **(APPROVED | values))
    assert field in excinfo.value.errors
    assert session.exec(select(Decision)).first() is None


@pytest.mark.parametrize(
    "values",
    [
        {"scope_amount": 168},
        {"scope_unit": "hours_per_month", "scope_amount": 744},
        {"scope_unit": "days_per_month", "scope_amount": 31},
        {"scope_unit": "sek_per_month", "scope_amount": 1_000_000},
        {"decided_on": date(2026, 3, 2), "received_on": date(2026, 3, 30)},  # four weeks
        {"decided_on": date(2000, 1, 1)},
        {"valid_from": date(2026, 4, 1), "valid_to": date(2036, 3, 2)},  # ten years
    ],
)
def test_decisions_at_the_edge_of_what_is_sensible_are_taken(session, values):
    client = create_client(session)
    decision = decisions.decide(session, client, now=NOW, **(APPROVED | values))
    assert decision.status == DecisionStatus.DECIDED


def test_the_decision_day_is_today_in_stockholm_not_in_utc(session):
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Stockholm
    client = create_client(session)
    decision = decisions.decide(session, client, now=late, decided_on=date(2026, 3, 3), **APPROVED)
    assert decision.decided_on == date(2026, 3, 3)


@pytest.mark.parametrize("expected_on", [date(2027, 3, 3), date(9999, 12, 31)])
def test_a_heads_up_for_a_decision_more_than_a_year_ahead_is_refused(session, expected_on):
    client = create_client(session)
    with pytest.raises(InvalidInput) as excinfo:
        decisions.announce(session, client, service="boendestod", expected_on=expected_on, now=NOW)
    assert "expected_on" in excinfo.value.errors
