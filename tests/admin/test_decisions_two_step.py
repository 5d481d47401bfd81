"""A decision is sent in two steps: the form has no outcome chosen for the case worker and
no Send button; Preview saves a draft and shows exactly what each recipient gets; only
the preview can send, and only what it showed (a changed decision or a changed list of
recipients is refused, and a confirm sent again sends nothing more)."""

import html
import re
import threading
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.casework import decisions
from app.models import (
    AuditEvent,
    Decision,
    DecisionStatus,
    OutboxMessage,
    Representative,
)
from tests.admin.conftest import post, sign_in
from tests.factories import create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # monday 2 march, 09.00 in Stockholm

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
    """A client who reads Arabic, with a guardian (god man) who reads Swedish and gets
    copies of decisions."""
    amal = create_client(session, caseworker, first_name="Amal", last_name="Nasser", language="ar")
    session.add(
        Representative(
            client_id=amal.id,
            name="Hassan Nasser",
            role="god_man",
            phone="+46700000099",
            language="sv",
            copy_decisions=True,
        )
    )
    session.commit()
    return amal


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


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def outbox(session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def saved(session) -> list[Decision]:
    session.expire_all()
    return list(session.exec(select(Decision).order_by(Decision.id)))


def confirm_of(page: str) -> dict:
    """The hidden fields of the preview's Send form, as the browser would post them."""
    form = page.split('id="send-form"', 1)[1].split("</form>", 1)[0]
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        if name == "csrf_token":
            continue
        fields.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


def send_url(page: str) -> str:
    """Where the preview's Send form posts."""
    tag = re.search(r'<form[^>]*id="send-form"[^>]*>', page)
    assert tag, "the preview has no Send form"
    return re.search(r'action="([^"]+)"', tag.group(0)).group(1)


def outcome_choices(page: str) -> list[bool]:
    """Whether each outcome radio button on the page is checked."""
    inputs = re.findall(r'<input[^>]*name="outcome"[^>]*>', page)
    return [" checked" in tag for tag in inputs]


def previewed(web, client, **changes):
    """Preview a new decision: the draft it saved and its page."""
    response = post(web, new_url(client), approved(**changes))
    assert response.status_code == 302, text_of(response)
    page = web.get(response.headers["Location"])
    assert page.status_code == 200
    return text_of(page)


def test_the_form_has_no_outcome_chosen_and_no_send_button(as_caseworker, amal):
    page = text_of(as_caseworker.get(new_url(amal)))

    assert outcome_choices(page) == 5 * [False]  # five outcomes, none chosen
    decision_form = page.split('name="form" value="decision"', 1)[1].split("</form>", 1)[0]
    assert 'value="send"' not in decision_form
    assert 'value="preview"' in decision_form and 'value="draft"' in decision_form


def test_an_announced_decisions_form_has_no_outcome_chosen(as_caseworker, session, amal):
    announced = decisions.announce(
        session, amal, service="boendestod", expected_on=date(2026, 3, 20)
    )
    session.commit()

    page = text_of(as_caseworker.get(f"/admin/decisions/{announced.id}"))

    assert outcome_choices(page) == 5 * [False]
    assert 'value="send"' not in page.split('id="h-decide"', 1)[1].split("</form>", 1)[0]


@pytest.mark.parametrize("action", ["preview", "draft", "send"])
def test_a_decision_without_an_outcome_is_refused_with_a_clear_error(
    as_caseworker, session, amal, action
):
    form = approved(action=action)
    del form["outcome"]

    response = post(as_caseworker, new_url(amal), form)

    assert response.status_code == 200
    page = text_of(response)
    assert 'href="#field-outcome"' in page
    assert "Choose what was decided." in page
    assert saved(session) == []
    assert outbox(session) == []


def test_the_old_send_button_only_previews(as_caseworker, session, amal):
    response = post(as_caseworker, new_url(amal), approved(action="send"))

    assert response.status_code == 302
    (draft,) = saved(session)
    assert draft.status == DecisionStatus.DRAFT
    assert outbox(session) == []


def test_preview_saves_a_draft_and_shows_what_each_recipient_gets(as_caseworker, session, amal):
    page = previewed(as_caseworker, amal)

    (draft,) = saved(session)
    assert draft.status == DecisionStatus.DRAFT and draft.outcome == "approved"
    assert outbox(session) == []
    assert "Saved as a draft. Nothing is sent until you press Send." in page
    preview = page.split('id="preview"', 1)[1]
    client_part, copy_part = preview.split("Hassan Nasser", 1)
    assert "Amal Nasser – the client" in client_part
    assert 'lang="ar" dir="rtl"' in client_part  # her text message in Arabic
    assert "Du får boendestöd." in client_part  # and the Swedish beside it
    assert "picture page" in client_part.lower()
    assert "phone menu" in client_part  # a note for voice: no call, the menu has it
    assert "Copy to Hassan Nasser – God man (guardian), Swedish, text message" in page
    assert "Hej Hassan Nasser! Det här är" in copy_part
    assert "Du är god man för Amal." in copy_part
    assert 'name="version" value="1"' in page
    assert "decision_previewed" in {e.action for e in session.exec(select(AuditEvent)).all()}


def test_the_copy_is_shown_as_the_representative_gets_it(as_caseworker, session, amal):
    page = previewed(as_caseworker, amal)

    copy = page.split("Copy to Hassan Nasser", 1)[1].split("</section>", 1)[0]
    texts = re.findall(r'<p class="message-text"[^>]*>(.*?)</p>', copy, re.S)
    assert len(texts) == 1  # he reads Swedish: one version, no second language beside it
    assert "Amal" in texts[0]  # a copy says whose decision it is
    assert "boendestöd" in texts[0]


def test_sending_from_the_preview_sends_the_summary_and_the_copy(
    as_caseworker, session, amal, caseworker
):
    page = previewed(as_caseworker, amal)

    response = post(as_caseworker, send_url(page), confirm_of(page))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/clients/{amal.id}")
    (decision,) = saved(session)
    assert decision.status == DecisionStatus.DECIDED
    assert decision.staff_id == caseworker.id
    rows = outbox(session)
    assert sorted((m.kind, m.representative_id is not None) for m in rows) == [
        ("decision_approved", False),
        ("decision_approved", True),
        ("support_ending", False),
        ("support_ending", True),
    ]
    assert "decision_sent" in {e.action for e in session.exec(select(AuditEvent)).all()}


def test_a_confirm_sent_again_sends_nothing_more(as_caseworker, session, amal):
    page = previewed(as_caseworker, amal)
    post(as_caseworker, send_url(page), confirm_of(page))
    count = len(outbox(session))

    again = post(as_caseworker, send_url(page), confirm_of(page), follow_redirects=True)

    assert again.status_code == 200
    assert "This decision was sent already. Nothing more was sent." in text_of(again)
    assert len(outbox(session)) == count
    assert [d.status for d in saved(session)] == [DecisionStatus.DECIDED]


def test_a_preview_of_a_decision_changed_since_is_refused(as_caseworker, session, amal):
    page = previewed(as_caseworker, amal)
    (draft,) = saved(session)
    # A colleague (or another tab) changes the draft to a refusal after this preview.
    changed = post(
        as_caseworker,
        f"/admin/decisions/{draft.id}/decide",
        approved(outcome="refused", reasons=["need_assessed"]),
    )
    assert changed.status_code == 302

    response = post(as_caseworker, send_url(page), confirm_of(page))

    assert response.status_code == 409
    text = text_of(response)
    assert "The decision changed after your preview" in text
    assert "Du får inte boendestöd." in text  # the new preview, to check before sending
    assert 'name="version" value="2"' in text
    assert outbox(session) == []
    assert saved(session)[0].status == DecisionStatus.DRAFT


def test_a_preview_whose_recipients_changed_since_is_refused(as_caseworker, session, amal):
    page = previewed(as_caseworker, amal)
    session.add(
        Representative(
            client_id=amal.id,
            name="Leila Nasser",
            role="other",
            phone="+46700000098",
            language="ar",
            copy_decisions=True,
        )
    )
    session.commit()

    response = post(as_caseworker, send_url(page), confirm_of(page))

    assert response.status_code == 409
    text = text_of(response)
    assert "What would be sent has changed since your preview" in text
    assert "Copy to Leila Nasser" in text
    assert outbox(session) == []


def test_a_forged_confirm_is_refused(as_caseworker, session, amal):
    page = previewed(as_caseworker, amal)
    confirm = confirm_of(page) | {"fingerprint": "0" * 64}

    response = post(as_caseworker, send_url(page), confirm)

    assert response.status_code == 409
    assert outbox(session) == []


def test_saving_a_draft_sends_nothing_and_the_draft_can_be_sent_later(as_caseworker, session, amal):
    response = post(as_caseworker, new_url(amal), approved(action="draft"))

    assert response.status_code == 302
    (draft,) = saved(session)
    assert draft.status == DecisionStatus.DRAFT
    assert outbox(session) == []
    with as_caseworker.session_transaction() as stored:
        flashed = [text for _category, text in stored["_flashes"]]
    assert flashed == ["The draft is saved. Nothing is sent."]

    page = text_of(as_caseworker.get(f"/admin/decisions/{draft.id}"))
    assert "Du får boendestöd." in page
    assert post(as_caseworker, send_url(page), confirm_of(page)).status_code == 302
    assert saved(session)[0].status == DecisionStatus.DECIDED


def test_a_draft_is_changed_on_its_page_and_discarded(as_caseworker, session, amal):
    previewed(as_caseworker, amal)
    (draft,) = saved(session)
    url = f"/admin/decisions/{draft.id}"
    page = text_of(as_caseworker.get(url))
    assert re.search(r'name="scope_amount" type="text"\s+value="6"', page)

    post(as_caseworker, f"{url}/decide", approved(scope_amount="8"))
    session.refresh(draft)
    assert draft.scope_amount == 8 and draft.version == 2

    response = post(as_caseworker, f"{url}/discard")

    assert response.status_code == 302
    assert saved(session) == []
    assert outbox(session) == []


def test_an_announced_decision_is_sent_from_its_preview_only(as_caseworker, session, amal):
    announced = decisions.announce(
        session, amal, service="boendestod", expected_on=date(2026, 3, 20)
    )
    session.commit()
    url = f"/admin/decisions/{announced.id}"

    preview = post(as_caseworker, f"{url}/decide", approved())
    page = text_of(preview)
    assert preview.status_code == 200
    assert "Du får boendestöd." in page
    assert [d.status for d in saved(session)] == [DecisionStatus.ANNOUNCED]
    # The old Send button on the form does not send.
    post(as_caseworker, f"{url}/decide", approved(action="send"))
    assert {m.kind for m in outbox(session)} == {"decision_heads_up"}  # Amal's and the copy

    response = post(as_caseworker, send_url(page), confirm_of(page))

    assert response.status_code == 302
    assert saved(session)[0].status == DecisionStatus.DECIDED
    assert "decision_approved" in {m.kind for m in outbox(session)}


def test_an_announced_decisions_confirm_with_other_values_is_refused(as_caseworker, session, amal):
    announced = decisions.announce(
        session, amal, service="boendestod", expected_on=date(2026, 3, 20)
    )
    session.commit()
    page = text_of(post(as_caseworker, f"/admin/decisions/{announced.id}/decide", approved()))
    confirm = confirm_of(page) | {"outcome": "refused", "reasons": "need_assessed"}

    response = post(as_caseworker, send_url(page), confirm)

    assert response.status_code == 409
    assert "What would be sent has changed since your preview" in text_of(response)
    assert saved(session)[0].status == DecisionStatus.ANNOUNCED


def test_two_sends_of_one_preview_at_the_same_moment_send_once(app, session, amal, caseworker):
    """Two tabs press Send on the same preview at once: one summary goes, never two."""
    tabs = [app.test_client(), app.test_client()]
    for tab in tabs:
        sign_in(tab, caseworker)
    page = previewed(tabs[0], amal)
    url, confirm = send_url(page), confirm_of(page)
    start, answers = threading.Barrier(2), []

    def press_send(tab) -> None:
        start.wait(10)
        answers.append(post(tab, url, confirm).status_code)

    threads = [threading.Thread(target=press_send, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert answers == [302, 302]  # one sent it; the other was told it was sent already
    summaries = [m for m in outbox(session) if m.kind == "decision_approved"]
    assert sorted(m.representative_id is not None for m in summaries) == [False, True]
    sent = session.exec(select(AuditEvent).where(AuditEvent.action == "decision_sent")).all()
    assert len(sent) == 1


def test_the_preview_says_what_the_phone_menu_can_do_in_the_clients_language(
    as_caseworker, session, caseworker
):
    leyla = create_client(session, caseworker, first_name="Leyla", phone="+46700000005",
                          language="fa")  # fmt: skip

    page = previewed(as_caseworker, leyla)

    assert "The phone menu cannot speak Persian" in page
    assert "can hear the decision read out" not in page
