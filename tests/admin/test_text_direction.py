"""Client texts in their own direction: wherever staff read what a client wrote, or what
was sent to a client, the element holding it has dir="auto", so an Arabic text reads
right to left inside the Swedish page (and a Swedish one inside an Arabic line stays left
to right)."""

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from app.models import InboundMessage, OutboxMessage, OutboxStatus
from tests.admin.conftest import post
from tests.factories import create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
ASKED = "متى موعدي القادم؟ لا أفهم الرسالة"  # "When is my next meeting? I do not understand"
PHOTO = "هذه فاتورة الإيجار"  # "This is the rent notice", with a photo
AUTOMATIC = "شكرا. سيقرأ شخص رسالتك"  # the automatic reply: "Thanks. A person will read it"
SENT = "مرحبا أمل! هذه رسالة من بلدية إيكبي"  # a message we sent


class Holders(HTMLParser):
    """For each text node containing a marker: the attributes of the innermost element
    around it."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"}

    def __init__(self, markers: list[str]) -> None:
        super().__init__()
        self.markers = markers
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[str, str, dict]] = []  # (marker, tag, attributes)

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        for marker in self.markers:
            if marker[:12] in data and self.stack:
                tag, attrs = self.stack[-1]
                self.found.append((marker, tag, attrs))


def holders(html: str, markers: list[str]) -> list[tuple[str, str, dict]]:
    parser = Holders(markers)
    parser.feed(html)
    return parser.found


pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def amal(session, caseworker):
    """A client who writes Arabic, with a question, a photo, and messages sent to her."""
    client = create_client(
        session, caseworker, first_name="Amal", last_name="Yusuf", phone="+46700000003",
        language="ar",
    )  # fmt: skip
    session.add_all(
        [
            InboundMessage(provider_id="SMar1", from_phone=client.phone, client_id=client.id,
                           body=ASKED, needs_answer=True, intent="free_text", reply=AUTOMATIC,
                           received_at=NOW - timedelta(hours=2)),
            InboundMessage(provider_id="SMar2", from_phone=client.phone, client_id=client.id,
                           body=PHOTO, media="https://api.twilio.example/m/1", needs_answer=True,
                           intent="free_text", received_at=NOW - timedelta(hours=1)),
            OutboxMessage(kind="staff_message", client_id=client.id, dedupe_key="ar-sent",
                          due_at=NOW - timedelta(days=1), sent_at=NOW - timedelta(days=1),
                          status=OutboxStatus.SENT, body=SENT, language="ar"),
        ]
    )  # fmt: skip
    session.commit()
    return client


def pages(web, client) -> dict[str, str]:
    """Every admin page where staff read a client's texts or what was sent to them."""
    urls = {
        "today": "/admin/",
        "inbox": "/admin/inbox?state=all",
        "client": f"/admin/clients/{client.id}",
        "simulator": f"/admin/simulator?client_id={client.id}",
        "outbox": "/admin/outbox",
        "feedback": "/admin/feedback",
    }
    found = {name: web.get(url) for name, url in urls.items()}
    for name, response in found.items():
        assert response.status_code == 200, name
    html = {name: response.get_data(as_text=True) for name, response in found.items()}
    for number in (1, 2):
        html[f"inbox message {number}"] = web.get(f"/admin/inbox/{number}").get_data(as_text=True)
    preview = post(web, "/admin/inbox/1", {"answer": "own", "action": "preview",
                                           "text": "نعم، يوم الجمعة مناسب"})  # fmt: skip
    html["answer preview"] = preview.get_data(as_text=True)
    return html


def test_every_element_showing_a_clients_text_has_dir_auto(as_caseworker, session, amal):
    markers = [ASKED, PHOTO, AUTOMATIC, SENT, "نعم، يوم الجمعة مناسب"]
    seen = set()
    problems = []
    for name, html in pages(as_caseworker, amal).items():
        for marker, tag, attrs in holders(html, markers):
            seen.add((name, marker))
            if tag == "textarea":
                continue  # what the case worker is typing: its own dir="auto" is checked below
            if attrs.get("dir") != "auto":
                problems.append(f"{name}: <{tag} {attrs}> shows {marker[:20]!r}")
    assert problems == []
    # The texts are really on the pages checked (else the test proves nothing).
    for expected in [
        ("today", ASKED), ("today", PHOTO), ("inbox", ASKED), ("inbox", PHOTO),
        ("inbox message 1", ASKED), ("inbox message 1", AUTOMATIC), ("inbox message 1", SENT),
        ("inbox message 2", PHOTO), ("client", ASKED), ("client", AUTOMATIC), ("client", SENT),
        ("simulator", ASKED), ("simulator", AUTOMATIC), ("simulator", SENT),
        ("answer preview", "نعم، يوم الجمعة مناسب"),
    ]:  # fmt: skip
        assert expected in seen, expected


def test_the_answer_box_follows_the_direction_of_what_is_typed(as_caseworker, session, amal):
    html = as_caseworker.get("/admin/inbox/1").get_data(as_text=True)
    box = html[html.index("<textarea") : html.index(">", html.index("<textarea"))]
    assert 'dir="auto"' in box
