"""GET /: the start page README and `make run` point to (issue 19: it was a bare 404)."""

from tests.admin.conftest import post


def test_the_start_page_says_what_tydligt_is_and_leads_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="sv">' in page  # the staff interface starts in Swedish
    assert "Tydligt påminner" in page
    assert 'href="/admin/login"' in page and "Logga in" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_language_of_the_staff_pages_is_chosen_on_the_start_page(client):
    client.get("/")
    response = post(client, "/admin/language", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page


def test_the_phone_simulator_is_offered_only_where_nothing_is_sent(app, client):
    assert 'href="/admin/simulator"' in client.get("/").get_data(as_text=True)
    app.config["SMS_TRANSPORT"] = "twilio"  # real texts: no simulator
    assert "/admin/simulator" not in client.get("/").get_data(as_text=True)


def test_a_signed_in_case_worker_is_offered_today(client, as_caseworker):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in page and "Go to Today" in page
    assert 'href="/admin/login"' not in page
