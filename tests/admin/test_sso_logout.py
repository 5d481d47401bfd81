"""Signing out at the provider too (RP-initiated logout, OIDC_LOGOUT_AT_PROVIDER): after
Tydligt's own sign-out the browser goes on to the provider's end_session_endpoint, which
the real provider on loopback (tests/oidc) accepts. Real clock, as in test_sso.py."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.admin.conftest import post
from tests.admin.conftest import sign_in as sign_in_with_password
from tests.admin.test_sso import LINA, english, sign_in


@pytest.fixture
def config(config, oidc):
    return config | oidc.settings(OIDC_LOGOUT_AT_PROVIDER=True)


@pytest.fixture
def client(client):
    return english(client)


def test_signing_out_goes_on_to_the_provider(client, oidc, caseworker):
    oidc.accounts(lina=LINA)
    assert sign_in(client, oidc, "lina").status_code == 302
    response = post(client, "/admin/logout")
    address = urlsplit(response.headers["Location"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{oidc.issuer}/session/end"
    asked = parse_qs(address.query)
    assert asked["client_id"] == ["tydligt"]
    assert asked["post_logout_redirect_uri"] == ["https://tydligt.ekby.example/admin/login"]
    # Tydligt's session ended first; the provider takes the request (its "sign out?" page).
    assert client.get("/admin/").status_code == 302
    assert requests.get(response.headers["Location"], timeout=10).status_code == 200


def test_without_the_setting_signing_out_stays_in_tydligt(app, client, oidc, caseworker):
    app.config["OIDC_LOGOUT_AT_PROVIDER"] = False
    oidc.accounts(lina=LINA)
    assert sign_in(client, oidc, "lina").status_code == 302
    assert post(client, "/admin/logout").headers["Location"] == "/admin/login"


def test_a_password_sign_in_signs_out_in_tydligt_only(client, oidc, caseworker):
    sign_in_with_password(client, caseworker)
    assert post(client, "/admin/logout").headers["Location"] == "/admin/login"


def test_a_provider_out_of_reach_still_signs_out_of_tydligt(app, client, oidc, caseworker):
    oidc.accounts(lina=LINA)
    assert sign_in(client, oidc, "lina").status_code == 302
    # A new client (as after a restart) for a provider that no longer answers.
    app.extensions.pop("tydligt.oidc")
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # the discard port: nobody answers
    assert post(client, "/admin/logout").headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302
