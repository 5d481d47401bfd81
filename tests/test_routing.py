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


def test_a_rule_is_parsed_once_and_each_app_matches_with_converters_of_its_own():
    apps = [make_app(), make_app(), make_app(shared=False)]
    rules = [{r.endpoint: r for r in app.url_map.iter_rules()} for app in apps]
    first, second, werkzeugs = (found["page"] for found in rules)
    assert first._parts[1] is second._parts[1], "the parsed parts are shared"
    for rule in (first, second):
        assert rule._parts == werkzeugs._parts
        assert rule._trace == werkzeugs._trace
        assert rule.arguments == werkzeugs.arguments == {"client_id"}
    assert first._converters["client_id"] is not second._converters["client_id"]
    assert first._converters["client_id"].map is apps[0].url_map
    for app in apps:
        adapter = app.url_map.bind("tydligt.example")
        assert adapter.match("/c/12/page") == ("page", {"client_id": 12})
        assert adapter.match("/p/abc/x") == ("link_x", {"token": "abc"})


def test_the_same_text_with_other_converters_is_parsed_for_them():
    from werkzeug.routing import BaseConverter

    class Upper(BaseConverter):
        regex = "[A-Z]+"

    plain, custom = make_app(), Flask(__name__)
    custom.url_rule_class = SharedBuilderRule
    custom.url_map.converters["default"] = Upper
    custom.add_url_rule("/p/<token>/x", "link_x", lambda token: "")
    assert custom.url_map.bind("x").match("/p/ABC/x") == ("link_x", {"token": "ABC"})
    assert plain.url_map.bind("x").match("/p/abc/x") == ("link_x", {"token": "abc"})
