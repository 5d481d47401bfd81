"""Benchmark 4: time to information in the phone menu, for each language.

Each demo client (one per language, with a planned meeting) calls the real
`/twilio/voice` webhook through the Flask test client, with signed requests as Twilio
sends them. The caller presses the key that leads to the next meeting (1 on the menu; on
the screen for a language Twilio cannot speak, 2 for the Swedish menu) as soon as it has
been offered (a <Gather> takes keys while it speaks), and stops when a <Say> names the
meeting's date. Seconds are words spoken at SPEAKING_RATE; the baseline is the same
call by a caller who waits for each whole screen before pressing.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

from bench.common import Context, Result, Table, Target, app_config

NAME = "phone_menu"
TITLE = "Phone menu: time to the next meeting"

SPEAKING_RATE = 150  # words per minute: Twilio's standard voices, read slowly and clearly
BASE = "http://127.0.0.1:5000"
TOKEN = "bench-auth-token"
KEYS = {"menu": "1", "interpreter": "2"}  # which key leads on to the next meeting
MAX_SCREENS = 4


def _seconds(words: int) -> float:
    return words * 60 / SPEAKING_RATE


def _words(texts: list[str]) -> int:
    return sum(len(text.split()) for text in texts)


def _offers(text: str, key: str) -> bool:
    """Whether a sentence names this key ("Tryck 1 ...", in any script's digits)."""
    from app.sms.digits import normalise_digits

    return key in re.findall(r"\d+", normalise_digits(text))


class Call:
    """One call by a known client, step by step, as Twilio posts it."""

    def __init__(self, test_client, phone: str, to: str) -> None:
        self.test_client, self.phone, self.to = test_client, phone, to
        self.sid = "CA" + uuid.uuid4().hex

    def post(self, url: str, **params) -> ET.Element:
        from app.twilio_requests import sign

        parts = urlparse(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.phone,
            "To": self.to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
        } | params
        response = self.test_client.post(
            path, data=data, headers={"X-Twilio-Signature": sign(BASE + path, data, TOKEN)}
        )
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return ET.fromstring(response.data)


def walk(call: Call, dates: set[str]) -> dict:
    """Press on until a <Say> names one of `dates`; count keys and words on the way."""
    root = call.post(f"{BASE}/twilio/voice")
    keys, eager, patient, voices = 0, [], [], set()
    for _ in range(MAX_SCREENS):
        says = [el.text or "" for el in root.iter("Say")]
        voices |= {el.get("voice") or "(none)" for el in root.iter("Say")}
        heard = next((i for i, text in enumerate(says) if any(d in text for d in dates)), None)
        if heard is not None:
            return {
                "keys": keys,
                "eager_words": _words(eager + says[: heard + 1]),
                "eager_words_before": _words(eager + says[:heard]),
                "patient_words": _words(patient + says[: heard + 1]),
                "voices": sorted(voices),
                "found": True,
            }
        action = root.find("Gather").get("action")
        screen = urlparse(action).path.rsplit("/", 1)[-1]
        key = KEYS.get(screen, "1")
        offered = next((i for i, text in enumerate(says) if _offers(text, key)), len(says) - 1)
        eager += says[: offered + 1]
        patient += says
        keys += 1
        root = call.post(action, Digits=key)
    return {"keys": keys, "found": False, "voices": sorted(voices)}


def run(context: Context) -> Result:
    """Call once as each demo client and measure the way to the next meeting."""
    from sqlmodel import Session, select

    from app import create_app, demo
    from app.db import get_engine
    from app.models import Appointment, Client, utcnow
    from app.words.i18n import catalogs
    from app.words.languages import get_language, language_codes

    folder = context.scratch / "phone_menu"
    folder.mkdir(parents=True, exist_ok=True)
    database_url = context.database.fresh()
    app = create_app(
        app_config(database_url, folder, PUBLIC_BASE_URL=BASE, TWILIO_AUTH_TOKEN=TOKEN)
    )
    found = {}
    with app.app_context():
        with Session(get_engine(), expire_on_commit=False) as session:
            demo.load_demo(session)
            booked = (  # the next meeting (the demo also has past ones)
                select(Client.language, Appointment.starts_at)
                .join(Appointment, Appointment.client_id == Client.id)
                .where(Appointment.status == "planned", Appointment.starts_at > utcnow())
            )
            meetings = dict(session.exec(booked).all())
        test_client = app.test_client()
        for index, code in enumerate(language_codes(), start=1):
            dates = {
                catalogs().formatter(spoken).weekday_date(meetings[code])
                for spoken in {code, "sv", "en"}
            }
            call = Call(test_client, demo.demo_phone(index), demo.UNIT["phone_menu_number"])
            found[code] = walk(call, dates) | {"has_voice": get_language(code).has_voice}
    app.extensions["tydligt.engine"].dispose()
    context.database.drop(database_url)
    return _result(found)


def _result(found: dict) -> Result:
    rows = []
    for code, r in found.items():
        if not r["found"]:
            rows.append([code, "yes" if r["has_voice"] else "no", "not reached", "", "", "", ""])
            continue
        rows.append(
            [
                code,
                "yes" if r["has_voice"] else "no (Swedish menu)",
                str(r["keys"]),
                str(r["eager_words"]),
                f"{_seconds(r['eager_words_before']):.1f}",
                f"{_seconds(r['eager_words']):.1f}",
                f"{_seconds(r['patient_words']):.1f}",
            ]
        )
    table = Table(
        ["language", "Twilio voice", "keypresses", "words", "s until the meeting is named",
         "s until it is said", "baseline: s waiting for each whole screen"],
        rows,
    )  # fmt: skip
    voiced = {c: r for c, r in found.items() if r["has_voice"]}
    unvoiced = {c: r for c, r in found.items() if not r["has_voice"]}
    worst = max(voiced.values(), key=lambda r: r.get("eager_words", 10**6))
    voiced_met = all(r["found"] and r["keys"] == 1 and _seconds(r["eager_words"]) <= 15
                     for r in voiced.values())  # fmt: skip
    targets = [
        Target(
            f"1 keypress and ≤ 15 s ({', '.join(voiced)}: Twilio speaks them)",
            voiced_met,
            f"1 keypress in each; at most {_seconds(worst.get('eager_words', 0)):.1f} s "
            "until the meeting has been said",
        ),
        Target(
            f"1 keypress and ≤ 15 s ({', '.join(unvoiced)}: no Twilio voice)",
            all(r["found"] and r["keys"] == 1 for r in unvoiced.values()) and bool(unvoiced),
            "by design: the caller first hears, in Swedish and English, that we cannot speak "
            "their language by phone and can press 1 for a callback with an interpreter; "
            f"the meeting (in Swedish) is {max(r.get('keys', 0) for r in unvoiced.values())} "
            "keypresses away",
        ),
    ]
    notes = [
        f"Speaking rate {SPEAKING_RATE} words per minute for every language (slow, clear "
        "speech; Twilio's voices are near this at their default rate). Words are counted as "
        "written, so a time like 14.00 counts as one word: spoken it takes longer.",
        "The caller presses as soon as the key is offered (a <Gather> listens while it "
        "speaks); the baseline column waits for each screen to end first.",
        "For Somali, Persian, Dari and Tigrinya the first screen is said in Swedish and in "
        "English (no <Say> voice exists for them); a recording in "
        "locales/<code>/audio/interpreter.mp3 would play before it (none is recorded yet, "
        "and its length would add to these times).",
    ]
    return Result(NAME, TITLE, [table], targets, notes, data={"languages": found})
