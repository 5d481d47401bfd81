"""The decision preview says what the summary costs as SMS in every language (encoding,
segments, texts), and that a summary too long for one text goes as several, whole."""

import html
import re
from datetime import UTC, datetime

import pytest

from app.casework.catalog import entries
from app.config import PROJECT_ROOT
from app.words.languages import language_codes
from tests.admin.conftest import post
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
REASONS = list(entries(PROJECT_ROOT / "messages" / "catalog", "reasons"))

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture(autouse=True)
def client_page(app):
    """The client page is another area's; a stand-in where it is not there yet."""
    if "admin.client" not in app.view_functions:
        app.add_url_rule(
            "/admin/clients/<int:client_id>", "admin.client", lambda client_id: "client page"
        )


def preview(web, client, **changes) -> str:
    form = {
        "form": "decision",
        "action": "preview",
        "service": "boendestod",
        "outcome": "refused",
        "reasons": ["need_met_otherwise"],
        "decided_on": "2026-03-02",
        "received_on": "",
    } | changes
    response = post(web, f"/admin/clients/{client.id}/decisions/new", form)
    assert response.status_code == 302  # saved as a draft, previewed on its page
    page = web.get(response.headers["Location"])
    assert page.status_code == 200
    return html.unescape(page.get_data(as_text=True))


def cost_rows(text: str) -> list[list[str]]:
    table = text.split("What the text message costs in each language", 1)[1]
    table = table.split("</table>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ][1:]


def test_the_preview_gives_the_cost_in_every_language(as_caseworker, session, caseworker):
    amal = create_client(session, caseworker, first_name="Amal", language="ar")
    rows = cost_rows(preview(as_caseworker, amal))
    assert len(rows) == len(language_codes())
    by_language = {row[0].split(" – ")[0]: row[1:] for row in rows}
    assert by_language["Arabic"][0] == "UCS-2" and by_language["Swedish"][0] == "GSM-7"
    assert int(by_language["Arabic"][1]) > int(by_language["Swedish"][1])
    assert all(texts == "1" for _, _, texts in by_language.values())
    assert any(row[0] == "Arabic – the client's language" for row in rows)


def test_a_summary_too_long_for_one_text_is_sent_as_several_and_the_preview_says_so(
    as_caseworker, session, caseworker
):
    amal = create_client(session, caseworker, first_name="Amal", language="ar")
    text = preview(as_caseworker, amal, reasons=REASONS)
    assert "it is sent as 2 text messages, one after the other, with nothing left out" in text
    assert "in 2 text messages, at most" in text
    by_language = {row[0].split(" – ")[0]: row[1:] for row in cost_rows(text)}
    assert by_language["Arabic"][2] == "2"
    assert "The text message is longer than its budget" not in text
