"""The API against its own OpenAPI document, with schemathesis: for generated valid and
invalid requests to every operation, never a 5xx, and every answer as documented (status
code, content type and body).

schemathesis' pytest plugin (schema.parametrize) does not run on pytest 9, so the test
walks the operations itself with schemathesis' Hypothesis strategies.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import client_body

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_MODE = 12  # x2 modes x ~20 operations: about 500 requests


def run_operation(operation, mode: GenerationMode, headers: dict) -> None:
    """Generated requests to one operation, each answer checked against the document."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


def test_every_operation_answers_as_documented(app, api, write_key):
    # A client with the id the examples use, so some requests reach a real record.
    assert api.put("/clients/C-1", client_body()).status_code == 201
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {write_key}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, headers)
            except Exception as exc:  # collect all, so one run shows every operation at fault
                failures.append(f"{operation.label} ({mode.value}):\n{exc}")
    assert operations >= 19
    assert not failures, "\n\n".join(failures)


def scenario(next_year: int) -> list[tuple[str, str, dict, dict | None]]:
    """A whole working day of a case system, as (method, path, path values, body)."""
    day = f"{next_year}-03-10"
    decided = {
        "client_source_id": "C-2",
        "status": "decided",
        "service": "boendestod",
        "outcome": "partly_approved",
        "reasons": ["need_partly"],
        "scope_amount": 7.5,
        "scope_unit": "hours_per_week",
        "valid_from": day,
        "valid_to": f"{next_year}-09-30",
    }
    return [
        ("PUT", "/clients/{source_id}", {"source_id": "C-2"}, client_body(phone="+46700000002")),
        (
            "PUT",
            "/representatives/{source_id}",
            {"source_id": "R-1"},
            {
                "client_source_id": "C-2",
                "name": "Per Holm",
                "phone": "0700000009",
                "copy_appointments": True,
                "copy_decisions": True,
            },
        ),
        (
            "PUT",
            "/appointments/{source_id}",
            {"source_id": "A-1"},
            {
                "client_source_id": "C-2",
                "starts_at": f"{day}T14:00:00+01:00",
                "mode": "office",
                "location": "Storgatan 12, Ekby",
                "bring": ["hyresavi"],
            },
        ),
        (
            "PUT",
            "/appointments/{source_id}",
            {"source_id": "A-1"},
            {"client_source_id": "C-2", "starts_at": f"{day}T15:00:00+01:00"},
        ),
        (
            "PUT",
            "/checklists/{source_id}",
            {"source_id": "L-1"},
            {"client_source_id": "C-2", "application_type": "lss_application", "due_date": day},
        ),
        (
            "POST",
            "/checklists/{source_id}/received",
            {"source_id": "L-1"},
            {"documents": ["lakarintyg"]},
        ),
        (
            "PUT",
            "/decisions/{source_id}",
            {"source_id": "D-1"},
            {
                "client_source_id": "C-2",
                "status": "announced",
                "service": "boendestod",
                "expected_on": day,
            },
        ),
        ("PUT", "/decisions/{source_id}", {"source_id": "D-1"}, decided),
        (
            "PUT",
            "/handovers/{source_id}",
            {"source_id": "H-1"},
            {
                "client_source_id": "C-2",
                "to_staff_email": "omar.haddad@ekby.example",
                "kind": "absence",
                "starts_on": day,
                "ends_on": f"{next_year}-03-20",
            },
        ),
        ("POST", "/clients/{source_id}/opt-out", {"source_id": "C-2"}, None),
        ("POST", "/clients/{source_id}/opt-in", {"source_id": "C-2"}, None),
        ("GET", "/clients/{source_id}", {"source_id": "C-2"}, None),
        ("GET", "/representatives/{source_id}", {"source_id": "R-1"}, None),
        ("GET", "/appointments/{source_id}", {"source_id": "A-1"}, None),
        ("GET", "/checklists/{source_id}", {"source_id": "L-1"}, None),
        ("GET", "/decisions/{source_id}", {"source_id": "D-1"}, None),
        ("GET", "/handovers/{source_id}", {"source_id": "H-1"}, None),
        ("POST", "/handovers/{source_id}/cancel", {"source_id": "H-1"}, None),
        ("POST", "/decisions/{source_id}/withdraw", {"source_id": "D-1"}, None),
        ("POST", "/checklists/{source_id}/cancel", {"source_id": "L-1"}, None),
        ("POST", "/appointments/{source_id}/cancel", {"source_id": "A-1"}, None),
        ("POST", "/representatives/{source_id}/remove", {"source_id": "R-1"}, None),
        ("GET", "/catalog", {}, None),
        (
            "PUT",
            "/appointments/{source_id}",
            {"source_id": "A-2"},
            {"client_source_id": "C-2", "starts_at": "2020-01-01T10:00:00+01:00"},
        ),
        ("GET", "/checklists/{source_id}", {"source_id": "L-404"}, None),
    ]


def test_a_working_day_of_answers_is_as_documented(app, api, write_key, colleague):
    from datetime import datetime, timedelta

    import time_machine

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {write_key}"}
    statuses = []
    for method, path, values, body in scenario(datetime.now().year + 1):
        operation = schema[path][method]
        extra = {"body": body} if body is not None else {}
        case = operation.Case(path_parameters=values, **extra)
        statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)
    assert statuses.count(422) == 1 and statuses.count(404) == 1, statuses
    assert all(status < 300 for status in statuses[:-2]), statuses
    with time_machine.travel(datetime.now() + timedelta(minutes=1)):  # past the settling
        for path in ("/outbox", "/inbound", "/callbacks"):
            case = schema[path]["GET"].Case(query={"limit": 200})
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code == 200
        assert len(response.json()["items"]) == 0
        outbox = schema["/outbox"]["GET"].Case().call_and_validate(headers=headers)
        assert len(outbox.json()["items"]) > 10
    unauthorised = schema["/outbox"]["GET"].Case()
    assert unauthorised.call_and_validate(checks=CHECKS).status_code == 401


def test_the_document_is_valid_openapi_3_1_and_covers_every_route(app, client):
    import jsonschema_rs
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    document = client.get("/api/v1/openapi.json").get_json()
    jsonschema_rs.Draft202012Validator(OPENAPI_31).validate(document)
    assert document["servers"] == [{"url": "https://tydligt.ekby.example/api/v1"}]
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    routes = {
        (method, rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "401" in operation["responses"] or path == "/openapi.json", (method, path)
            for status, answer in operation["responses"].items():
                media = "application/json" if status < "400" else "application/problem+json"
                assert list(answer["content"]) == [media], (method, path, status)
