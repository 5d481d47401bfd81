"""Pictures and recordings open through the app, for staff who may see the client: the
pages never link to the provider's (possibly public) URLs, the file is fetched from Twilio
with the account's credentials and never cached."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client as TwilioClient

from app.models import CallbackRequest, InboundMessage
from app.retention import run_retention
from app.transports.twilio_stored import FileHttpClient
from tests.admin.conftest import PASSWORD, sign_in
from tests.factories import create_client, create_staff, create_unit, password_hash_of
from tests.twilio_fake import FakeTwilioHttp, error_body

ACCOUNT = "AC" + "a" * 32
API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}"
MESSAGE_SID = "MM" + "4" * 32
MEDIA = [f"{API}/Messages/{MESSAGE_SID}/Media/ME{n * 32}" for n in "56"]
RECORDING = f"{API}/Recordings/RE{'7' * 32}"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x02\x00\x80\xff\xd9"  # not valid UTF-8
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64"


class FileTwilioHttp(FakeTwilioHttp):
    """Also serves files, by URL, the way Twilio does: bytes with their Content-Type."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[int, bytes, str]] = {}

    def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):  # fmt: skip
        if method == "GET" and uri in self.files:
            self.requests.append({"method": method, "uri": uri, "data": {}, "auth": auth})
            status, content, content_type = self.files[uri]
            return Response(status, content, {"Content-Type": content_type})
        return super().request(method, uri, params, data, headers, auth, timeout, allow_redirects)


@pytest.fixture
def http() -> FileTwilioHttp:
    fake = FileTwilioHttp()
    fake.files = {
        MEDIA[0]: (200, JPEG, "image/jpeg"),
        MEDIA[1]: (200, b"<script>alert(1)</script>", "text/html; charset=utf-8"),
        f"{RECORDING}.mp3": (200, MP3, "audio/mpeg"),
    }
    return fake


@pytest.fixture
def config(config, http):
    """The app on the Twilio transport, its HTTP layer faked."""
    return config | {
        "SMS_TRANSPORT": "twilio",
        "SECRET_KEY": "s" * 40,
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_FROM_NUMBER": "+46846500400",
        "TWILIO_HTTP_CLIENT": http,
    }


@pytest.fixture
def sent(session, unit, caseworker):
    """A client of the case worker sent two pictures and recorded a message."""
    client = create_client(session, caseworker)
    inbound = InboundMessage(provider_id=MESSAGE_SID, from_phone=client.phone,
                             to_phone=unit.phone, unit_id=unit.id, client_id=client.id,
                             body="Här är intyget", media="\n".join(MEDIA),
                             needs_answer=True)  # fmt: skip
    callback = CallbackRequest(client_id=client.id, unit_id=unit.id, source="voice",
                               recording_url=RECORDING)  # fmt: skip
    session.add_all([inbound, callback])
    session.commit()
    return inbound, callback


def gets(http) -> list:
    return [(r["uri"], r["auth"]) for r in http.requests if r["method"] == "GET"]


def test_the_pages_link_to_the_app_never_to_the_provider(as_caseworker, sent):
    inbound, callback = sent
    today = as_caseworker.get("/admin/").get_data(as_text=True)
    message = as_caseworker.get(f"/admin/inbox/{inbound.id}").get_data(as_text=True)
    for page in (today, message):
        assert "twilio.com" not in page
        assert f'href="/admin/media/inbound/{inbound.id}/1"' in page
        assert f'href="/admin/media/inbound/{inbound.id}/2"' in page
    assert f'href="/admin/media/callback/{callback.id}"' in today


def test_the_case_worker_gets_the_picture_fetched_with_the_accounts_credentials(
    as_caseworker, sent, http
):
    inbound, _ = sent
    response = as_caseworker.get(f"/admin/media/inbound/{inbound.id}/1")
    assert response.status_code == 200
    assert response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert gets(http) == [(MEDIA[0], (ACCOUNT, "test-auth-token"))]


def test_the_case_worker_hears_the_recording(as_caseworker, sent, http):
    _, callback = sent
    response = as_caseworker.get(f"/admin/media/callback/{callback.id}")
    assert response.status_code == 200
    assert (response.data, response.mimetype) == (MP3, "audio/mpeg")
    assert response.headers["Cache-Control"] == "no-store"
    assert gets(http) == [(f"{RECORDING}.mp3", (ACCOUNT, "test-auth-token"))]


def test_an_administrator_of_the_unit_may_open_them(client, administrator, sent):
    inbound, callback = sent
    sign_in(client, administrator)
    assert client.get(f"/admin/media/inbound/{inbound.id}/1").data == JPEG
    assert client.get(f"/admin/media/callback/{callback.id}").data == MP3


def test_staff_who_may_not_see_the_client_are_refused(
    client, session, caseworker, colleague, sent, http
):
    inbound, callback = sent
    elsewhere = create_unit(session, name="Västby kommun", phone="+46855500100")
    their_admin = create_staff(session, elsewhere, email="admin@vastby.example", role="admin",
                               password_hash=password_hash_of(PASSWORD))  # fmt: skip
    for staff in (colleague, their_admin):
        sign_in(client, staff)
        assert client.get(f"/admin/media/inbound/{inbound.id}/1").status_code == 404
        assert client.get(f"/admin/media/callback/{callback.id}").status_code == 404
    assert gets(http) == []  # Twilio was not even asked
    sign_in(client, caseworker)
    assert client.get(f"/admin/media/inbound/{inbound.id}/1").data == JPEG


def test_a_text_from_an_unknown_number_is_for_the_unit_it_reached(client, session, unit,
                                                                     colleague, http):  # fmt: skip
    elsewhere = create_unit(session, name="Västby kommun", phone="+46855500100")
    stranger = create_staff(session, elsewhere, email="eva@vastby.example",
                            password_hash=password_hash_of(PASSWORD))  # fmt: skip
    inbound = InboundMessage(provider_id=MESSAGE_SID, from_phone="+46709999999",
                             to_phone=unit.phone, unit_id=unit.id, media=MEDIA[0])  # fmt: skip
    callback = CallbackRequest(from_phone="+46709999999", unit_id=unit.id, source="voice",
                               recording_url=RECORDING)  # fmt: skip
    session.add_all([inbound, callback])
    session.commit()
    sign_in(client, stranger)
    assert client.get(f"/admin/media/inbound/{inbound.id}/1").status_code == 404
    assert client.get(f"/admin/media/callback/{callback.id}").status_code == 404
    sign_in(client, colleague)
    assert client.get(f"/admin/media/inbound/{inbound.id}/1").data == JPEG
    assert client.get(f"/admin/media/callback/{callback.id}").data == MP3


def test_a_file_that_could_run_code_is_only_offered_as_a_download(as_caseworker, sent):
    inbound, _ = sent
    response = as_caseworker.get(f"/admin/media/inbound/{inbound.id}/2")
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_a_file_twilio_no_longer_keeps_gets_a_clear_page(as_caseworker, sent, http):
    inbound, callback = sent
    gone = json.dumps(error_body(20404, 404, "not found")).encode()
    http.files[MEDIA[0]] = (404, gone, "application/json")
    http.files[f"{RECORDING}.mp3"] = (404, gone, "application/json")
    for url in (f"/admin/media/inbound/{inbound.id}/1", f"/admin/media/callback/{callback.id}"):
        response = as_caseworker.get(url)
        assert response.status_code == 410
        assert "The file is no longer kept" in response.get_data(as_text=True)


def test_a_file_retention_removed_gets_the_same_page(as_caseworker, caseworker, session, sent):
    inbound, callback = sent
    run_retention(datetime.now(UTC) + timedelta(days=91))
    sign_in(as_caseworker, caseworker)  # retention 91 days on removed today's sessions too
    for url in (f"/admin/media/inbound/{inbound.id}/1", f"/admin/media/callback/{callback.id}"):
        response = as_caseworker.get(url)
        assert response.status_code == 410
        assert "deleted after 90 days" in response.get_data(as_text=True)
    assert as_caseworker.get(f"/admin/media/inbound/{inbound.id}/3").status_code == 410


def test_twilio_not_answering_is_said_so(as_caseworker, sent, http):
    inbound, _ = sent
    http.files[MEDIA[0]] = (503, b"", "text/plain")
    response = as_caseworker.get(f"/admin/media/inbound/{inbound.id}/1")
    assert response.status_code == 502
    assert "Could not fetch the file" in response.get_data(as_text=True)


class FileServer(BaseHTTPRequestHandler):
    """Loopback stand-in for Twilio's file hosting: /media redirects to another host name
    (as Twilio does to its CDN), /cdn serves the bytes; it notes who sent credentials."""

    seen: list = []

    def do_GET(self):  # the name http.server calls
        self.seen.append((self.path, "Authorization" in self.headers))
        if self.path == "/media":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/cdn")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(JPEG)))
        self.end_headers()
        self.wfile.write(JPEG)

    def log_message(self, *args):
        pass


def test_the_file_client_keeps_the_bytes_and_the_credentials_stay_with_the_first_host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FileServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/media"
    try:
        FileServer.seen = []
        ours_http, stock_http = FileHttpClient(), TwilioHttpClient()
        for http in (ours_http, stock_http):
            http.session.trust_env = False  # loopback: never through a configured proxy
        ours = TwilioClient(ACCOUNT, "token", http_client=ours_http)
        response = ours.request("GET", url, allow_redirects=True)
        assert (response.status_code, response.content) == (200, JPEG)
        assert FileServer.seen == [("/media", True), ("/cdn", False)]
        # Why the app has its own: the library's client turns the picture into text.
        stock = TwilioClient(ACCOUNT, "token", http_client=stock_http)
        assert stock.request("GET", url, allow_redirects=True).content != JPEG
    finally:
        server.shutdown()
        server.server_close()
