"""Clients on the admin page: search, register, edit, consent, opt-out, PIN, links,
representatives and the timeline – and only for the clients a person handles."""

from sqlmodel import select

from app.models import (
    AuditEvent,
    Client,
    InboundMessage,
    LinkToken,
    OutboxMessage,
    Representative,
    utcnow,
)
from tests.admin.conftest import post, sign_in
from tests.factories import create_client

NEW_CLIENT = {
    "first_name": "Amal",
    "last_name": "Yusuf",
    "phone": "070-000 00 03",
    "language": "ar",
    "channel": "sms",
    "privacy": "full",
    "consent_method": "verbal",
}


def test_the_list_shows_only_the_clients_a_case_worker_handles(
    as_caseworker, session, caseworker, colleague
):
    create_client(session, caseworker, first_name="Sara", phone="+46700000001")
    create_client(session, colleague, first_name="Nils", phone="+46700000002")
    page = as_caseworker.get("/admin/clients").get_data(as_text=True)
    assert "Sara" in page and "Nils" not in page


def test_an_administrator_sees_every_client_of_the_unit(as_admin, session, caseworker, colleague):
    create_client(session, caseworker, first_name="Sara", phone="+46700000001")
    create_client(session, colleague, first_name="Nils", phone="+46700000002")
    page = as_admin.get("/admin/clients").get_data(as_text=True)
    assert "Sara" in page and "Nils" in page


def test_search_finds_by_name_and_by_the_end_of_the_phone_number(
    as_caseworker, session, caseworker
):
    create_client(session, caseworker, first_name="Sara", last_name="Lind", phone="+46700000001")
    create_client(session, caseworker, first_name="Ali", last_name="Hassan", phone="+46700000009")
    by_name = as_caseworker.get("/admin/clients?q=lind").get_data(as_text=True)
    assert "Sara" in by_name and "Ali" not in by_name
    by_phone = as_caseworker.get("/admin/clients?q=070-000 00 09").get_data(as_text=True)
    assert "Ali" in by_phone and "Sara" not in by_phone


def test_registering_a_client_with_consent_plans_the_welcome(as_caseworker, session, caseworker):
    response = post(as_caseworker, "/admin/clients/new", NEW_CLIENT)
    assert response.status_code == 302
    client = session.exec(select(Client)).one()
    assert (client.phone, client.language, client.caseworker_id) == (
        "+46700000003",
        "ar",
        caseworker.id,
    )
    assert client.consent_method == "verbal" and client.consent_recorded_by_id == caseworker.id
    welcome = session.exec(select(OutboxMessage)).one()
    assert welcome.kind == "welcome"
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"client_created", "client_viewed"} <= actions or "client_created" in actions


def test_consent_is_one_answer_that_cannot_be_left_half_given(as_caseworker, session):
    """Ticking "agreed" without saying how used to register the client without consent."""
    for half in ({"consent_method": "", "consent_confirmed": "1"}, {"consent_method": ""}):
        response = post(as_caseworker, "/admin/clients/new", NEW_CLIENT | half)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Say whether the client has agreed to get messages." in page
    assert session.exec(select(Client)).first() is None
    page = as_caseworker.get("/admin/clients/new").get_data(as_text=True)
    for answer in ('value="written"', 'value="verbal"', 'value="none"'):
        assert f'name="consent_method" type="radio" {answer}' in page
    assert "consent_confirmed" not in page


def test_a_bad_phone_number_is_shown_and_nothing_is_saved(as_caseworker, session):
    response = post(as_caseworker, "/admin/clients/new", NEW_CLIENT | {"phone": "12"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not a phone number we can text" in page
    assert 'value="Amal"' in page  # what was typed is kept
    assert session.exec(select(Client)).first() is None


def test_a_phone_number_of_another_client_is_refused(as_caseworker, session, caseworker):
    create_client(session, caseworker, phone="+46700000003")
    response = post(as_caseworker, "/admin/clients/new", NEW_CLIENT)
    assert "Another client already has this phone number" in response.get_data(as_text=True)


def test_without_consent_no_welcome_is_planned(as_caseworker, session):
    data = NEW_CLIENT | {"consent_method": "none"}
    assert post(as_caseworker, "/admin/clients/new", data).status_code == 302
    assert session.exec(select(OutboxMessage)).first() is None
    client = session.exec(select(Client)).one()
    post(as_caseworker, f"/admin/clients/{client.id}/consent", {"consent_method": "written"})
    session.expire_all()
    assert session.get(Client, client.id).consent_method == "written"
    assert session.exec(select(OutboxMessage.kind)).all() == ["welcome"]


def test_viewing_a_client_is_audited(as_caseworker, session, caseworker):
    client = create_client(session, caseworker)
    assert as_caseworker.get(f"/admin/clients/{client.id}").status_code == 200
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "client_viewed")).one()
    assert (event.client_id, event.actor_id) == (client.id, caseworker.id)


def test_someone_elses_client_is_not_found(as_caseworker, session, colleague):
    other = create_client(session, colleague, phone="+46700000002")
    for url in (f"/admin/clients/{other.id}", f"/admin/clients/{other.id}/edit"):
        assert as_caseworker.get(url).status_code == 404
    assert post(as_caseworker, f"/admin/clients/{other.id}/opt-out").status_code == 404
    assert session.get(Client, other.id).opted_out_at is None


def test_a_stand_in_sees_the_clients_of_an_absent_colleague(
    as_caseworker, session, caseworker, colleague
):
    from datetime import timedelta

    from app.casework import handovers
    from app.outbox.planner import local_date

    other = create_client(session, colleague, phone="+46700000002")
    today = local_date(utcnow())
    handovers.hand_over(
        session, other, caseworker, kind="absence", starts_on=today,
        ends_on=today + timedelta(days=7),
    )  # fmt: skip
    session.commit()
    assert as_caseworker.get(f"/admin/clients/{other.id}").status_code == 200


def test_editing_a_client_saves_and_a_new_number_makes_them_reachable(
    as_caseworker, session, caseworker
):
    client = create_client(session, caseworker, unreachable_at=utcnow())
    response = post(
        as_caseworker,
        f"/admin/clients/{client.id}/edit",
        {"first_name": "Sara", "last_name": "Lind", "phone": "0700000005", "language": "fi",
         "channel": "both", "privacy": "discreet", "picture_support": "1",
         "caseworker_id": str(caseworker.id)},
    )  # fmt: skip
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Client, client.id)
    assert (saved.phone, saved.language, saved.channel, saved.privacy) == (
        "+46700000005",
        "fi",
        "both",
        "discreet",
    )
    assert saved.picture_support and saved.unreachable_at is None


def test_opting_out_and_in_on_the_clients_behalf(as_caseworker, session, caseworker):
    client = create_client(session, caseworker)
    post(as_caseworker, f"/admin/clients/{client.id}/opt-out")
    session.expire_all()
    assert session.get(Client, client.id).opted_out_at is not None
    post(as_caseworker, f"/admin/clients/{client.id}/opt-in")
    session.expire_all()
    assert session.get(Client, client.id).opted_out_at is None


def test_a_pin_is_stored_hashed_and_a_bad_one_is_refused(as_caseworker, session, caseworker):
    client = create_client(session, caseworker)
    response = post(as_caseworker, f"/admin/clients/{client.id}/pin", {"pin": "12"})
    assert "4 digits" in as_caseworker.get(response.headers["Location"]).get_data(as_text=True)
    post(as_caseworker, f"/admin/clients/{client.id}/pin", {"pin": "٤٣٢١"})
    session.expire_all()
    saved = session.get(Client, client.id)
    assert saved.pin_hash and "4321" not in saved.pin_hash


def test_every_page_link_can_be_stopped(as_caseworker, session, caseworker):
    from app.pages import links

    client = create_client(session, caseworker)
    links.create(session, client, "message", utcnow())
    session.commit()
    post(as_caseworker, f"/admin/clients/{client.id}/links/revoke")
    assert session.exec(select(LinkToken)).one().revoked_at is not None


def test_a_representative_is_added_changed_and_removed(as_caseworker, session, caseworker):
    client = create_client(session, caseworker)
    response = post(
        as_caseworker,
        f"/admin/clients/{client.id}/representatives/new",
        {"name": "Anders Holm", "role": "god_man", "phone": "0701740610", "language": "sv",
         "copy_decisions": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    rep = session.exec(select(Representative)).one()
    assert rep.copy_decisions and not rep.copy_appointments and rep.phone == "+46701740610"
    post(
        as_caseworker,
        f"/admin/representatives/{rep.id}/edit",
        {"name": "Anders Holm", "role": "god_man", "phone": "0701740610", "language": "sv",
         "copy_appointments": "1"},
    )  # fmt: skip
    session.expire_all()
    rep = session.get(Representative, rep.id)
    assert rep.copy_appointments and not rep.copy_decisions
    post(as_caseworker, f"/admin/representatives/{rep.id}/remove")
    session.expire_all()
    rep = session.get(Representative, rep.id)
    assert not rep.copy_appointments and rep.opted_out_at is not None


def test_the_timeline_shows_what_was_sent_and_received_with_status(
    as_caseworker, session, caseworker
):
    client = create_client(session, caseworker)
    session.add(
        OutboxMessage(
            kind="appointment_reminder", client_id=client.id, dedupe_key="t1", due_at=utcnow(),
            status="delivered", body="Hej Sara! Du har ett möte.", sent_at=utcnow(),
        )
    )  # fmt: skip
    session.add(
        InboundMessage(
            provider_id="SM1", from_phone=client.phone, client_id=client.id,
            body="Kan vi ses på fredag?", needs_answer=True,
        )
    )  # fmt: skip
    session.commit()
    page = as_caseworker.get(f"/admin/clients/{client.id}").get_data(as_text=True)
    assert "Du har ett möte." in page and "Delivered" in page
    assert "Kan vi ses på fredag?" in page


def test_a_long_list_is_paged_and_keeps_the_search(as_caseworker, session, caseworker):
    for n in range(52):
        create_client(session, caseworker, first_name=f"Anna{n:02d}", phone=f"+4670000{n:04d}")
    first = as_caseworker.get("/admin/clients?q=anna").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Anna00" in first and "Anna51" not in first
    assert any(link in first for link in ("?page=2&amp;q=anna", "?q=anna&amp;page=2"))
    second = as_caseworker.get("/admin/clients?q=anna&page=2").get_data(as_text=True)
    assert "Anna51" in second and "Page 2 of 2" in second


# A number may be a client of two units; changes are audited by name; a new number ends
# every page link.


def edit_form(client, **changes) -> dict:
    values = {"first_name": client.first_name, "last_name": client.last_name,
              "phone": client.phone, "language": client.language, "channel": client.channel,
              "privacy": client.privacy, "picture_support": "1" if client.picture_support else "",
              "caseworker_id": str(client.caseworker_id)}  # fmt: skip
    return values | changes


def other_unit_client(session, **values) -> Client:
    from tests.factories import create_staff, create_unit

    other = create_unit(session, name="Västby kommun", phone="+46846500500")
    per = create_staff(session, other, email="per@vastby.example", name="Per Västby")
    return create_client(session, per, **values)


def test_a_number_a_client_of_another_unit_has_can_be_registered(
    as_caseworker, session, caseworker
):
    theirs = other_unit_client(session, first_name="Nils", phone="+46700000003")
    response = post(as_caseworker, "/admin/clients/new", NEW_CLIENT)
    assert response.status_code == 302, response.get_data(as_text=True)
    ours = session.exec(select(Client).where(Client.id != theirs.id)).one()
    assert (ours.phone, ours.unit_id) == ("+46700000003", caseworker.unit_id)


def test_a_client_may_change_to_a_number_a_client_of_another_unit_has(
    as_caseworker, session, caseworker
):
    theirs = other_unit_client(session, first_name="Nils", phone="+46700000003")
    sara = create_client(session, caseworker, phone="+46700000001")
    response = post(
        as_caseworker, f"/admin/clients/{sara.id}/edit", edit_form(sara, phone=theirs.phone)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Client, sara.id).phone == "+46700000003"


def test_a_change_is_audited_with_the_names_of_the_fields_that_changed(
    as_caseworker, session, caseworker
):
    sara = create_client(session, caseworker, phone="+46700000001")
    post(as_caseworker, f"/admin/clients/{sara.id}/edit",
         edit_form(sara, first_name="Sarah", phone="070-000 00 07"))  # fmt: skip
    post(as_caseworker, f"/admin/clients/{sara.id}/edit", edit_form(sara, first_name="Sarah",
         phone="+46700000007"))  # nothing changed  # fmt: skip
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "client_changed")).all()
    assert [e.detail for e in events] == ["first_name, phone"]
    assert "0700000007" not in events[0].detail and "Sarah" not in events[0].detail


def test_a_new_phone_number_stops_every_page_link_and_is_audited(
    as_caseworker, session, caseworker
):
    from app.pages import links

    sara = create_client(session, caseworker, phone="+46700000001")
    links.create(session, sara, "message", utcnow())
    links.create(session, sara, "overview", utcnow())
    session.commit()
    post(as_caseworker, f"/admin/clients/{sara.id}/edit", edit_form(sara, language="en"))
    session.expire_all()
    assert all(link.revoked_at is None for link in session.exec(select(LinkToken)))
    response = post(
        as_caseworker,
        f"/admin/clients/{sara.id}/edit",
        edit_form(sara, phone="0700000008"),
        follow_redirects=True,
    )
    assert "Page links sent to the old number no longer work." in response.get_data(as_text=True)
    session.expire_all()
    assert all(link.revoked_at is not None for link in session.exec(select(LinkToken)))
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "links_revoked")).one()
    assert event.client_id == sara.id and event.actor_id == caseworker.id
    assert event.detail == "2 (new phone number)"


def test_consent_not_yet_given_can_be_recorded_on_the_edit_form(as_caseworker, session, caseworker):
    sara = create_client(session, caseworker, consent_at=None, consent_method=None)
    page = as_caseworker.get(f"/admin/clients/{sara.id}/edit").get_data(as_text=True)
    assert 'name="consent_method" type="radio" value="none" checked' in page
    details = {"first_name": "Sara", "last_name": "Lind", "phone": "+46700000001",
               "language": "sv", "channel": "sms", "privacy": "full"}  # fmt: skip
    response = post(as_caseworker, f"/admin/clients/{sara.id}/edit", details)
    assert "Say whether the client has agreed" in response.get_data(as_text=True)
    post(as_caseworker, f"/admin/clients/{sara.id}/edit", details | {"consent_method": "written"})
    session.expire_all()
    sara = session.get(Client, sara.id)
    assert (sara.consent_method, sara.consent_recorded_by_id) == ("written", caseworker.id)
    assert session.exec(select(OutboxMessage.kind)).all() == ["welcome"]
    page = as_caseworker.get(f"/admin/clients/{sara.id}/edit").get_data(as_text=True)
    assert 'name="consent_method"' not in page  # given: withdrawn only by opting out


def test_a_landline_is_refused_in_the_staff_language(client, session, caseworker):
    sign_in(client, caseworker, language="sv")
    response = post(client, "/admin/clients/new", NEW_CLIENT | {"phone": "08-123 456 78"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Det här är ett fast nummer som inte kan ta emot sms." in page
    assert session.exec(select(Client)).first() is None


def test_a_client_saved_with_a_landline_before_the_rule_can_still_be_edited(
    as_caseworker, session, caseworker
):
    gosta = create_client(session, caseworker, first_name="Gösta", phone="+46812345678",
                          channel="voice")  # fmt: skip
    details = {"first_name": "Gösta", "last_name": "Lind", "phone": "08-123 456 78",
               "language": "fi", "channel": "voice", "privacy": "full",
               "caseworker_id": str(caseworker.id)}  # fmt: skip
    page = as_caseworker.get(f"/admin/clients/{gosta.id}").get_data(as_text=True)
    assert "cannot get text messages" in page  # staff are told, on the client page
    response = post(as_caseworker, f"/admin/clients/{gosta.id}/edit", details)
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Client, gosta.id).language == "fi"
    response = post(as_caseworker, f"/admin/clients/{gosta.id}/edit",
                    details | {"phone": "08-123 456 79"})  # fmt: skip
    assert "This is a landline" in response.get_data(as_text=True)  # a new one is refused


def test_domain_errors_are_shown_in_swedish(client, session, caseworker):
    """'The meeting must be in the future.' was shown in English on a Swedish page."""
    sara = create_client(session, caseworker)
    sign_in(client, caseworker, language="sv")
    response = post(client, f"/admin/clients/{sara.id}/appointments/new",
                    {"date": "2020-01-01", "time": "10:00", "duration_minutes": "60",
                     "mode": "office", "location": "Storgatan 12", "purpose": "follow_up",
                     "staff_id": str(caseworker.id)})  # fmt: skip
    page = response.get_data(as_text=True)
    assert "Mötet måste ligga framåt i tiden." in page
    assert "The meeting must be in the future." not in page


REPRESENTATIVE = {"name": "Anders Holm", "role": "god_man", "phone": "070-174 06 10",
                  "language": "sv", "copy_decisions": "1"}  # fmt: skip


def test_a_representative_with_the_client_s_own_number_is_refused(
    as_caseworker, session, caseworker
):
    sara = create_client(session, caseworker)  # +46700000001
    response = post(as_caseworker, f"/admin/clients/{sara.id}/representatives/new",
                    REPRESENTATIVE | {"phone": "070-000 00 01"})  # fmt: skip
    assert response.status_code == 200
    assert "This is the client&#39;s own number." in response.get_data(as_text=True)
    response = post(as_caseworker, f"/admin/clients/{sara.id}/representatives/new",
                    REPRESENTATIVE | {"phone": "08-123 456 78"})  # fmt: skip
    assert "it is a landline" in response.get_data(as_text=True)
    assert session.exec(select(Representative)).first() is None


def _ticked(page: str) -> set[str]:
    return {
        name
        for name in ("copy_appointments", "copy_documents", "copy_decisions", "copy_handovers")
        if f'name="{name}" type="checkbox" value="1" checked' in page
    }


def test_a_new_representative_starts_with_the_copies_their_kind_usually_gets(
    as_caseworker, session, caseworker
):
    sara = create_client(session, caseworker)
    url = f"/admin/clients/{sara.id}/representatives/new"
    god_man = as_caseworker.get(url).get_data(as_text=True)
    assert _ticked(god_man) == {"copy_appointments", "copy_documents", "copy_decisions",
                                "copy_handovers"}  # fmt: skip
    assert f'href="{url}?role=relative"' in god_man
    relative = as_caseworker.get(url + "?role=relative").get_data(as_text=True)
    assert _ticked(relative) == {"copy_appointments"}
    assert '<option value="relative" selected>' in relative
    forvaltare = as_caseworker.get(url + "?role=forvaltare").get_data(as_text=True)
    assert _ticked(forvaltare) == {"copy_documents", "copy_decisions", "copy_handovers"}
    assert _ticked(as_caseworker.get(url + "?role=other").get_data(as_text=True)) == set()


def test_a_new_representative_is_welcomed_and_staff_are_told(as_caseworker, session, caseworker):
    sara = create_client(session, caseworker)
    response = post(as_caseworker, f"/admin/clients/{sara.id}/representatives/new",
                    REPRESENTATIVE, follow_redirects=True)  # fmt: skip
    assert "gets a short welcome text now" in response.get_data(as_text=True)
    welcome = session.exec(select(OutboxMessage)).one()
    rep = session.exec(select(Representative)).one()
    assert (welcome.kind, welcome.representative_id) == ("representative_welcome", rep.id)


def test_a_case_worker_not_on_the_list_is_a_form_error_not_a_500(
    client, session, administrator, sara, caseworker
):
    """A blank or made-up case worker (a tampered form) says so; nothing is saved."""
    sign_in(client, administrator, language="sv")
    edit = NEW_CLIENT | {"first_name": "Sara", "phone": "070-000 00 01", "language": "sv"}
    for odd in (" ", "x", "7.5", "-1", "99999999999999999999"):
        for url, form in (
            ("/admin/clients/new", NEW_CLIENT),
            (f"/admin/clients/{sara.id}/edit", edit),
        ):
            response = post(client, url, form | {"caseworker_id": odd})
            assert response.status_code == 200, (url, odd)
            assert "Välj ett av alternativen." in response.get_data(as_text=True)
    session.expire_all()
    assert [c.first_name for c in session.exec(select(Client))] == ["Sara"]
    assert session.get_one(Client, sara.id).caseworker_id == caseworker.id
