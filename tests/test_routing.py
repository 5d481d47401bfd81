"""URL rules share their compiled builders between apps, and build the same URLs."""

from flask import Flask, url_for

from app.routing import SharedBuilderRule


def make_app(shared: bool = True) -> Flask:
    app = Flask(__name__)
    if shared:
        app.url_rule_class = SharedBuilderRule
    app.add_url_rule("/c/<int:client_id>/page", "page", lambda client_id: "")
    app.add_url_rule("/p/<token>", "link", lambda token: "", defaults={"token": "t0"})
    app.add_url_rule("/p/<token>/x", "link_x", lambda token: "")
    return app


def test_two_apps_share_a_rule_s_builder_and_build_the_same_urls():
    first, second = make_app(), make_app()
    rule_of = {app: {r.endpoint: r for r in app.url_map.iter_rules()} for app in (first, second)}
    assert (
        rule_of[first]["page"]._build_unknown.__func__
        is rule_of[second]["page"]._build_unknown.__func__
    )
    built = []
    for app in (first, second, make_app(shared=False)):  # the last as Werkzeug builds them
        with app.test_request_context():
            built.append(
                (
                    url_for("page", client_id=7, show="missing"),
                    url_for("link_x", token="a b/c"),
                    url_for("link"),
                )
            )
    assert built[0] == built[1] == built[2]
    assert built[0][0] == "/c/7/page?show=missing"
