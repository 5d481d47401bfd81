"""Single sign-on's settings (app/config.py): a configuration that could not sign anyone
in, or would trust a provider over plain http, refuses to start and says what to set."""

import pytest

from app.config import ConfigError, load_config

SSO = {
    "OIDC_ISSUER": "https://login.ekby.example/realms/staff/",
    "OIDC_CLIENT_ID": "tydligt",
    "OIDC_CLIENT_SECRET": "a-secret-from-the-provider",
}


def test_single_sign_on_is_off_by_default(tmp_path):
    config = load_config(tmp_path)
    assert config["OIDC_ISSUER"] == ""
    assert config["OIDC_PASSWORD_SIGN_IN"] is True
    assert config["OIDC_LOGOUT_AT_PROVIDER"] is False


def test_the_settings_are_read_from_the_environment(tmp_path, monkeypatch):
    for key, value in SSO.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("OIDC_ADMIN_ROLE_VALUES", " tydligt-admins , Socialchefer ")
    monkeypatch.setenv("OIDC_PASSWORD_SIGN_IN", "false")
    config = load_config(tmp_path)
    assert config["OIDC_ISSUER"] == "https://login.ekby.example/realms/staff"
    assert config["OIDC_ADMIN_ROLE_VALUES"] == ("tydligt-admins", "Socialchefer")
    assert config["OIDC_PASSWORD_SIGN_IN"] is False
    assert config["OIDC_EMAIL_CLAIM"] == "email"
    assert config["OIDC_SCOPES"] == "openid email profile"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID is missing"),
        ({"OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET is missing"),
        ({"OIDC_ISSUER": "http://login.ekby.example"}, "https"),
        ({"OIDC_SCOPES": "email profile"}, "openid"),
        ({"OIDC_EMAIL_CLAIM": ""}, "OIDC_MATCH_CLAIM"),
        ({"OIDC_ROLE_CLAIM": "groups"}, "OIDC_ADMIN_ROLE_VALUES"),
        ({"OIDC_PASSWORD_SIGN_IN": "maybe"}, "true or false"),
    ],
)
def test_an_unusable_configuration_refuses_to_start(tmp_path, changes, complaint):
    with pytest.raises(ConfigError, match=complaint):
        load_config(tmp_path, SSO | changes)


def test_a_loopback_provider_may_use_http(tmp_path):
    config = load_config(tmp_path, SSO | {"OIDC_ISSUER": "http://127.0.0.1:8080"})
    assert config["OIDC_ISSUER"] == "http://127.0.0.1:8080"


def test_passwords_may_not_be_turned_off_without_single_sign_on(tmp_path):
    with pytest.raises(ConfigError, match="nobody could sign in"):
        load_config(tmp_path, {"OIDC_PASSWORD_SIGN_IN": "false"})
