"""Applications through the API: registered by the system's id, moved step by step with the
same messages as the admin page, and repeated calls that change nothing."""

from datetime import UTC, datetime

import pytest

from tests.api.conftest import errors

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March, 09:00 in Stockholm
pytestmark = pytest.mark.frozen_at(NOW)

BODY = {
    "client_source_id": "C-1",
    "service": "boendestod",
    "received_on": "2026-02-27",
    "decision_expected_on": "2026-04-15",
}


def kinds(answer: dict) -> list[tuple[str, str]]:
    return [(m["kind"], m["status"]) for m in answer["messages"] if m["recipient"] == "client"]


def test_a_new_application_is_told_and_a_repeat_changes_nothing(api, enrolled):
    first = api.put("/applications/AP-1", BODY)
    assert first.status_code == 201, first.get_json()
    answer = first.get_json()
    assert answer["step"] == "received"
    assert answer["client_source_id"] == "C-1"
    assert answer["staff_email"] == "lina.berg@ekby.example"  # the client's case worker
    assert kinds(answer) == [("application_received", "pending")]
    again = api.put("/applications/AP-1", BODY)
    assert again.status_code == 200
    assert again.get_json()["version"] == 1
    assert kinds(again.get_json()) == [("application_received", "pending")]


def test_the_service_of_an_application_cannot_change(api, enrolled):
    api.put("/applications/AP-1", BODY)
    assert errors(api.put("/applications/AP-1", BODY | {"service": "fardtjanst"})) == {"/service"}


def test_a_new_expected_decision_day_is_kept_without_a_message(api, enrolled):
    api.put("/applications/AP-1", BODY)
    answer = api.put("/applications/AP-1", BODY | {"decision_expected_on": "2026-05-04"})
    assert answer.status_code == 200
    assert answer.get_json()["decision_expected_on"] == "2026-05-04"
    assert len(answer.get_json()["messages"]) == 1


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"service": "glass"}, "/service"),
        ({"received_on": "2026-03-09"}, "/received_on"),
        ({"client_source_id": "C-9"}, "/client_source_id"),
        ({"staff_email": "nobody@ekby.example"}, "/staff_email"),
    ],
)
def test_a_wrong_application_names_the_field(api, enrolled, changes, path):
    assert path in errors(api.put("/applications/AP-1", BODY | changes))


def test_steps_move_on_and_each_is_told(api, enrolled):
    api.put("/applications/AP-1", BODY)
    comment = api.post("/applications/AP-1/step", {"step": "comment", "answer_by": "2026-03-16"})
    assert comment.status_code == 200, comment.get_json()
    answer = comment.get_json()
    assert (answer["step"], answer["answer_by"], answer["version"]) == ("comment", "2026-03-16", 2)
    assert kinds(answer) == [
        ("application_received", "cancelled"),
        ("application_comment", "pending"),
        ("application_comment_reminder", "pending"),
    ]
    repeat = api.post("/applications/AP-1/step", {"step": "comment", "answer_by": "2026-03-16"})
    assert repeat.get_json()["version"] == 2
    commented = api.post("/applications/AP-1/comment-received")
    assert commented.get_json()["comment_received_on"] == "2026-03-02"
    assert ("application_comment_reminder", "cancelled") in kinds(commented.get_json())


def test_a_step_without_what_it_needs_is_a_422_naming_the_field(api, enrolled):
    api.put("/applications/AP-1", BODY)
    assert errors(api.post("/applications/AP-1/step", {"step": "comment"})) == {"/answer_by"}
    assert errors(api.post("/applications/AP-1/step", {"step": "decided"})) == {
        "/decision_source_id"
    }
    missing = api.post("/applications/AP-1/step", {"step": "decided", "decision_source_id": "D-9"})
    assert errors(missing) == {"/decision_source_id"}


def test_a_decision_sent_through_the_api_moves_the_application_to_decided(api, enrolled):
    api.put("/applications/AP-1", BODY)
    decision = {
        "client_source_id": "C-1",
        "status": "decided",
        "service": "boendestod",
        "outcome": "approved",
    }
    assert api.put("/decisions/D-1", decision).status_code == 201
    answer = api.get("/applications/AP-1").get_json()
    assert (answer["step"], answer["decision_source_id"]) == ("decided", "D-1")
    waiting = api.post(
        "/applications/AP-1/step", {"step": "waiting", "start_expected_on": "2026-04-06"}
    )
    assert ("support_waiting", "pending") in kinds(waiting.get_json())
    delayed = api.post(
        "/applications/AP-1/delay", {"start_expected_on": "2026-05-04", "reason": "no_place"}
    )
    assert delayed.status_code == 200, delayed.get_json()
    assert delayed.get_json()["delay_reason"] == "no_place"
    again = api.post(
        "/applications/AP-1/delay", {"start_expected_on": "2026-05-04", "reason": "no_place"}
    )
    assert again.get_json()["version"] == delayed.get_json()["version"]
    assert errors(
        api.post("/applications/AP-1/delay", {"start_expected_on": "2026-04-01", "reason": "x"})
    ) == {"/start_expected_on", "/reason"}


def test_a_clients_applications_are_listed_latest_first(api, enrolled):
    api.put("/applications/AP-1", BODY)
    api.put("/applications/AP-2", BODY | {"service": "fardtjanst", "received_on": "2026-03-01"})
    listed = api.get("/clients/C-1/applications")
    assert listed.status_code == 200
    assert [a["source_id"] for a in listed.get_json()["items"]] == ["AP-2", "AP-1"]
    assert api.get("/clients/C-9/applications").status_code == 404


def test_reading_needs_no_write_scope_and_writing_does(api, reader, enrolled):
    api.put("/applications/AP-1", BODY)
    assert reader.get("/applications/AP-1").status_code == 200
    assert reader.post("/applications/AP-1/step", {"step": "closed"}).status_code == 403
    assert reader.get("/applications/AP-404").status_code == 404


def test_an_idempotency_key_replays_the_first_answer(api, enrolled):
    api.put("/applications/AP-1", BODY)
    headers = {"Idempotency-Key": "step-1"}
    first = api.post("/applications/AP-1/step", {"step": "investigating"}, headers=headers)
    second = api.post("/applications/AP-1/step", {"step": "investigating"}, headers=headers)
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.get_json() == first.get_json()


def test_the_catalog_lists_the_delay_reasons(reader):
    delays = reader.get("/catalog").get_json()["delays"]
    assert {"key": "no_place", "name": "Det finns ingen ledig plats än."} in delays


def test_support_is_told_to_start_only_under_a_decision_that_grants_it(api, enrolled):
    api.put("/applications/AP-1", BODY)
    waiting = {"step": "waiting", "start_expected_on": "2026-04-01"}
    assert errors(api.post("/applications/AP-1/step", waiting)) == {"/decision_source_id"}
    assert errors(api.post("/applications/AP-1/step", {"step": "started"})) == {
        "/decision_source_id"
    }
    refused = {
        "client_source_id": "C-1",
        "status": "decided",
        "service": "boendestod",
        "outcome": "refused",
        "reasons": ["need_met_otherwise"],
    }
    assert api.put("/decisions/D-1", refused).status_code == 201
    answer = api.post("/applications/AP-1/step", waiting)
    assert answer.status_code == 422
    assert "approved or partly approved" in answer.get_json()["errors"][0]["detail"]
    found = api.get("/applications/AP-1").get_json()
    assert found["step"] == "decided"
    assert [kind for kind, _status in kinds(found) if kind.startswith("support_")] == []


def test_started_again_on_a_later_day_changes_nothing(api, enrolled, frozen_clock):
    api.put("/applications/AP-1", BODY)
    approved = {
        "client_source_id": "C-1",
        "status": "decided",
        "service": "boendestod",
        "outcome": "approved",
    }
    api.put("/decisions/D-1", approved)
    first = api.post("/applications/AP-1/step", {"step": "started"}).get_json()
    frozen_clock.move_to(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    again = api.post("/applications/AP-1/step", {"step": "started"}).get_json()
    assert (again["started_on"], again["version"]) == ("2026-03-02", first["version"])
    assert kinds(again).count(("support_started", "pending")) == 1


def test_a_repeat_without_the_expected_decision_day_keeps_it(api, enrolled):
    api.put("/applications/AP-1", BODY)
    body = {key: value for key, value in BODY.items() if key != "decision_expected_on"}
    again = api.put("/applications/AP-1", body).get_json()
    assert again["decision_expected_on"] == "2026-04-15"


def test_an_answer_day_needs_three_days_and_an_ended_application_stays_ended(api, enrolled):
    api.put("/applications/AP-1", BODY)
    soon = api.post("/applications/AP-1/step", {"step": "comment", "answer_by": "2026-03-04"})
    assert errors(soon) == {"/answer_by"}
    assert "at least 3 days" in soon.get_json()["errors"][0]["detail"]
    api.post("/applications/AP-1/step", {"step": "withdrawn"})
    back = api.post("/applications/AP-1/step", {"step": "comment", "answer_by": "2026-03-20"})
    assert errors(back) == {"/step"}
    assert api.get("/applications/AP-1").get_json()["step"] == "withdrawn"
