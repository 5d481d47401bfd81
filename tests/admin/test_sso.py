"""Single sign-on through a real OpenID provider on loopback (tests/oidc): the flow, who
the person turns out to be, and every way it can go wrong ending in a page, never a 500.

Real clock: the provider signs its ID tokens with it (tests/oidc)."""

import socket
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlmodel import select

from app.models import AuditEvent, StaffRole, StaffSession, StaffUser
from tests.admin.conftest import post
from tests.admin.conftest import sign_in as password_sign_in
from tests.factories import create_staff, create_unit
from tests.oidc import cancel_at, local, sign_in_at

LINA = {"email": "lina.berg@ekby.example", "email_verified": True, "name": "Lina Berg"}


@pytest.fixture
def config(config, oidc):
    """The app configured for the loopback provider."""
    return config | oidc.settings()


def english(web):
    """A browser that chose the English staff words (the assertions are in English)."""
    with web.session_transaction() as cookie:
        cookie["staff_language"] = "en"
    return web


@pytest.fixture
def client(client):
    """The test client, in English."""
    return english(client)


def start(web, next_page: str | None = None) -> str:
    """Press the single sign-on button; the provider's address the browser is sent to."""
    response = web.get("/admin/sso/start", query_string={"next": next_page} if next_page else {})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in(web, provider, login: str, next_page: str | None = None):
    """The whole flow as `login` at the provider; Tydligt's answer to the way back."""
    back = sign_in_at(provider, start(web, next_page), login)
    assert back.startswith("https://tydligt.ekby.example/admin/sso/callback?"), back
    return web.get(local(back))


def events(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(session.exec(query))


def stored(session, staff: StaffUser) -> StaffUser:
    session.expire_all()
    return session.get_one(StaffUser, staff.id)


def signed_in_as(web) -> int | None:
    with web.session_transaction() as cookie:
        return cookie.get("staff_id")


def test_the_provider_is_asked_with_pkce_state_and_nonce(client, oidc):
    address = urlsplit(start(client))
    asked = parse_qs(address.query)
    assert f"{address.scheme}://{address.netloc}" == oidc.issuer
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) >= 43
    assert asked["state"][0] and asked["nonce"][0]
    assert asked["redirect_uri"] == ["https://tydligt.ekby.example/admin/sso/callback"]
    assert asked["scope"] == ["openid email profile"]


def test_a_known_case_worker_signs_in_and_is_remembered_by_subject(
    client,
    session,
    oidc,
    caseworker,
):
    oidc.accounts(lina=LINA)
    response = sign_in(client, oidc, "lina")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert signed_in_as(client) == caseworker.id
    assert client.get("/admin/").status_code == 200
    lina = stored(session, caseworker)
    assert (lina.sso_issuer, lina.sso_subject) == (oidc.issuer, "lina")
    assert [e.detail for e in events(session, "signed_in")] == ["sso"]
    [linked] = events(session, "sso_linked")
    assert linked.actor_id == caseworker.id


def test_an_address_changed_at_the_provider_does_not_change_who_signs_in(
    app,
    session,
    oidc,
    caseworker,
    colleague,
):
    oidc.accounts(lina=LINA)
    assert sign_in(english(app.test_client()), oidc, "lina").status_code == 302
    # The provider now gives Lina the colleague's address: the subject wins.
    oidc.accounts(lina=LINA | {"email": colleague.email})
    again = english(app.test_client())
    assert sign_in(again, oidc, "lina").status_code == 302
    assert signed_in_as(again) == caseworker.id


def test_another_subject_claiming_a_linked_address_is_refused_and_audited(
    app,
    session,
    oidc,
    caseworker,
):
    oidc.accounts(lina=LINA, impostor=LINA | {"name": "Someone Else"})
    assert sign_in(english(app.test_client()), oidc, "lina").status_code == 302
    other = english(app.test_client())
    response = sign_in(other, oidc, "impostor")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "belongs to another person" in page
    assert 'href="/admin/login"' in page
    assert signed_in_as(other) is None
    [refused] = events(session, "sso_refused")
    assert refused.subject_id == caseworker.id and refused.detail.startswith("taken")
    assert stored(session, caseworker).sso_subject == "lina"


def test_an_address_the_provider_has_not_verified_is_refused(
    client,
    session,
    oidc,
    caseworker,
):
    oidc.accounts(lina=LINA | {"email_verified": False})
    response = sign_in(client, oidc, "lina")
    assert response.status_code == 403
    assert "is not confirmed" in response.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert stored(session, caseworker).sso_subject is None
    assert events(session, "sso_refused")[0].detail.startswith("unverified")


def test_someone_unknown_to_tydligt_is_told_whom_to_ask_and_audited(
    client,
    session,
    oidc,
    unit,
):
    oidc.accounts(nils={"email": "Nils.Ny@ekby.example", "email_verified": True})
    response = sign_in(client, oidc, "nils")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Tydligt has no account for you" in page
    assert "nils.ny@ekby.example" in page
    assert "Ask an administrator of your unit" in page
    assert signed_in_as(client) is None
    assert session.exec(select(StaffUser)).all() == []
    [refused] = events(session, "sso_refused")
    assert refused.detail.startswith("unknown: nils.ny@ekby.example")


def test_a_unit_that_lets_staff_join_gets_a_new_case_worker(
    client,
    session,
    oidc,
    unit,
):
    unit.sso_lets_staff_join = True
    session.add(unit)
    session.commit()
    oidc.accounts(nils={"email": "nils.ny@ekby.example", "given_name": "Nils", "family_name": "Ny"})
    assert sign_in(client, oidc, "nils").status_code == 302
    [nils] = session.exec(select(StaffUser)).all()
    assert (nils.email, nils.name, nils.role, nils.unit_id) == (
        "nils.ny@ekby.example",
        "Nils Ny",
        StaffRole.CASEWORKER,
        unit.id,
    )
    assert nils.password_hash == "" and nils.sso_subject == "nils"
    assert signed_in_as(client) == nils.id
    [joined] = events(session, "staff_joined")
    assert joined.subject_id == nils.id and "role=caseworker" in joined.detail


def test_joining_needs_the_unit_to_allow_it_when_several_units_exist(
    client,
    session,
    oidc,
    unit,
):
    create_unit(session, name="Västby", sender_name="Vastby", phone="+46846500500")
    unit.sso_lets_staff_join = True
    session.add(unit)
    session.commit()
    oidc.accounts(nils={"email": "nils.ny@ekby.example"})
    assert sign_in(client, oidc, "nils").status_code == 302
    assert session.exec(select(StaffUser)).one().unit_id == unit.id


@pytest.mark.parametrize(
    ("role_claim", "admin", "caseworker_again"),
    [
        # Entra ID's or a plain provider's groups, the admin value in another letter case
        ("groups", {"groups": ["staff", "TYDLIGT-ADMINS"]}, {"groups": ["staff"]}),
        # Keycloak's realm roles, nested in an object
        (
            "realm_access.roles",
            {"realm_access": {"roles": ["tydligt-admins"]}},
            {"realm_access": {"roles": []}},
        ),
    ],
)
def test_role_and_unit_follow_the_configured_claims(
    app,
    session,
    oidc,
    caseworker,
    role_claim,
    admin,
    caseworker_again,
):
    app.config |= {
        "OIDC_ROLE_CLAIM": role_claim,
        "OIDC_ADMIN_ROLE_VALUES": ("tydligt-admins",),
        "OIDC_UNIT_CLAIM": "department",
    }
    other = create_unit(session, name="Västby LSS", sender_name="Vastby", phone="+46846500500")
    oidc.accounts(lina=LINA | admin | {"department": "västby lss"})
    web = english(app.test_client())
    assert sign_in(web, oidc, "lina").status_code == 302
    # An administrator by single sign-on is asked for no code of Tydligt's: the provider asks.
    assert web.get("/admin/settings").status_code == 200
    lina = stored(session, caseworker)
    assert (lina.role, lina.unit_id) == (StaffRole.ADMIN, other.id)
    [changed] = events(session, "staff_changed")
    assert "role=admin" in changed.detail and "Västby LSS" in changed.detail
    # Next time the provider says otherwise: the role follows it down as well.
    oidc.accounts(lina=LINA | caseworker_again | {"department": "Västby LSS"})
    assert sign_in(english(app.test_client()), oidc, "lina").status_code == 302
    assert stored(session, caseworker).role == StaffRole.CASEWORKER


def sessions_of(session, staff: StaffUser) -> dict[str, str]:
    """How each session of `staff` began, and why it ended ("" while open)."""
    session.expire_all()
    rows = session.exec(select(StaffSession).where(StaffSession.staff_id == staff.id))
    return {row.method: row.end_reason for row in rows}


@pytest.mark.parametrize(
    ("settings", "claims"),
    [
        # An administrator now: a password-only session must not become one (no second factor).
        (
            {"OIDC_ROLE_CLAIM": "groups", "OIDC_ADMIN_ROLE_VALUES": ("tydligt-admins",)},
            {"groups": ["tydligt-admins"]},
        ),
        # In another unit now: the old session must not go on showing that unit's clients.
        ({"OIDC_UNIT_CLAIM": "department"}, {"department": "Västby LSS"}),
    ],
    ids=["role", "unit"],
)
def test_a_role_or_unit_the_provider_changes_ends_the_other_sessions(
    app,
    session,
    oidc,
    caseworker,
    settings,
    claims,
):
    create_unit(session, name="Västby LSS", sender_name="Vastby", phone="+46846500500")
    app.config |= settings
    desk = english(app.test_client())
    password_sign_in(desk, caseworker)  # a case worker: the password alone
    assert desk.get("/admin/clients").status_code == 200
    oidc.accounts(lina=LINA | claims)
    laptop = english(app.test_client())
    assert sign_in(laptop, oidc, "lina").status_code == 302
    assert sessions_of(session, caseworker) == {"password": "everywhere", "sso": ""}
    for page in ("/admin/settings", "/admin/clients"):
        response = desk.get(page)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/admin/login")
    assert signed_in_as(desk) is None
    # The browser that signed in by single sign-on goes on, with the new role or unit.
    assert laptop.get("/admin/clients").status_code == 200
    assert signed_in_as(laptop) == caseworker.id


def test_a_sign_in_that_changes_nothing_leaves_the_other_sessions_open(
    app,
    session,
    oidc,
    caseworker,
    unit,
):
    app.config |= {
        "OIDC_ROLE_CLAIM": "groups",
        "OIDC_ADMIN_ROLE_VALUES": ("tydligt-admins",),
        "OIDC_UNIT_CLAIM": "department",
    }
    desk = english(app.test_client())
    password_sign_in(desk, caseworker)
    oidc.accounts(lina=LINA | {"groups": ["staff"], "department": unit.name})
    assert sign_in(english(app.test_client()), oidc, "lina").status_code == 302
    assert sessions_of(session, caseworker) == {"password": "", "sso": ""}
    assert desk.get("/admin/clients").status_code == 200


@pytest.mark.parametrize(
    "department",
    [
        "Östra LSS",  # as Tydligt spells it
        "östra lss",
        "ÖSTRA LSS",
        unicodedata.normalize("NFD", "Östra LSS"),  # Ö as O and two dots, as some systems send it
    ],
)
def test_a_unit_name_starting_with_a_swedish_capital_is_matched(
    app,
    session,
    oidc,
    caseworker,
    department,
):
    other = create_unit(session, name="Östra LSS", sender_name="Ostra", phone="+46846500501")
    app.config["OIDC_UNIT_CLAIM"] = "department"
    oidc.accounts(lina=LINA | {"department": department})
    web = english(app.test_client())
    assert sign_in(web, oidc, "lina").status_code == 302
    assert signed_in_as(web) == caseworker.id
    assert stored(session, caseworker).unit_id == other.id


def test_an_address_with_swedish_letters_matches_in_any_letter_case(
    app,
    session,
    oidc,
    unit,
):
    # Stored as it was written (an account from before addresses were stored in lower case).
    asa = create_staff(session, unit, email="Åsa.Öberg@ekby.example", name="Åsa Öberg")
    oidc.accounts(asa={"email": "åsa.öberg@ekby.example", "email_verified": True})
    web = english(app.test_client())
    assert sign_in(web, oidc, "asa").status_code == 302
    assert signed_in_as(web) == asa.id
    assert stored(session, asa).sso_subject == "asa"


def test_a_unit_claim_naming_no_unit_is_refused(
    app,
    session,
    oidc,
    caseworker,
):
    app.config["OIDC_UNIT_CLAIM"] = "department"
    oidc.accounts(lina=LINA | {"department": "Nowhere"})
    web = english(app.test_client())
    response = sign_in(web, oidc, "lina")
    assert response.status_code == 403
    assert "Your unit is not in Tydligt" in response.get_data(as_text=True)
    assert signed_in_as(web) is None
    assert stored(session, caseworker).unit_id == caseworker.unit_id


def test_a_configured_claim_matches_instead_of_the_email(
    app,
    session,
    oidc,
    caseworker,
):
    app.config["OIDC_MATCH_CLAIM"] = "name"  # the sign-in name the organisation controls
    oidc.accounts(lina={"name": "LINA.BERG@ekby.example"})
    web = english(app.test_client())
    assert sign_in(web, oidc, "lina").status_code == 302
    assert signed_in_as(web) == caseworker.id


def test_a_deactivated_account_is_refused(client, session, oidc, caseworker):
    caseworker.active = False
    session.add(caseworker)
    session.commit()
    oidc.accounts(lina=LINA)
    response = sign_in(client, oidc, "lina")
    assert response.status_code == 403
    assert "turned off" in response.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert events(session, "sso_refused")[0].detail.startswith("deactivated")


def test_a_linked_account_deactivated_later_is_refused(
    app,
    session,
    oidc,
    caseworker,
):
    oidc.accounts(lina=LINA)
    assert sign_in(english(app.test_client()), oidc, "lina").status_code == 302
    lina = stored(session, caseworker)
    lina.active = False
    session.add(lina)
    session.commit()
    web = english(app.test_client())
    assert sign_in(web, oidc, "lina").status_code == 403
    assert signed_in_as(web) is None


def test_the_page_asked_for_opens_after_signing_in_and_never_another_site(
    app,
    oidc,
    caseworker,
):
    oidc.accounts(lina=LINA)
    response = sign_in(english(app.test_client()), oidc, "lina", next_page="/admin/clients")
    assert response.headers["Location"] == "/admin/clients"
    response = sign_in(english(app.test_client()), oidc, "lina", next_page="https://evil.example/")
    assert response.headers["Location"] == "/admin/"


def test_cancelling_at_the_provider_shows_a_way_back(client, oidc, caseworker):
    back = cancel_at(oidc, start(client))
    assert "error=access_denied" in back
    response = client.get(local(back))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Signing in was cancelled" in page
    assert 'href="/admin/login"' in page
    assert signed_in_as(client) is None


def test_a_wrong_state_is_refused(client, oidc, caseworker):
    oidc.accounts(lina=LINA)
    back = sign_in_at(oidc, start(client), "lina")
    forged = back.replace("state=", "state=x")
    response = client.get(local(forged))
    assert response.status_code == 400
    assert "Signing in took too long" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_the_way_back_works_once_and_only_in_the_browser_that_started(
    app,
    client,
    oidc,
    caseworker,
):
    oidc.accounts(lina=LINA)
    back = sign_in_at(oidc, start(client), "lina")
    elsewhere = app.test_client()  # someone who got hold of the address
    assert elsewhere.get(local(back)).status_code == 400
    assert signed_in_as(elsewhere) is None
    assert client.get(local(back)).status_code == 302
    assert client.get(local(back)).status_code == 400


def test_a_way_back_nobody_started_is_refused(client, oidc):
    response = client.get("/admin/sso/callback?code=abc&state=def")
    assert response.status_code == 400
    assert "Signing in took too long" in response.get_data(as_text=True)


def test_a_flow_left_for_more_than_ten_minutes_is_refused(client, oidc, caseworker):
    oidc.accounts(lina=LINA)
    back = sign_in_at(oidc, start(client), "lina")
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11)):
        response = client.get(local(back))
    assert response.status_code == 400
    assert signed_in_as(client) is None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_provider_gives_a_page_not_an_error(app, client, oidc):
    app.config["OIDC_ISSUER"] = f"http://127.0.0.1:{_closed_port()}"
    response = client.get("/admin/sso/start")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "cannot be reached" in page
    assert 'href="/admin/login"' in page


def test_the_sign_in_page_offers_the_work_account(client, oidc):
    page = client.get("/admin/login").get_data(as_text=True)
    assert 'href="/admin/sso/start"' in page
    assert 'name="password"' in page


def test_without_an_issuer_there_is_no_single_sign_on(app, client, oidc):
    app.config["OIDC_ISSUER"] = ""
    assert 'href="/admin/sso/start"' not in client.get("/admin/login").get_data(as_text=True)
    assert client.get("/admin/sso/start").status_code == 404
    assert client.get("/admin/sso/callback?code=a&state=b").status_code == 404


def test_password_sign_in_can_be_turned_off(app, client, session, oidc, caseworker):
    app.config["OIDC_PASSWORD_SIGN_IN"] = False
    page = client.get("/admin/login").get_data(as_text=True)
    assert 'name="password"' not in page and 'href="/admin/sso/start"' in page
    with client.session_transaction() as cookie:
        cookie["csrf"] = "token"
    response = client.post(
        "/admin/login",
        data={
            "csrf_token": "token",
            "email": caseworker.email,
            "password": "correct horse battery",
        },
    )
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_the_page_speaks_swedish_unless_english_was_chosen(app, session, oidc, unit):
    oidc.accounts(nils={"email": "nils.ny@ekby.example"})
    response = sign_in(app.test_client(), oidc, "nils")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Tydligt har inget konto för dig" in page
    assert "Be en administratör på din enhet i Tydligt att lägga till dig." in page


def test_an_administrator_unlinks_an_account_so_a_new_one_at_the_provider_links(
    app,
    session,
    oidc,
    caseworker,
    as_admin,
):
    oidc.accounts(lina=LINA, lina_again=LINA)  # her account at the provider made anew
    assert sign_in(english(app.test_client()), oidc, "lina").status_code == 302
    assert sign_in(english(app.test_client()), oidc, "lina_again").status_code == 403
    page = as_admin.get(f"/admin/staff/{caseworker.id}/edit").get_data(as_text=True)
    assert "Unlink the work account" in page
    response = post(as_admin, f"/admin/staff/{caseworker.id}/sso/unlink")
    assert response.status_code == 302
    assert stored(session, caseworker).sso_subject is None
    [unlinked] = events(session, "sso_unlinked")
    assert unlinked.subject_id == caseworker.id
    web = english(app.test_client())
    assert sign_in(web, oidc, "lina_again").status_code == 302
    assert signed_in_as(web) == caseworker.id
    assert stored(session, caseworker).sso_subject == "lina_again"


def test_only_administrators_of_the_unit_unlink(session, oidc, caseworker, as_caseworker):
    caseworker.sso_issuer, caseworker.sso_subject = oidc.issuer, "lina"
    session.add(caseworker)
    session.commit()
    assert post(as_caseworker, f"/admin/staff/{caseworker.id}/sso/unlink").status_code == 403
    assert stored(session, caseworker).sso_subject == "lina"


def test_another_units_account_is_not_found(session, oidc, as_admin):
    elsewhere = create_unit(session, name="Västby", sender_name="Vastby", phone="+46846500500")
    stranger = create_staff(session, elsewhere, email="x@vastby.example", sso_subject="x")
    assert post(as_admin, f"/admin/staff/{stranger.id}/sso/unlink").status_code == 404
    assert stored(session, stranger).sso_subject == "x"


def test_a_discovery_document_of_another_issuer_is_not_trusted(app, client, oidc):
    # The same provider under another name: its document names 127.0.0.1, not localhost.
    app.config["OIDC_ISSUER"] = oidc.issuer.replace("127.0.0.1", "localhost")
    response = client.get("/admin/sso/start")
    assert response.status_code == 502
    assert "Signing in did not work" in response.get_data(as_text=True)


def test_only_the_latest_sign_in_started_in_a_browser_counts(client, oidc, caseworker):
    oidc.accounts(lina=LINA)
    first = start(client)
    for _again in range(20):  # abandoned at the provider: the cookie must not grow
        start(client)
    with client.session_transaction() as cookie:
        assert len([key for key in cookie if key.startswith("_state_")]) == 1
    back = sign_in_at(oidc, first, "lina")
    assert client.get(local(back)).status_code == 400
    assert sign_in(client, oidc, "lina").status_code == 302


PASSWORD_PAGE = "/admin/account/password"


def test_with_passwords_turned_off_nobody_is_offered_a_password_to_change(
    app, client, session, oidc, caseworker
):
    app.config["OIDC_PASSWORD_SIGN_IN"] = False
    oidc.accounts(lina=LINA)
    before = stored(session, caseworker).password_hash
    assert sign_in(client, oidc, "lina").status_code == 302
    assert f'href="{PASSWORD_PAGE}"' not in client.get("/admin/").get_data(as_text=True)
    page = client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "you have no password in Tydligt to change" in text
    assert 'name="new_password"' not in text
    response = post(
        client,
        PASSWORD_PAGE,
        {"current_password": "correct horse battery", "new_password": "a new long password",
         "new_password_again": "a new long password"},
    )  # fmt: skip
    assert response.status_code == 403
    assert stored(session, caseworker).password_hash == before
    assert events(session, "password_changed") == []


def test_someone_who_joined_with_the_work_account_has_no_password_to_change(
    client, session, oidc, unit
):
    unit.sso_lets_staff_join = True
    session.add(unit)
    session.commit()
    oidc.accounts(nils={"email": "nils.ny@ekby.example", "given_name": "Nils", "family_name": "Ny"})
    assert sign_in(client, oidc, "nils").status_code == 302
    assert f'href="{PASSWORD_PAGE}"' not in client.get("/admin/").get_data(as_text=True)
    text = client.get(PASSWORD_PAGE).get_data(as_text=True)
    assert "you have no password in Tydligt to change" in text
    assert 'name="current_password"' not in text


def test_with_both_ways_in_a_password_is_still_changed_here(client, session, oidc, caseworker):
    oidc.accounts(lina=LINA)
    assert sign_in(client, oidc, "lina").status_code == 302
    assert f'href="{PASSWORD_PAGE}"' in client.get("/admin/").get_data(as_text=True)
    assert 'name="new_password"' in client.get(PASSWORD_PAGE).get_data(as_text=True)


def test_the_staff_list_offers_no_password_change_when_passwords_are_off(app, as_admin):
    assert f'href="{PASSWORD_PAGE}"' in as_admin.get("/admin/staff").get_data(as_text=True)
    app.config["OIDC_PASSWORD_SIGN_IN"] = False
    assert f'href="{PASSWORD_PAGE}"' not in as_admin.get("/admin/staff").get_data(as_text=True)
