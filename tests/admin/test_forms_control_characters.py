"""Control characters in any admin form field (app/admin/forms.py reads every field): the
form says what is wrong in the staff language and nothing is saved, never a 500 (NUL is
what PostgreSQL refuses in text)."""

import html
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from app.admin.forms import Form
from app.models import AuditEvent, Client, SignVideo, SupportOffer
from tests.admin.conftest import post, sign_in
from tests.admin.test_decisions_heads_up import drafted, form_action, form_fields
from tests.factories import create_client

NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
REFUSED = "Ta bort de osynliga styrtecknen."
PERSON = {"first_name": "Sara", "phone": "070-000 00 01", "language": "sv", "channel": "sms",
          "privacy": "full"}  # fmt: skip


@pytest.mark.parametrize("odd", ["\x00", "\x1b", "\x7f", "\x85"])
def test_a_field_with_a_control_character_is_an_error_and_reads_without_it(app, odd):
    with app.test_request_context():
        form = Form(MultiDict({"title": f"Om{odd}Tydligt", "notes": "Rad ett\r\nRad\ttvå"}))
        assert form.text("title") == "OmTydligt"
        assert form.text("notes", max_length=500) == "Rad ett\r\nRad\ttvå"  # a multi-line field
        assert list(form.errors) == ["title"]
        assert form.errors["title"] == REFUSED  # the staff language: Swedish unless chosen


def sent(session) -> list[str]:
    return list(session.exec(select(AuditEvent.action)).all())


@pytest.mark.parametrize(
    "case",
    [
        "sign title",
        "sign url",
        "support who",
        "support hours",
        "client email",
        "client aid",
        "skip reason",
    ],
)
def test_every_form_refuses_them_in_the_staff_language(
    client, session, administrator, caseworker, case
):
    sara = create_client(session, caseworker, email="sara@ekby.example")
    sign_in(client, administrator, language="sv")
    person = PERSON | {"caseworker_id": str(caseworker.id), "email": "sara@ekby.example"}
    url, data = {
        "sign title": ("/admin/sign-language", {"kind": "", "url": "https://ekby.example/a.mp4",
                                                 "title": "Om\x00Tydligt"}),
        "sign url": ("/admin/sign-language", {"kind": "", "url": "https://ekby.example/a\x00.mp4",
                                               "title": "Om Tydligt"}),
        "support who": ("/admin/settings/support/budget_debt", {"who": "Bud\x00get",
                                                                "phone": "08-465 004 60"}),
        "support hours": ("/admin/settings/support/budget_debt", {"hours": "9\x00-16",
                                                                  "phone": "08-465 004 60"}),
        "client email": (f"/admin/clients/{sara.id}/edit", person | {"email": "sa\x00ra@ekby.se"}),
        "client aid": (f"/admin/clients/{sara.id}/edit",
                       person | {"communication_aid": "bild\x00stöd"}),
        "skip reason": (None, {"skip_reason": "Vi har pratat\x00"}),
    }[case]  # fmt: skip
    if url is None:  # a refusal, sent without a heads-up: the reason is asked for
        _draft, page = drafted(client, sara)
        url, data = form_action(page, "send-form"), form_fields(page, "send-form") | data
    response = post(client, url, data)
    assert response.status_code in (200, 422)
    assert REFUSED in html.unescape(response.get_data(as_text=True))
    session.expire_all()
    assert session.exec(select(SignVideo)).first() is None
    assert session.exec(select(SupportOffer)).first() is None
    saved = session.get_one(Client, sara.id)
    assert (saved.email, saved.communication_aid) == ("sara@ekby.example", "")
    assert "decision_sent" not in sent(session)
