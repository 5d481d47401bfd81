"""The pages' Content-Security-Policy with a sign-language video: media from one https host,
everything else as strict as without it."""

import pytest

from app.security import DEFAULT_CSP, content_security_policy


def test_without_a_video_the_policy_is_the_strict_one():
    assert content_security_policy() == DEFAULT_CSP
    assert "media-src" not in DEFAULT_CSP


def test_a_video_host_is_allowed_for_media_only():
    policy = content_security_policy("https://media.ekby.example:8443")
    assert policy == f"{DEFAULT_CSP}; media-src https://media.ekby.example:8443"


@pytest.mark.parametrize(
    "origin",
    [
        "http://media.ekby.example",
        "https://media.ekby.example; script-src *",
        "https://*.example",
        "https://media.ekby.example/path",
        "'self' https://a.example",
        "",
    ],
)
def test_anything_but_a_plain_https_host_adds_nothing(origin):
    assert content_security_policy(origin) == DEFAULT_CSP
