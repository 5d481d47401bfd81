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


def read(app, name: str, value: str):
    """What a Form makes of one typed value, and the error it records (None when none),
    in the staff language of a page with nobody signed in: Swedish."""
    from app.admin.forms import Form

    with app.test_request_context("/admin/"):
        form = Form({name: value})
        typed = {"amount": form.number, "day": form.day}.get(name)
        result = typed(name) if typed else form.integer(name, minimum=1, maximum=600)
        return result, form.errors.get(name)


@pytest.mark.parametrize("typed", ["inf", "-inf", "Infinity", "nan", "NaN", "1e400", "-5"])
def test_a_number_that_is_not_a_real_amount_is_refused(app, typed):
    assert read(app, "amount", typed) == (None, "Ange ett tal, till exempel 12 eller 7,5.")


@pytest.mark.parametrize(("typed", "value"), [("7,5", 7.5), ("1e3", 1000.0), ("٣", 3.0)])
def test_a_number_is_read_with_a_comma_and_any_digits(app, typed, value):
    assert read(app, "amount", typed) == (value, None)


@pytest.mark.parametrize("typed", ["²", "9" * 5000, "-1", "601"])
def test_a_whole_number_out_of_range_or_not_plain_digits_is_refused(app, typed):
    assert read(app, "minutes", typed) == (None, "Ange ett heltal från 1 till 600.")


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_the_years_a_case_can_have_is_refused(app, typed):
    said = "Ange ett datum mellan år 2000 och 2100."
    assert read(app, "day", typed) == (None, said)


def test_ids_and_page_numbers_from_a_query_stay_within_what_a_database_holds():
    from app.admin.forms import MAX_PAGE, page_number, row_id

    assert [row_id(v) for v in ("12", "007", str(2**31 - 1))] == [12, 7, 2**31 - 1]
    assert {row_id(v) for v in (None, "", "0", "-3", "²", "1e3", str(2**31), "9" * 5000)} == {None}
    assert [page_number(v) for v in (None, "", "-5", "två", "3", "0")] == [1, 1, 1, 1, 3, 1]
    assert page_number("9" * 5000) == page_number(str(10**30)) == MAX_PAGE
