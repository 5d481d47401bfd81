"""A form sent back with errors (app/admin/forms.py with the field macros of
templates/admin/components.html): the title says so, the summary names each field and
links to it, and the fields with errors say so to assistive technology, groups of radio
buttons and checkboxes included."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from tests.admin.conftest import post, sign_in

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


class Inputs(HTMLParser):
    """The attributes of every input, by its name (several for a group)."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, list[dict]] = {}
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.inputs.setdefault(attributes.get("name", ""), []).append(attributes)


def inputs(html: str) -> Inputs:
    parser = Inputs()
    parser.feed(html)
    return parser


def summary_lines(html: str) -> list[tuple[str, str]]:
    """(link target, text) of each line of the error summary."""
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_the_summary_names_each_field_and_links_to_it(as_caseworker):
    html = post(as_caseworker, "/admin/clients/new", {}).get_data(as_text=True)
    lines = summary_lines(html)
    # Fields further down the page than the summary are named too.
    assert ("field-first_name", "First name: Fill this in.") in lines
    assert any(t == "field-phone" and text.startswith("Mobile number: ") for t, text in lines)
    page = inputs(html)
    for target, _text in lines:
        assert target in page.ids, target  # every link lands on a field


def test_the_title_starts_with_error_in_the_staff_language(client, caseworker):
    sign_in(client, caseworker, language="sv")
    html = post(client, "/admin/clients/new", {}).get_data(as_text=True)
    assert title(html).startswith("Fel: Registrera")
    assert ("field-first_name", "Förnamn: Fyll i det här.") in summary_lines(html)
    again = client.get("/admin/clients/new").get_data(as_text=True)
    assert not title(again).startswith("Fel")  # a form without errors has a plain title
    assert 'id="error-summary"' not in again


def test_every_choice_of_a_group_with_an_error_is_invalid_and_described(as_caseworker):
    html = post(as_caseworker, "/admin/send", {"action": "preview"}).get_data(as_text=True)
    page = inputs(html)
    choices = page.inputs["group"]
    assert len(choices) > 1
    for choice in choices:
        assert choice.get("aria-invalid") == "true"
        assert "error-group" in choice["aria-describedby"].split()
    assert 'id="error-group"' in html
    # The summary's link goes to the group's first choice, which the keyboard can use.
    assert ("field-group", "To whom: Choose who gets it.") in summary_lines(html)
    assert choices[0]["id"] == "field-group"
    # Before sending, nothing is invalid.
    fresh = inputs(as_caseworker.get("/admin/send").get_data(as_text=True))
    assert not any("aria-invalid" in i for group in fresh.inputs.values() for i in group)


def test_a_single_field_with_an_error_is_invalid_and_described(as_caseworker):
    html = post(as_caseworker, "/admin/clients/new", {}).get_data(as_text=True)
    (first_name,) = inputs(html).inputs["first_name"]
    assert first_name["aria-invalid"] == "true"
    assert first_name["aria-describedby"] == "error-first_name"
