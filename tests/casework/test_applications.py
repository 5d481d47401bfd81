"""Applications: each step told when it happens, versions, and what going back cancels."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.casework import applications, decisions
from app.errors import InvalidInput
from app.models import (
    Application,
    ApplicationStep,
    OutboxMessage,
    OutboxStatus,
    Representative,
)
from app.outbox.sweep import send_due
from tests.factories import create_client, receive_text

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March, 09:00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)


def planned(session, kind: str | None = None) -> list[OutboxMessage]:
    session.commit()
    query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.id)
    rows = list(session.exec(query))
    return [m for m in rows if kind is None or m.kind == kind]


def bodies(outbox_file, kind: str) -> list[str]:
    if not outbox_file.exists():
        return []
    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    return [line["body"] for line in lines if line["kind"] == kind]


def received(session, client, **values) -> Application:
    defaults = dict(
        service="boendestod",
        received_on=date(2026, 2, 27),
        decision_expected_on=date(2026, 4, 15),
        now=NOW,
    )
    application = applications.receive(session, client, **(defaults | values))
    session.commit()
    return application


def test_a_received_application_tells_what_happens_next_and_roughly_when(session, outbox_file):
    client = create_client(session)
    application = received(session, client)
    (message,) = planned(session, "application_received")
    assert message.dedupe_key == f"application:{application.id}:v1:received"
    assert message.subject_version == application.version == 1
    send_due(NOW)
    (body,) = bodies(outbox_file, "application_received")
    assert "Vi har fått din ansökan om boendestöd. Vi fick den fredag 27 februari." in body
    assert "Nu tar vi reda på vad du behöver." in body
    assert "Du får ett beslut runt onsdag 15 april." in body


def test_each_step_forward_raises_the_version_and_tells_the_client(session, outbox_file):
    client = create_client(session)
    application = received(session, client)
    send_due(NOW)
    assert applications.move(session, client, application, "investigating", now=NOW)
    session.commit()
    assert application.version == 2
    (message,) = planned(session, "application_investigating")
    assert message.dedupe_key == f"application:{application.id}:v2:investigating"
    send_due(NOW)
    (body,) = bodies(outbox_file, "application_investigating")
    assert "Nu utreder vi din ansökan om boendestöd." in body


def test_a_new_step_cancels_what_the_old_one_planned_and_not_yet_sent(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "investigating", now=NOW)
    session.commit()
    (old,) = planned(session, "application_received")
    assert old.status == OutboxStatus.CANCELLED


def test_the_comment_step_gives_the_day_the_ways_to_answer_and_that_it_is_optional(
    session, outbox_file
):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    session.commit()
    send_due(NOW)
    (body,) = bodies(outbox_file, "application_comment")
    assert "Svara senast måndag 16 mars." in body
    assert "Du har rätt att säga vad du tycker innan vi beslutar. Du måste inte." in body
    assert "Du kan skriva ett sms till det här numret." in body
    assert "Ring Lina Berg" in body
    assert "be om ett möte" in body


def test_a_reminder_goes_three_days_before_the_answer_day_when_no_comment_came(
    session, outbox_file, frozen_clock
):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    (reminder,) = planned(session, "application_comment_reminder")
    assert reminder.due_at == datetime(2026, 3, 13, 8, 0, tzinfo=UTC)  # Friday 09:00 local
    frozen_clock.move_to(reminder.due_at)
    send_due(reminder.due_at)
    (body,) = bodies(outbox_file, "application_comment_reminder")
    assert "Svara senast måndag 16 mars." in body
    assert "Du måste inte svara." in body


def test_a_comment_received_stops_the_reminder(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    applications.comment_received(session, application, now=NOW + timedelta(days=2))
    (reminder,) = planned(session, "application_comment_reminder")
    assert reminder.status == OutboxStatus.CANCELLED
    assert application.comment_received_on == date(2026, 3, 4)


def test_no_reminder_when_the_answer_day_is_too_close(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 5), now=NOW)
    assert planned(session, "application_comment_reminder") == []


def test_going_back_a_step_sends_nothing_and_cancels_what_the_later_step_planned(
    session, outbox_file
):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "investigating", now=NOW)
    session.commit()
    send_due(NOW)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 20), now=NOW)
    session.commit()
    # A mistake: the investigation was not ready. Back before anything went out.
    applications.move(session, client, application, "investigating", now=NOW)
    session.commit()
    assert application.step == ApplicationStep.INVESTIGATING
    assert application.version == 4
    statuses = {m.kind: m.status for m in planned(session) if m.kind.startswith("application_c")}
    assert statuses == {
        "application_comment": OutboxStatus.CANCELLED,
        "application_comment_reminder": OutboxStatus.CANCELLED,
    }
    send_due(NOW)
    assert len(bodies(outbox_file, "application_investigating")) == 1  # not told again
    assert bodies(outbox_file, "application_comment") == []


def test_the_same_step_with_the_same_facts_changes_nothing(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    version = application.version
    changed = applications.move(
        session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW
    )
    assert not changed
    assert application.version == version
    assert len(planned(session, "application_comment")) == 1


def test_a_new_answer_day_is_told_again_and_the_old_reminder_dies(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 23), now=NOW)
    comments = planned(session, "application_comment")
    assert [m.subject_version for m in comments] == [2, 3]
    reminders = planned(session, "application_comment_reminder")
    assert [(m.subject_version, m.status) for m in reminders] == [
        (2, OutboxStatus.CANCELLED),
        (3, OutboxStatus.PENDING),
    ]


def test_deciding_the_decision_moves_the_step_and_its_summary_is_the_only_message(
    session, outbox_file
):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "investigating", now=NOW)
    session.commit()
    send_due(NOW)
    decision = decisions.decide(
        session,
        client,
        now=NOW,
        service="boendestod",
        outcome="approved",
        valid_from=date(2026, 4, 1),
    )
    session.commit()
    session.refresh(application)
    assert application.step == ApplicationStep.DECIDED
    assert application.decision_id == decision.id
    kinds = [m.kind for m in planned(session) if m.status == OutboxStatus.PENDING]
    assert kinds == ["decision_approved"]


def test_a_decision_on_another_service_leaves_the_application_where_it_is(session):
    client = create_client(session)
    application = received(session, client)
    decisions.decide(session, client, now=NOW, service="fardtjanst", outcome="approved")
    session.commit()
    session.refresh(application)
    assert application.step == ApplicationStep.RECEIVED


def test_the_decided_step_needs_a_decision_made_about_the_same_client(session, team):
    _unit, lina, _omar = team
    client = create_client(session, lina)
    other = create_client(session, lina, first_name="Omid", phone="+46700000002")
    application = received(session, client)
    with pytest.raises(InvalidInput) as missing:
        applications.move(session, client, application, "decided", now=NOW)
    assert "decision_id" in missing.value.errors
    theirs = decisions.decide(session, other, now=NOW, service="fardtjanst", outcome="approved")
    with pytest.raises(InvalidInput) as wrong:
        applications.move(session, client, application, "decided", decision=theirs, now=NOW)
    assert wrong.value.errors["decision_id"] == "The decision is about another client."


def test_granted_support_waits_is_delayed_with_a_reason_and_starts(session, outbox_file):
    client = create_client(session)
    application = received(session, client)
    decisions.decide(session, client, now=NOW, service="boendestod", outcome="approved")
    applications.move(
        session, client, application, "waiting", start_expected_on=date(2026, 4, 6), now=NOW
    )
    session.commit()
    send_due(NOW)
    (waiting,) = bodies(outbox_file, "support_waiting")
    assert "Ditt stöd börjar runt måndag 6 april. Det gäller boendestöd." in waiting
    applications.delay(
        session, client, application, start_expected_on=date(2026, 5, 4), reason="no_staff",
        now=NOW,
    )  # fmt: skip
    session.commit()
    send_due(NOW)
    (delayed,) = bodies(outbox_file, "support_delayed")
    assert "Nu tror vi att det börjar runt måndag 4 maj." in delayed
    assert "Vi har inte hittat någon som kan hjälpa dig än." in delayed
    applications.move(session, client, application, "started", now=NOW)
    session.commit()
    send_due(NOW)
    (started,) = bodies(outbox_file, "support_started")
    assert "Nu har ditt stöd börjat. Det gäller boendestöd." in started
    assert application.started_on == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [
        (date(2026, 4, 1), "no_staff", "start_expected_on"),  # earlier: not a delay
        (date(2026, 5, 4), "bad_luck", "delay_reason"),
    ],
)
def test_a_delay_needs_a_later_day_and_a_reason_from_the_catalog(session, day, reason, field):
    client = create_client(session)
    application = received(session, client)
    decisions.decide(session, client, now=NOW, service="boendestod", outcome="approved")
    applications.move(
        session, client, application, "waiting", start_expected_on=date(2026, 4, 6), now=NOW
    )
    with pytest.raises(InvalidInput) as raised:
        applications.delay(
            session, client, application, start_expected_on=day, reason=reason, now=NOW
        )
    assert list(raised.value.errors) == [field]


def test_only_waiting_support_can_be_delayed(session):
    client = create_client(session)
    application = received(session, client)
    with pytest.raises(InvalidInput) as raised:
        applications.delay(
            session, client, application, start_expected_on=date(2026, 5, 4), reason="no_staff",
            now=NOW,
        )  # fmt: skip
    assert "step" in raised.value.errors


def test_withdrawing_cancels_everything_pending_and_tells_nothing(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    applications.move(session, client, application, "withdrawn", now=NOW)
    pending = [m for m in planned(session) if m.status == OutboxStatus.PENDING]
    assert pending == []


def test_a_message_of_an_old_step_is_not_sent_even_if_left_pending(session, outbox_file):
    client = create_client(session)
    application = received(session, client)
    session.commit()
    # Another process moved the step without cancelling (still_wanted is the last word).
    application.step = ApplicationStep.INVESTIGATING
    session.add(application)
    session.commit()
    send_due(NOW)
    assert bodies(outbox_file, "application_received") == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"service": "glass"}, "service"),
        ({"received_on": date(2026, 3, 3)}, "received_on"),
        ({"decision_expected_on": date(2026, 2, 1)}, "decision_expected_on"),
    ],
)
def test_a_new_application_is_checked_before_anything_is_saved(session, values, field):
    client = create_client(session)
    with pytest.raises(InvalidInput) as raised:
        received(session, client, **values)
    assert field in raised.value.errors
    assert planned(session) == []


@pytest.mark.parametrize(
    ("step", "values", "field"),
    [
        ("comment", {}, "answer_by"),
        ("comment", {"answer_by": date(2026, 3, 1)}, "answer_by"),
        ("comment", {"answer_by": date(2026, 3, 2)}, "answer_by"),  # no time to answer
        ("comment", {"answer_by": date(2026, 3, 4)}, "answer_by"),
        ("comment", {"answer_by": date(2026, 12, 1)}, "answer_by"),
        ("waiting", {"start_expected_on": date(2026, 4, 6)}, "decision_id"),  # none granted
        ("started", {}, "decision_id"),
        ("asleep", {}, "step"),
    ],
)
def test_each_step_asks_for_what_it_needs(session, step, values, field):
    client = create_client(session)
    application = received(session, client)
    with pytest.raises(InvalidInput) as raised:
        applications.move(session, client, application, step, now=NOW, **values)
    assert field in raised.value.errors
    assert application.version == 1


def test_a_representative_with_decision_copies_gets_each_step(session):
    client = create_client(session)
    session.add(
        Representative(
            client_id=client.id, name="Anders Holm", role="god_man", phone="+46700000099",
            language="sv", copy_decisions=True,
        )
    )  # fmt: skip
    session.commit()
    received(session, client)
    messages = planned(session, "application_received")
    assert sorted(m.representative_id is not None for m in messages) == [False, True]


def test_the_step_line_marks_the_current_step_and_shows_the_comment_only_when_there_was_one(
    session,
):
    client = create_client(session)
    application = received(session, client)
    (line,) = applications.step_lines(session, client, NOW)
    assert [(s["key"], s["state"]) for s in line["steps"]] == [
        ("received", "current"),
        ("investigating", "next"),
        ("decided", "next"),
        ("waiting", "next"),
    ]
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    (line,) = applications.step_lines(session, client, NOW)
    assert [(s["key"], s["state"], s["day"]) for s in line["steps"]] == [
        ("received", "done", date(2026, 2, 27)),
        ("investigating", "done", None),
        ("comment", "current", date(2026, 3, 16)),
        ("decided", "next", date(2026, 4, 15)),
        ("waiting", "next", None),
    ]


def test_a_refusal_ends_the_step_line_at_the_decision(session):
    client = create_client(session)
    received(session, client)
    decisions.decide(
        session, client, now=NOW, service="boendestod", outcome="refused", reasons="need_assessed"
    )
    (line,) = applications.step_lines(session, client, NOW)
    assert [(s["key"], s["state"]) for s in line["steps"]][-1] == ("decided", "current")
    assert line["outcome"] == "refused"
    assert applications.step_lines(session, client, NOW + timedelta(weeks=9)) == []


def test_ended_and_started_applications_leave_the_overview(session):
    client = create_client(session)
    first = received(session, client)
    second = received(session, client, service="fardtjanst")
    decisions.decide(session, client, now=NOW, service="fardtjanst", outcome="approved")
    applications.move(session, client, first, "withdrawn", now=NOW)
    applications.move(session, client, second, "started", now=NOW)
    assert applications.step_lines(session, client, NOW) == []


def test_an_answer_day_three_days_ahead_is_the_nearest_even_on_a_weekend(session):
    client = create_client(session)
    application = received(session, client)
    with pytest.raises(InvalidInput) as raised:
        applications.move(
            session, client, application, "comment", answer_by=date(2026, 3, 4), now=NOW
        )
    assert raised.value.errors["answer_by"] == (
        "Give a day from 2026-03-05 to 2026-05-31: the client needs at least 3 days to answer."
    )
    assert applications.move(
        session, client, application, "comment", answer_by=date(2026, 3, 7), now=NOW
    )  # a Saturday: accepted as it is
    assert application.answer_by == date(2026, 3, 7)


def test_the_start_of_support_waits_for_a_decision_that_grants_it(session):
    client = create_client(session)
    application = received(session, client)
    for step in ("waiting", "started"):
        with pytest.raises(InvalidInput) as raised:
            applications.move(
                session, client, application, step, start_expected_on=date(2026, 4, 6), now=NOW
            )
        assert "decision" in raised.value.errors["decision_id"]
    decisions.decide(
        session, client, now=NOW, service="boendestod", outcome="refused", reasons="need_assessed"
    )
    assert application.step == ApplicationStep.DECIDED
    for step in ("waiting", "started"):
        with pytest.raises(InvalidInput):
            applications.move(
                session, client, application, step, start_expected_on=date(2026, 4, 6), now=NOW
            )
    with pytest.raises(InvalidInput) as delayed:
        application.step = ApplicationStep.WAITING  # as if moved there before the rule
        applications.delay(
            session, client, application, start_expected_on=date(2026, 5, 4), reason="no_staff",
            now=NOW,
        )  # fmt: skip
    assert "decision_id" in delayed.value.errors
    assert [m for m in planned(session) if m.kind.startswith("support_")] == []


def test_a_partly_approved_decision_lets_support_start(session):
    client = create_client(session)
    application = received(session, client)
    decisions.decide(
        session, client, now=NOW, service="boendestod", outcome="partly_approved",
        reasons="need_assessed",
    )  # fmt: skip
    assert applications.move(
        session, client, application, "waiting", start_expected_on=date(2026, 4, 6), now=NOW
    )
    assert [m.kind for m in planned(session, "support_waiting")] == ["support_waiting"]


def test_the_same_step_again_on_a_later_day_keeps_its_day_and_tells_nothing_new(session):
    client = create_client(session)
    application = received(session, client)
    decisions.decide(session, client, now=NOW, service="boendestod", outcome="approved")
    applications.move(session, client, application, "started", now=NOW)
    version = application.version
    later = NOW + timedelta(days=2)
    assert not applications.move(session, client, application, "started", now=later)
    assert (application.started_on, application.version) == (date(2026, 3, 2), version)
    assert len(planned(session, "support_started")) == 1
    # A day the client was told stands too, even when it is now too close to give anew.
    other = received(session, client, service="fardtjanst")
    applications.move(session, client, other, "comment", answer_by=date(2026, 3, 5), now=NOW)
    assert not applications.move(session, client, other, "comment", now=later)
    assert not applications.move(
        session, client, other, "comment", answer_by=date(2026, 3, 5), now=later
    )
    assert len(planned(session, "application_comment")) == 1


def test_the_reminder_to_comment_is_not_sent_after_the_client_wrote_in_own_words(
    session, outbox_file, frozen_clock
):
    client = create_client(session)
    application = received(session, client)
    receive_text(session, client, "Hej", received_at=NOW - timedelta(hours=1))  # before
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    session.commit()
    later = NOW + timedelta(days=1)
    receive_text(session, client, "JA", intent="yes", received_at=later)  # not own words
    (reminder,) = planned(session, "application_comment_reminder")
    assert applications.still_wanted(session, reminder, application, later)
    receive_text(session, client, "Jag tycker inte som ni.", received_at=later)
    assert not applications.still_wanted(session, reminder, application, later)
    frozen_clock.move_to(reminder.due_at)
    send_due(reminder.due_at)
    assert bodies(outbox_file, "application_comment_reminder") == []


def test_a_text_from_a_representative_also_stops_the_reminder(session):
    client = create_client(session)
    holm = Representative(
        client_id=client.id, name="Anders Holm", role="god_man", phone="+46700000099",
        language="sv",
    )  # fmt: skip
    session.add(holm)
    application = received(session, client)
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    session.commit()
    receive_text(
        session, client, "Vi svarar på mötet.", from_phone=holm.phone, representative_id=holm.id,
        received_at=NOW + timedelta(hours=2),
    )  # fmt: skip
    (reminder,) = planned(session, "application_comment_reminder")
    assert not applications.still_wanted(session, reminder, application, NOW + timedelta(days=1))


@pytest.mark.parametrize(
    ("answer_by", "back_to"),
    [(None, ApplicationStep.INVESTIGATING), (date(2026, 3, 16), ApplicationStep.COMMENT)],
)
def test_withdrawing_the_decision_takes_its_application_back_before_it_silently(
    session, answer_by, back_to
):
    client = create_client(session)
    application = received(session, client)
    if answer_by:
        applications.move(session, client, application, "comment", answer_by=answer_by, now=NOW)
    decision = decisions.decide(session, client, now=NOW, service="boendestod", outcome="approved")
    applications.move(
        session, client, application, "waiting", start_expected_on=date(2026, 4, 6), now=NOW
    )
    session.commit()
    before = {m.id for m in planned(session)}
    decisions.withdraw(session, decision, now=NOW)
    session.commit()
    session.refresh(application)
    assert (application.step, application.decision_id) == (back_to, None)
    assert application.start_expected_on is None
    new = [m for m in planned(session) if m.id not in before]
    assert new == []  # nothing new told about the application
    assert [m.status for m in planned(session, "support_waiting")] == [OutboxStatus.CANCELLED]
    (line,) = applications.step_lines(session, client, NOW)
    states = {s["key"]: s["state"] for s in line["steps"]}
    assert states["decided"] == "next"
    assert states[back_to.value] == "current"
    with pytest.raises(InvalidInput):
        applications.move(
            session, client, application, "waiting", start_expected_on=date(2026, 4, 6), now=NOW
        )


def test_an_ended_application_does_not_move_back_to_a_working_step(session):
    client = create_client(session)
    application = received(session, client)
    applications.move(session, client, application, "withdrawn", now=NOW)
    with pytest.raises(InvalidInput) as raised:
        applications.move(
            session, client, application, "comment", answer_by=date(2026, 3, 20), now=NOW
        )
    assert "register a new application" in raised.value.errors["step"]
    assert application.step == ApplicationStep.WITHDRAWN
    assert applications.move(session, client, application, "closed", now=NOW)
    assert [m for m in planned(session) if m.status == OutboxStatus.PENDING] == []


def test_a_comment_is_recorded_only_at_the_comment_step_and_only_once(session):
    client = create_client(session)
    application = received(session, client)
    assert not applications.comment_received(session, application, now=NOW)
    assert application.comment_received_on is None
    applications.move(session, client, application, "comment", answer_by=date(2026, 3, 16), now=NOW)
    assert applications.comment_received(session, application, now=NOW)
    later = NOW + timedelta(days=3)
    assert not applications.comment_received(session, application, now=later)
    assert application.comment_received_on == date(2026, 3, 2)
