"""A Send whose fingerprint is not the preview's (here one a browser could never have had,
with a letter outside ASCII) is a changed preview: shown again with a notice, never a 500."""

from datetime import UTC, datetime

import pytest

from app.admin.decision_preview import same_fingerprint
from tests.admin.conftest import post, sign_in
from tests.admin.test_decisions_heads_up import drafted, form_action, form_fields
from tests.factories import create_client

NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)


def test_a_fingerprint_outside_ascii_is_not_the_same():
    assert not same_fingerprint({"fingerprint": "abc"}, "ä")
    assert not same_fingerprint({"fingerprint": "abc"}, "")
    assert same_fingerprint({"fingerprint": "abc"}, "abc")


@pytest.mark.parametrize("route", ["send", "heads-up"])
def test_a_send_with_a_fingerprint_outside_ascii_shows_the_preview_again(
    client, session, caseworker, route
):
    maja = create_client(session, caseworker)
    sign_in(client, caseworker, language="sv")
    draft, page = drafted(client, maja)
    if route == "send":
        url = form_action(page, "send-form")
        data = form_fields(page, "send-form") | {"fingerprint": "ä", "skip_reason": "x"}
    else:
        url = f"/admin/decisions/{draft.id}/heads-up"
        data = {"action": "send", "heads_up_on": "2026-03-20", "fingerprint": "ä"}
    response = post(client, url, data)
    assert response.status_code in (200, 409, 422)
