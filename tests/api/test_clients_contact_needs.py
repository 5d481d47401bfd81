"""Clients through the API: how the client wants to be reached (interpreter_language, a code
from the list, and communication_aid), with field errors and OpenAPI descriptions."""

from app.models import Client
from tests.api.conftest import client_body, errors


def test_the_needs_are_created_shown_and_changed(session, api):
    body = client_body(interpreter_language="prs", communication_aid="bildstöd")
    response = api.put("/clients/C-1", body)
    assert response.status_code == 201
    shown = response.get_json()
    assert (shown["interpreter_language"], shown["communication_aid"]) == ("prs", "bildstöd")
    stored = session.get_one(Client, shown["id"])
    assert (stored.interpreter_language, stored.communication_aid) == ("prs", "bildstöd")
    changed = api.put("/clients/C-1", {"first_name": "Sara", "phone": "070-000 00 01",
                                       "interpreter_language": ""})  # fmt: skip
    assert changed.status_code == 200
    assert changed.get_json()["interpreter_language"] == ""
    assert changed.get_json()["communication_aid"] == "bildstöd"  # not sent: unchanged


def test_without_needs_the_fields_are_empty(api):
    shown = api.put("/clients/C-1", client_body()).get_json()
    assert (shown["interpreter_language"], shown["communication_aid"]) == ("", "")


def test_a_language_not_on_the_list_and_a_long_aid_are_refused_by_field(api):
    unknown = api.put("/clients/C-1", client_body(interpreter_language="xx"))
    assert errors(unknown) == {"/interpreter_language"}
    assert errors(api.put("/clients/C-1", client_body(communication_aid="a" * 81))) == {
        "/communication_aid"
    }


def test_the_openapi_document_describes_the_needs(api):
    properties = api.get("/openapi.json").get_json()["components"]["schemas"]["ClientIn"][
        "properties"
    ]
    assert "swl" in properties["interpreter_language"]["description"]
    assert "interpreter" in properties["interpreter_language"]["description"]
    assert "bildstöd" in properties["communication_aid"]["description"]
