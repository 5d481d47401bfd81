"""Decision pages: preview the client's summary (saved as a draft, nothing sent), send it
from the preview, give a heads-up, record an announced decision, withdraw; only for
clients the person handles. The two steps themselves: test_decisions_two_step.py."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import decisions
from app.models import (
    AuditEvent,
    Decision,
    DecisionStatus,
    OutboxMessage,
    OutboxStatus,
    Representative,
)
from tests.admin.conftest import post
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

APPROVED = dict(
    service="boendestod",
    outcome="approved",
    scope_amount=6,
    scope_unit="hours_per_week",
    valid_from=date(2026, 4, 1),
    valid_to=date(2026, 9, 30),
)

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture(autouse=True)
def client_page(app):
    """The client page is another area's; a stand-in where it is not there yet."""
    if "admin.client" not in app.view_functions:
        app.add_url_rule(
            "/admin/clients/<int:client_id>", "admin.client", lambda client_id: "client page"
        )


@pytest.fixture
def amal(session, caseworker):
    """A client who reads Arabic."""
    return create_client(session, caseworker, first_name="Amal", last_name="Nasser", language="ar")


def approved(**changes) -> dict:
    """A valid decision form: housing support, 6 hours a week, april to september."""
    return {
        "form": "decision",
        "action": "preview",
        "service": "boendestod",
        "outcome": "approved",
        "scope_amount": "6",
        "scope_unit": "hours_per_week",
        "valid_from": "2026-04-01",
        "valid_to": "2026-09-30",
        "decided_on": "2026-03-02",
        "received_on": "",
    } | changes


def new_url(client) -> str:
    return f"/admin/clients/{client.id}/decisions/new"


def page_text(response) -> str:
    """The page as text, with the preview frames' HTML unescaped so it can be searched."""
    return html.unescape(response.get_data(as_text=True))


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.due_at)))


def saved_decisions(session) -> list[Decision]:
    session.expire_all()
    return list(session.exec(select(Decision)))


def actions(session, client) -> list[str]:
    session.expire_all()
    query = select(AuditEvent.action).where(AuditEvent.client_id == client.id)
    return list(session.exec(query.order_by(AuditEvent.id)))


def confirm_of(page: str) -> dict:
    """The hidden fields of the preview's Send form, as the browser would post them."""
    form = page.split('id="send-form"', 1)[1].split("</form>", 1)[0]
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name != "csrf_token":
            fields.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


def send_url(page: str) -> str:
    """Where the preview's Send form posts."""
    tag = re.search(r'<form[^>]*id="send-form"[^>]*>', page)
    assert tag, "the preview has no Send form"
    return re.search(r'action="([^"]+)"', tag.group(0)).group(1)


def previewed(web, client, form: dict | None = None) -> str:
    """Preview a new decision (it is saved as a draft): the draft's page with the preview."""
    response = post(web, new_url(client), form or approved())
    assert response.status_code == 302, page_text(response)
    page = web.get(response.headers["Location"])
    assert page.status_code == 200
    return page_text(page)


def sent(web, client, form: dict | None = None):
    """Preview a new decision, then send it from the preview, as a case worker does."""
    page = previewed(web, client, form)
    return post(web, send_url(page), confirm_of(page))


def test_the_preview_shows_both_languages_with_parts_and_lix_and_sends_nothing(
    as_caseworker, session, amal
):
    text = previewed(as_caseworker, amal)

    assert 'lang="ar" dir="rtl"' in text  # the Arabic text message, right to left
    assert "Du får boendestöd." in text  # and the Swedish one beside it
    assert "Det är 6 timmar i veckan." in text
    assert "Text message parts" in text and "(UCS-2)" in text and "(GSM-7)" in text
    assert "LIX (readability)" in text
    assert 'title="Picture page in Arabic"' in text
    assert 'title="Picture page in Swedish"' in text
    assert '<html lang="ar" dir="rtl">' in text  # the picture page, as the client sees it
    assert [d.status for d in saved_decisions(session)] == [DecisionStatus.DRAFT]
    assert outbox(session) == []
    assert "decision_previewed" in actions(session, amal)


def test_a_discreet_clients_preview_shows_the_discreet_text_and_the_details_behind_the_pin(
    as_caseworker, session, caseworker
):
    sara = create_client(session, caseworker, privacy="discreet")

    text = previewed(as_caseworker, sara)

    assert "chosen discretion" in text
    sms = text.split('<p class="message-text" lang="sv-SE" dir="ltr">')[1].split("</p>")[0]
    assert "Vi har ett nytt meddelande till dig." in sms
    assert "boendestöd" not in sms
    assert "Det är 6 timmar i veckan." in text  # on the picture page
    assert outbox(session) == []


def test_the_preview_says_which_representatives_get_a_copy(as_caseworker, session, amal):
    session.add(
        Representative(
            client_id=amal.id,
            name="Hassan Nasser",
            role="god_man",
            phone="+46700000099",
            copy_decisions=True,
        )
    )
    session.commit()

    text = previewed(as_caseworker, amal)

    assert "Copy to Hassan Nasser – God man (guardian)" in text


def test_send_saves_the_decision_and_plans_its_summary_and_the_support_ending_notice(
    as_caseworker, session, amal, caseworker
):
    response = sent(as_caseworker, amal)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/clients/{amal.id}")
    (decision,) = saved_decisions(session)
    assert decision.status == DecisionStatus.DECIDED
    assert decision.staff_id == caseworker.id
    assert decision.scope_amount == 6 and decision.scope_unit == "hours_per_week"
    kinds = [message.kind for message in outbox(session)]
    assert kinds == ["decision_approved", "support_ending"]
    assert "decision_sent" in actions(session, amal)
    with as_caseworker.session_transaction() as stored:
        flashed = [text for _category, text in stored["_flashes"]]
    assert flashed == ["The decision summary is on its way to Amal."]


def test_send_saves_the_reasons_of_a_refusal(as_caseworker, session, amal):
    page = previewed(
        as_caseworker, amal, approved(outcome="refused", reasons=["need_assessed", "not_in_group"])
    )
    post(as_caseworker, send_url(page), confirm_of(page) | {"skip_reason": "Vi har pratat."})

    (decision,) = saved_decisions(session)
    assert decision.reasons == "need_assessed,not_in_group"
    assert [message.kind for message in outbox(session)] == ["decision_refused"]


@pytest.mark.parametrize("action", ["preview", "draft"])
def test_a_refusal_without_reasons_shows_the_error_and_saves_nothing(
    as_caseworker, session, amal, action
):
    response = post(as_caseworker, new_url(amal), approved(action=action, outcome="refused"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Choose at least one reason for a refusal." in text
    assert 'href="#field-reasons"' in text
    assert "Preview: what each recipient gets" not in text
    assert saved_decisions(session) == []
    assert outbox(session) == []


def test_malformed_dates_amounts_and_an_end_before_the_start_are_shown_on_their_fields(
    as_caseworker, session, amal
):
    response = post(
        as_caseworker,
        new_url(amal),
        approved(decided_on="igår", scope_amount="sex", service="nothing"),
    )
    text = page_text(response)
    assert re.search(r'href="#field-decided_on">[^<]*Give a date like 2026-03-04.', text)
    assert re.search(r'href="#field-scope_amount">[^<]*Give a number, like 12 or 7,5.', text)
    assert re.search(r'href="#field-service">[^<]*Choose one of the options.', text)

    response = post(as_caseworker, new_url(amal), approved(valid_to="2026-03-31"))
    assert "The end cannot be before the start." in page_text(response)
    assert saved_decisions(session) == []


def test_someone_elses_client_is_not_found(as_caseworker, session, someone_elses):
    assert as_caseworker.get(new_url(someone_elses)).status_code == 404
    assert post(as_caseworker, new_url(someone_elses), approved()).status_code == 404
    decision = decisions.decide(session, someone_elses, service="boendestod", outcome="approved")
    draft = Decision(client_id=someone_elses.id, service="boendestod", outcome="approved")
    session.add(draft)
    session.commit()
    assert as_caseworker.get(f"/admin/decisions/{decision.id}").status_code == 404
    assert as_caseworker.get(f"/admin/decisions/{draft.id}").status_code == 404
    urls = [f"/admin/decisions/{decision.id}/withdraw"] + [
        f"/admin/decisions/{draft.id}/{action}" for action in ("send", "decide", "discard")
    ]
    for url in urls:
        assert post(as_caseworker, url, approved() | {"version": "1"}).status_code == 404
    session.refresh(decision)
    assert decision.status == DecisionStatus.DECIDED
    assert [d.status for d in saved_decisions(session)] == ["decided", "draft"]


def test_a_heads_up_plans_the_message_that_a_decision_is_coming(as_caseworker, session, amal):
    form = {
        "form": "heads_up",
        "heads_up_service": "boendestod",
        "expected_on": "2026-03-20",
    }
    preview = page_text(post(as_caseworker, new_url(amal), form | {"action": "preview"}))
    assert "Vi går igenom din ansökan om boendestöd." in preview
    assert outbox(session) == []
    assert saved_decisions(session) == []

    response = post(as_caseworker, send_url(preview), confirm_of(preview))

    assert response.status_code == 302
    (decision,) = saved_decisions(session)
    assert decision.status == DecisionStatus.ANNOUNCED
    assert decision.expected_on == date(2026, 3, 20)
    assert [message.kind for message in outbox(session)] == ["decision_heads_up"]
    assert "decision_announced" in actions(session, amal)


def test_a_heads_up_for_a_day_gone_by_is_refused(as_caseworker, session, amal):
    form = {"form": "heads_up", "heads_up_service": "boendestod", "expected_on": "2026-02-20"}
    response = post(as_caseworker, new_url(amal), form | {"action": "send"})

    assert "Give the day the decision is expected, today or later." in page_text(response)
    assert saved_decisions(session) == []


def test_an_announced_decision_is_recorded_from_its_page_and_the_heads_up_stops(
    as_caseworker, session, amal
):
    announced = decisions.announce(
        session, amal, service="boendestod", expected_on=date(2026, 3, 20)
    )
    session.commit()
    url = f"/admin/decisions/{announced.id}"
    page = page_text(as_caseworker.get(url))
    assert "Record the decision" in page
    assert "Decision coming" in page  # the heads-up in the list of messages

    preview = page_text(post(as_caseworker, f"{url}/decide", approved()))
    assert "Du får boendestöd." in preview
    session.refresh(announced)
    assert announced.status == DecisionStatus.ANNOUNCED

    response = post(as_caseworker, send_url(preview), confirm_of(preview))

    assert response.status_code == 302
    session.refresh(announced)
    assert announced.status == DecisionStatus.DECIDED
    statuses = {message.kind: message.status for message in outbox(session)}
    assert statuses["decision_heads_up"] == OutboxStatus.CANCELLED
    assert statuses["decision_approved"] == OutboxStatus.PENDING
    assert "Record the decision" not in page_text(as_caseworker.get(url))


def test_withdrawing_cancels_what_was_not_sent_and_is_audited(as_caseworker, session, amal):
    decision = decisions.decide(session, amal, **APPROVED)
    session.commit()

    response = post(as_caseworker, f"/admin/decisions/{decision.id}/withdraw")

    assert response.status_code == 302
    session.refresh(decision)
    assert decision.status == DecisionStatus.WITHDRAWN
    assert {message.status for message in outbox(session)} == {OutboxStatus.CANCELLED}
    assert "decision_withdrawn" in actions(session, amal)


def test_sending_to_a_client_without_consent_says_that_nothing_will_go_out(
    as_caseworker, session, caseworker
):
    sara = create_client(session, caseworker, consent_at=None, consent_method=None)

    page = page_text(as_caseworker.get(new_url(sara)))
    assert "No consent is recorded for Sara: nothing will be sent." in page
    preview = previewed(as_caseworker, sara)
    assert "Not sent: no consent is recorded for Sara." in preview
    post(as_caseworker, send_url(preview), confirm_of(preview))

    assert [d.status for d in saved_decisions(session)] == [DecisionStatus.DECIDED]
    with as_caseworker.session_transaction() as stored:
        (flashed,) = stored["_flashes"]
    assert flashed == (
        "warning",
        "The decision is saved. No consent is recorded for Sara: nothing will be sent.",
    )
