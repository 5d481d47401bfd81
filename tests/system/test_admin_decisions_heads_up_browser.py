"""The heads-up prompt in a real headless Chromium, on a desktop and on a phone: a refusal
without a heads-up asks for one first; "Send the heads-up first" shows the heads-up's own
preview (what is being looked at, a meeting offered) and only its Send sends it, leaving
the decision a draft. axe-core finds nothing on any page on the way, and nothing is wider
than the screen.

Runs once (with the SQLite suite): the pages do not depend on the database engine.
"""

import pytest

from app.models import Client, Decision, OutboxMessage
from tests.conftest import BACKEND
from tests.system.test_admin_decisions_browser import check, rows, signed_in, site

__all__ = ["signed_in", "site"]  # the fixtures of the two-step test, used here too

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="pages are checked once, with the SQLite run"),
]
WIDTHS = [(1280, "Amal"), (320, "Leyla")]


@pytest.mark.parametrize(
    ("signed_in", "first_name"), WIDTHS, indirect=["signed_in"], ids=["1280", "320"]
)
def test_a_refusal_asks_for_a_heads_up_first_and_sends_it_from_its_preview(
    site, signed_in, first_name
):
    page, width = signed_in
    client = rows(site, Client, Client.first_name == first_name)[0]
    page.goto(f"/admin/clients/{client.id}/decisions/new")
    form = page.get_by_role("region", name="The decision")
    form.get_by_label("Service").select_option("boendestod")
    form.get_by_label("Refused", exact=True).check()
    form.get_by_role("group", name="Reasons").get_by_role("checkbox").first.check()
    form.get_by_role("button", name="Preview", exact=True).click()
    page.wait_for_url("**/admin/decisions/*")
    check(page, width)

    prompt = page.get_by_role("region", name="Send a heads-up first?")
    assert f"{first_name} has had no heads-up about this decision." in prompt.inner_text()
    assert page.get_by_label("Why send without a heads-up?").is_visible()
    prompt.get_by_role("button", name="Send the heads-up first").click()
    check(page, width)
    preview = page.get_by_role("region", name="Preview: what each recipient gets")
    assert "Vi går igenom din ansökan om boendestöd." in preview.inner_text()
    assert rows(site, OutboxMessage, OutboxMessage.client_id == client.id) == []

    preview.get_by_role("button", name="Send the heads-up", exact=True).click()
    page.wait_for_url("**/admin/decisions/*")
    check(page, width)
    sent = rows(site, OutboxMessage, OutboxMessage.client_id == client.id)
    assert {m.kind for m in sent} == {"decision_heads_up"}
    (draft,) = rows(site, Decision, Decision.client_id == client.id)
    assert draft.status == "draft"
