"""Signing in: hashed passwords, slowed guessing, CSRF on every form, and no admin page
without a signed-in person."""

import re

import pytest
from sqlmodel import select

from app.admin.auth import PUBLIC_ENDPOINTS
from app.models import AuditEvent, LoginAttempt
from tests.admin.conftest import PASSWORD, post, sign_in

# Signing in itself (with a second factor, tests/admin/test_two_factor*.py; single sign-on
# adds its own) opens without a session.
PUBLIC = PUBLIC_ENDPOINTS


def admin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]


def example_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        values[name] = 1 if type(converter).__name__ == "IntegerConverter" else "x"
    return rule.build(values)[1]


def test_every_admin_route_requires_sign_in(app, client):
    rules = [r for r in admin_rules(app) if r.endpoint not in PUBLIC]
    assert len(rules) > 10, "the admin page should have its areas registered"
    for rule in rules:
        url = example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url} answers without sign-in"
            assert response.headers["Location"].startswith("/admin/login"), url


def test_every_admin_route_takes_typed_ids(app):
    for rule in admin_rules(app):
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                assert type(converter).__name__ == "IntegerConverter", rule.rule


def test_pages_only_for_administrators_refuse_case_workers(app, as_caseworker):
    guarded = [
        r for r in admin_rules(app) if getattr(app.view_functions[r.endpoint], "admin_only", False)
    ]
    assert guarded, "settings and staff accounts are for administrators only"
    for rule in guarded:
        response = as_caseworker.get(example_url(rule))
        assert response.status_code in (403, 405), rule.rule


def test_the_password_is_stored_hashed(caseworker):
    assert PASSWORD not in caseworker.password_hash
    assert caseworker.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_signing_in_opens_today_and_is_audited(client, caseworker, session):
    response = sign_in(client, caseworker)
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Lina Berg" in page.get_data(as_text=True)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "signed_in")).one()


def test_a_wrong_password_is_refused_with_a_clear_message(client, caseworker):
    client.get("/admin/login")
    response = post(client, "/admin/login", {"email": caseworker.email, "password": "wrong"})
    assert response.status_code == 401
    assert "is wrong" in response.get_data(as_text=True) or "fel" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, caseworker):
    client.get("/admin/login")
    wrong_password = post(client, "/admin/login", {"email": caseworker.email, "password": "x"})
    unknown = post(client, "/admin/login", {"email": "nobody@ekby.example", "password": "x"})
    assert unknown.status_code == wrong_password.status_code == 401
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(unknown) == strip(wrong_password)


def test_five_wrong_tries_close_sign_in_for_that_email(client, caseworker, session):
    client.get("/admin/login")
    for _ in range(5):
        post(client, "/admin/login", {"email": caseworker.email, "password": "guess"})
    response = post(client, "/admin/login", {"email": caseworker.email, "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302
    attempts = session.exec(select(LoginAttempt)).all()
    assert len(attempts) == 5 and not any(a.succeeded for a in attempts)


def test_a_form_without_its_csrf_token_is_refused(as_caseworker):
    response = as_caseworker.post("/admin/logout", data={})
    assert response.status_code == 400
    assert as_caseworker.get("/admin/").status_code == 200  # still signed in


def test_login_does_not_redirect_to_another_site(client, caseworker):
    client.get("/admin/login")
    response = post(
        client,
        "/admin/login?next=https://evil.example/admin/",
        {"email": caseworker.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/admin/"


def test_signing_out_ends_the_session(as_caseworker):
    response = post(as_caseworker, "/admin/logout")
    assert response.status_code == 302
    assert as_caseworker.get("/admin/").status_code == 302


def test_a_closed_account_is_signed_out_at_once(as_caseworker, caseworker, session):
    caseworker.active = False
    session.add(caseworker)
    session.commit()
    assert as_caseworker.get("/admin/").status_code == 302


def test_raising_the_session_version_signs_out_everywhere(as_caseworker, caseworker, session):
    caseworker.session_version += 1
    session.add(caseworker)
    session.commit()
    assert as_caseworker.get("/admin/").status_code == 302


@pytest.mark.parametrize("language, word", [("sv", "Logga in"), ("en", "Sign in")])
def test_the_staff_interface_speaks_swedish_or_english(client, language, word):
    client.get("/admin/login")
    post(client, "/admin/language", {"language": language, "next": "/admin/login"})
    page = client.get("/admin/login").get_data(as_text=True)
    assert word in page
    assert f'<html lang="{language}">' in page


def test_admin_pages_are_never_cached_or_framed_and_load_nothing_from_outside(as_caseworker):
    response = as_caseworker.get("/admin/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_session_cookie_is_private_and_ends_after_eight_idle_hours(client, caseworker):
    from datetime import timedelta

    response = sign_in(client, caseworker)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the test app's public address is https
    assert client.application.permanent_session_lifetime == timedelta(hours=8)
