"""Bad news at the right time on the decision pages: before a refusal or an ending that no
heads-up went ahead of, the preview asks for one first (sent from its own preview, the
decision staying a draft) or a short reason to send without (audited); the preview says
when bad news is held to phone hours; a heads-up never goes out in one click."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.models import AuditEvent, Decision, DecisionStatus, OutboxMessage
from app.outbox.sweep import send_due
from tests.admin.conftest import post
from tests.factories import create_client

FRIDAY_EVENING = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17.00 in Stockholm

pytestmark = pytest.mark.frozen_at(FRIDAY_EVENING)


@pytest.fixture(autouse=True)
def client_page(app):
    """The client page is another area's; a stand-in where it is not there yet."""
    if "admin.client" not in app.view_functions:
        app.add_url_rule(
            "/admin/clients/<int:client_id>", "admin.client", lambda client_id: "client page"
        )


@pytest.fixture
def maja(session, caseworker):
    return create_client(session, caseworker, first_name="Maja", last_name="Ek")


def decision_form(**changes) -> dict:
    """A refusal of housing support, as the form posts it."""
    return {
        "form": "decision",
        "action": "preview",
        "service": "boendestod",
        "outcome": "refused",
        "reasons": ["need_met_otherwise"],
        "decided_on": "2026-03-06",
    } | changes


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def form_fields(page: str, form_id: str) -> dict:
    """The hidden fields of one form on the page, as the browser posts them."""
    form = page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    return {name: value for name, value in found if name != "csrf_token"}


def form_action(page: str, form_id: str) -> str:
    tag = re.search(rf'<form[^>]*id="{form_id}"[^>]*>', page)
    assert tag, f"no form {form_id}"
    return html.unescape(re.search(r'action="([^"]+)"', tag.group(0)).group(1))


def drafted(web, client, **changes) -> tuple[Decision, str]:
    """Preview a new decision: the draft, and its page with the preview."""
    response = post(web, f"/admin/clients/{client.id}/decisions/new", decision_form(**changes))
    assert response.status_code == 302, text(response)
    page = text(web.get(response.headers["Location"]))
    draft_id = int(response.headers["Location"].split("/decisions/")[1].split("#")[0])
    return Decision(id=draft_id), page


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def audited(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))  # in the order made


def test_a_refusal_without_a_heads_up_asks_for_one_first(as_caseworker, session, maja):
    _draft, page = drafted(as_caseworker, maja)

    assert "Send a heads-up first?" in page
    assert "Maja has had no heads-up about this decision." in page
    assert "Send the heads-up first" in page
    assert "Why send without a heads-up?" in page
    assert "Send without a heads-up" in page


def test_an_approval_asks_for_no_heads_up(as_caseworker, session, maja):
    _draft, page = drafted(as_caseworker, maja, outcome="approved", reasons=[])

    assert "Send a heads-up first?" not in page
    assert "Why send without a heads-up?" not in page


def test_sending_without_a_heads_up_needs_a_reason_and_audits_it(as_caseworker, session, maja):
    _draft, page = drafted(as_caseworker, maja)
    url, confirm = form_action(page, "send-form"), form_fields(page, "send-form")

    refused = post(as_caseworker, url, confirm)

    assert refused.status_code == 422
    assert "Say briefly why Maja gets no heads-up first." in text(refused)
    assert outbox(session) == []

    sent = post(as_caseworker, url, confirm | {"skip_reason": "We talked at the meeting."})

    assert sent.status_code == 302
    assert [m.kind for m in outbox(session)] == ["decision_refused"]
    (event,) = audited(session, "decision_sent_without_heads_up")
    assert event.detail == "We talked at the meeting."


def test_the_heads_up_first_is_previewed_then_sent_and_the_decision_stays_a_draft(
    as_caseworker, session, maja
):
    draft, page = drafted(as_caseworker, maja, outcome="ended", valid_to="2026-03-31")
    url = f"/admin/decisions/{draft.id}/heads-up"

    shown = post(as_caseworker, url, {"action": "preview", "heads_up_on": "2026-03-20"})

    assert shown.status_code == 200
    preview = text(shown)
    assert "Vi ser över ditt stöd: boendestöd." in preview  # what is being looked at
    assert "Vill du träffa oss och prata innan dess?" in preview  # a meeting offered
    assert outbox(session) == []  # a preview sends nothing

    sent = post(as_caseworker, form_action(preview, "send-form"), form_fields(preview, "send-form"))

    assert sent.status_code == 302
    assert [m.kind for m in outbox(session)] == ["decision_heads_up"]
    saved = session.get(Decision, draft.id)
    assert (saved.status, saved.expected_on) == (DecisionStatus.DRAFT, date(2026, 3, 20))
    assert len(audited(session, "decision_announced")) == 1

    send_due(FRIDAY_EVENING)  # the heads-up goes out; the draft asks no more
    page = text(as_caseworker.get(f"/admin/decisions/{draft.id}"))
    assert "Send a heads-up first?" not in page
    response = post(as_caseworker, form_action(page, "send-form"), form_fields(page, "send-form"))
    assert response.status_code == 302
    assert audited(session, "decision_sent_without_heads_up") == []
    assert {m.kind: m.status for m in outbox(session)}["decision_ended"] == "pending"


def test_a_heads_up_is_never_sent_in_one_click(as_caseworker, session, maja):
    form = {"form": "heads_up", "heads_up_service": "boendestod", "expected_on": "2026-03-20"}

    response = post(
        as_caseworker, f"/admin/clients/{maja.id}/decisions/new", form | {"action": "send"}
    )

    assert response.status_code == 200
    assert "Check the heads-up below, then send it from here." in text(response)
    assert outbox(session) == []
    assert "Give the heads-up" not in text(
        as_caseworker.get(f"/admin/clients/{maja.id}/decisions/new")
    )


def test_the_heads_up_for_a_draft_asks_for_a_day_to_come(as_caseworker, session, maja):
    draft, _page = drafted(as_caseworker, maja)

    response = post(
        as_caseworker,
        f"/admin/decisions/{draft.id}/heads-up",
        {"action": "preview", "heads_up_on": "2026-03-01"},
    )

    assert response.status_code == 422
    assert "Give the day the decision is expected, today or later." in text(response)
    assert outbox(session) == []


def test_the_preview_says_bad_news_is_held_to_phone_hours(as_caseworker, session, maja):
    _draft, page = drafted(as_caseworker, maja)

    assert "Held to phone hours: goes out" in page
    assert "so that Maja can call the same day." in page


def test_the_decision_page_says_a_sent_refusal_waits_for_phone_hours(as_caseworker, session, maja):
    draft, page = drafted(as_caseworker, maja)
    confirm = form_fields(page, "send-form") | {"skip_reason": "Told by phone."}
    post(as_caseworker, form_action(page, "send-form"), confirm)

    shown = text(as_caseworker.get(f"/admin/decisions/{draft.id}"))

    assert "Held to phone hours: bad news goes out on a working day" in shown
    (refusal,) = [m for m in outbox(session) if m.kind == "decision_refused"]
    assert refusal.due_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday 09.00


def test_a_draft_a_heads_up_went_ahead_of_is_withdrawn_not_discarded(as_caseworker, session, maja):
    draft, _page = drafted(as_caseworker, maja)
    url = f"/admin/decisions/{draft.id}/heads-up"
    shown = text(post(as_caseworker, url, {"action": "preview", "heads_up_on": "2026-03-20"}))
    post(as_caseworker, form_action(shown, "send-form"), form_fields(shown, "send-form"))
    page = text(as_caseworker.get(f"/admin/decisions/{draft.id}"))
    assert "A heads-up about this decision is sent or planned to Maja." in page

    post(as_caseworker, f"/admin/decisions/{draft.id}/discard")

    assert session.get(Decision, draft.id).status == DecisionStatus.WITHDRAWN
    assert [m.status for m in outbox(session)] == ["cancelled"]  # it had not gone yet
