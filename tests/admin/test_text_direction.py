"""Client texts in their own language and direction (WCAG 3.1.2): wherever staff read what
a client wrote, or what was sent to a client, the element holding it says its language
(lang, BCP 47), so a screen reader reads it in that language and not in Swedish, and its
direction: dir="auto" for what a client wrote (an Arabic text reads right to left inside
the Swedish page, a Swedish one from an Arabic-speaking client stays left to right), the
language's own direction for what we sent in it."""

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from app.models import InboundMessage, OutboxMessage, OutboxStatus, Representative
from tests.admin.conftest import post
from tests.factories import create_client

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # a Wednesday
ASKED = "متى موعدي القادم؟ لا أفهم الرسالة"  # "When is my next meeting? I do not understand"
PHOTO = "هذه فاتورة الإيجار"  # "This is the rent notice", with a photo
AUTOMATIC = "شكرا. سيقرأ شخص رسالتك"  # the automatic reply: "Thanks. A person will read it"
SENT = "مرحبا أمل! هذه رسالة من بلدية إيكبي"  # a message we sent
ANSWER = "نعم، يوم الجمعة مناسب"  # "Yes, Friday suits": a case worker's answer, previewed
DARI = "سلام، فردا می‌آیم"  # "Hello, I come tomorrow", from a client who writes Dari
BROTHER = "من برادر امل هستم"  # "I am Amal's brother", from her representative, in Persian
STRANGER = "من أنت؟ لا أعرف هذا الرقم"  # "Who are you? I do not know this number"


class Holders(HTMLParser):
    """For each text node containing a marker: the innermost element around it, with its
    attributes, and the language and direction it inherits (None: none but the page's)."""

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
                inherited = {
                    name: next((a[name] for _t, a in reversed(self.stack[1:]) if name in a), None)
                    for name in ("lang", "dir")
                }  # the stack's first element is <html>, whose lang is the staff language
                self.found.append((marker, tag, attrs | {"inherited": inherited}))


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


@pytest.fixture
def others(session, caseworker, amal):
    """Farida writes Dari ("prs", which HTML knows as fa-AF); Amal's brother writes for her
    in Persian; and someone we do not know writes in Arabic."""
    farida = create_client(session, caseworker, first_name="Farida", last_name="Amiri",
                           phone="+46700000006", language="prs")  # fmt: skip
    brother = Representative(client_id=amal.id, name="Karim Yusuf", phone="+46700000098",
                             language="fa")  # fmt: skip
    session.add(brother)
    session.commit()
    session.add_all(
        [
            InboundMessage(provider_id="SMprs1", from_phone=farida.phone, client_id=farida.id,
                           body=DARI, needs_answer=True, intent="free_text",
                           received_at=NOW - timedelta(minutes=50)),
            InboundMessage(provider_id="SMfa1", from_phone=brother.phone, client_id=amal.id,
                           representative_id=brother.id, body=BROTHER, needs_answer=True,
                           intent="free_text", received_at=NOW - timedelta(minutes=40)),
            InboundMessage(provider_id="SMunknown1", from_phone="+46700000099", body=STRANGER,
                           unit_id=caseworker.unit_id, needs_answer=True, intent="free_text",
                           received_at=NOW - timedelta(minutes=30)),
        ]
    )  # fmt: skip
    session.commit()


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
    for number in (1, 2, 3, 4, 5):
        html[f"inbox message {number}"] = web.get(f"/admin/inbox/{number}").get_data(as_text=True)
    preview = post(web, "/admin/inbox/1", {"answer": "own", "action": "preview",
                                           "text": ANSWER})  # fmt: skip
    html["answer preview"] = preview.get_data(as_text=True)
    return html


# marker: (the languages it may be shown in, as HTML writes them; whether a client wrote it)
LANGUAGES = {
    ASKED: ({"ar"}, True), PHOTO: ({"ar"}, True), DARI: ({"fa-AF"}, True),
    # Today and the inbox list know the client, not the representative who wrote: there
    # the language is unknown (lang=""), never the client's, which is not his.
    BROTHER: ({"fa", ""}, True),
    STRANGER: ({""}, True),  # an unknown sender: the language is unknown, said with lang=""
    AUTOMATIC: ({"ar"}, False), SENT: ({"ar"}, False),
    ANSWER: ({"ar", "sv"}, False),  # own words, in the Arabic message and the Swedish beside it
}  # fmt: skip
DIRECTIONS = {"ar": "rtl", "sv": "ltr"}


def test_every_element_showing_a_clients_text_says_its_language_and_direction(
    as_caseworker, session, amal, others
):
    seen = set()
    problems = []
    for name, html in pages(as_caseworker, amal).items():
        for marker, tag, attrs in holders(html, list(LANGUAGES)):
            seen.add((name, marker))
            if tag == "textarea":
                continue  # what the case worker is typing: its own dir="auto" is checked below
            langs, by_client = LANGUAGES[marker]
            lang, direction = attrs["inherited"]["lang"], attrs["inherited"]["dir"]
            if marker == BROTHER and lang == "" and name not in ("today", "inbox"):
                langs = {"fa"}  # where the page knows who wrote, it says his language
            if lang not in langs or direction != ("auto" if by_client else DIRECTIONS[lang]):
                problems.append(f"{name}: <{tag} {attrs}> shows {marker[:20]!r}")
    assert problems == [], "\n".join(problems)
    # The texts are really on the pages checked (else the test proves nothing).
    for expected in [
        ("today", ASKED), ("today", PHOTO), ("today", DARI), ("today", STRANGER),
        ("inbox", ASKED), ("inbox", PHOTO), ("inbox", DARI), ("inbox", BROTHER),
        ("inbox", STRANGER), ("inbox message 1", ASKED), ("inbox message 1", AUTOMATIC),
        ("inbox message 1", SENT), ("inbox message 2", PHOTO), ("inbox message 3", DARI),
        ("inbox message 4", BROTHER), ("inbox message 5", STRANGER), ("client", ASKED),
        ("client", AUTOMATIC), ("client", SENT), ("client", BROTHER), ("simulator", ASKED),
        ("simulator", AUTOMATIC), ("simulator", SENT), ("answer preview", ANSWER),
    ]:  # fmt: skip
        assert expected in seen, expected


def test_the_answer_box_follows_the_direction_of_what_is_typed(as_caseworker, session, amal):
    html = as_caseworker.get("/admin/inbox/1").get_data(as_text=True)
    box = html[html.index("<textarea") : html.index(">", html.index("<textarea"))]
    assert 'dir="auto"' in box
