"""Benchmark 4: time to information in the phone menu, for each language, in real seconds.

Each demo client (one per language, with a planned meeting) calls the real
`/twilio/voice` webhook through the Flask test client, with signed requests as Twilio
sends them, and the TwiML it gets back is timed as the caller would hear it:
- a <Play> lasts as long as the file it plays (the URL `/recordings/<lang>/<file>` is a
  file in RECORDINGS_DIR, decoded by app.voice.audio.duration);
- a <Say> lasts as long as the same text synthesized by espeak-ng at 150 words a minute
  in the <Say>'s language (tests/espeak.py), not a word count: long Finnish words, times
  like 17.30 and pauses at commas all take their real time;
- a <Pause> lasts its length.
The caller presses the key that leads to the next meeting (1 on the menu; 2 on the screen
that offers an interpreter, for the Swedish menu) as soon as the row that offers it has
ended (a <Gather> takes keys while it speaks), and has heard the meeting when the row
that says its date and time has ended. The baseline is the same call by a caller who
waits for each whole screen before pressing.

Two installations: (a) as installed, with no recordings; (b) with a full set of
recordings for Somali, Persian, Dari and Tigrinya, made by espeak-ng
(tests/espeak.make_set) in place of an interpreter's.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from bench.common import Context, Result, Table, Target, app_config

NAME = "phone_menu"
TITLE = "Phone menu: time to the next meeting"

BASE = "http://127.0.0.1:5000"
TOKEN = "bench-auth-token"
KEYS = {"menu": "1", "interpreter": "2"}  # which key leads on to the next meeting
MAX_SCREENS = 4
TARGET_SECONDS = 15.0
RECORDED = ("so", "fa", "prs", "ti")  # the languages Twilio has no voice for
_VALUE = re.compile(r"^(weekday|month|day|number|hundred|language|unit)-")


@dataclass(frozen=True)
class Heard:
    """One verb the caller hears: what it is and how long it takes."""

    kind: str  # "say", "play" or "pause"
    what: str  # the text said, or the recording's name
    code: str  # the language of the voice, or of the recording
    seconds: float


class Clock:
    """How long each verb takes: espeak-ng for <Say>, the file for <Play>."""

    def __init__(self, recordings: Path) -> None:
        from app.words.languages import languages

        self.recordings = recordings
        self.voices = {lang.say_language: lang.code for lang in languages() if lang.say_language}
        self._said: dict[tuple[str, str], float] = {}

    def say(self, element: ET.Element) -> Heard:
        from tests.espeak import ESPEAK_VOICE, seconds, synthesize

        text = element.text or ""
        # A <Say> with no language is Twilio's default voice, which speaks English.
        code = self.voices.get(element.get("language") or "", "en")
        if (code, text) not in self._said:
            self._said[code, text] = seconds(synthesize(text, ESPEAK_VOICE[code]))
        return Heard("say", text, code, self._said[code, text])

    def play(self, element: ET.Element) -> Heard:
        from app.voice.audio import duration

        _, _, code, file = urlparse(element.text or "").path.split("/", 3)
        path = self.recordings / code / file
        return Heard("play", path.stem, code, duration(path))

    def screen(self, root: ET.Element) -> list[Heard]:
        """What the caller hears while the screen listens for a key, in order."""
        heard = []
        for element in root:
            verbs = list(element) if element.tag == "Gather" else [element]
            for verb in verbs:
                if verb.tag == "Say":
                    heard.append(self.say(verb))
                elif verb.tag == "Play":
                    heard.append(self.play(verb))
                elif verb.tag == "Pause":
                    heard.append(Heard("pause", "", "", float(verb.get("length") or 1)))
            if element.tag == "Gather":
                break  # after it: what silence leads to
        return heard


class Rows:
    """Where rows begin and end in a run of verbs. A text-to-speech row is one <Say>; a
    recorded row is the pieces of one phrase (app.voice.inventory names them) with its
    values between them, and a name said by the Swedish voice among them."""

    def __init__(self, code: str) -> None:
        from app.voice.inventory import needed

        self.phrases = {item.name: item for item in needed(code) if item.group != "value"}

    def phrase(self, heard: Heard) -> str | None:
        item = self.phrases.get(heard.what) if heard.kind == "play" else None
        return item.swedish if item else None

    def _slot_after(self, heard: Heard) -> bool:
        """Whether a value follows this piece in its sentence."""
        item = self.phrases[heard.what]
        at = item.sentence.find(item.text)
        return at >= 0 and "[" in item.sentence[at + len(item.text) :]

    def _owner(self, heard: list[Heard], index: int) -> int | None:
        """The piece whose sentence verb `index` is part of: itself, the piece before it
        when that sentence goes on with a value, else the piece after it."""
        if self.phrase(heard[index]) is not None:
            return index
        pieces = [i for i, h in enumerate(heard) if self.phrase(h) is not None]
        before = [i for i in pieces if i < index]
        after = [i for i in pieces if i > index]
        if before and self._slot_after(heard[before[-1]]):
            return before[-1]
        return after[0] if after else (before[-1] if before else None)

    def end(self, heard: list[Heard], index: int) -> int:
        """The last verb of the row that verb `index` belongs to."""
        if heard[index].kind != "play":
            return index  # a voice says a row in one <Say>
        owner = self._owner(heard, index)
        if owner is None:
            return index
        phrase, last, stop = self.phrase(heard[owner]), max(index, owner), len(heard)
        for i in range(max(index, owner) + 1, len(heard)):
            other = self.phrase(heard[i])
            if other == phrase:
                last = i
            elif other is not None or heard[i].kind == "pause":
                stop = i
                break
        piece = max(i for i in range(owner, last + 1) if self.phrase(heard[i]) == phrase)
        if self._slot_after(heard[piece]):  # the sentence ends with a value: say it all
            last = stop - 1
        return last


def _offers(heard: Heard, key: str, rows: Rows) -> bool:
    """Whether a verb names this key ("Tryck 1 ...", in any script's digits)."""
    from app.sms.digits import normalise_digits

    if heard.kind == "play":
        if heard.what == f"number-{key}":
            return True
        item = rows.phrases.get(heard.what)
        text = item.text if item else ""
    else:
        text = heard.what
    return key in re.findall(r"\d+", normalise_digits(text))


def _names_meeting(heard: Heard, said: set[str], played: set[str]) -> bool:
    if heard.kind == "play":
        return heard.what in played
    return any(date in heard.what for date in said)


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


def _seconds(heard: list[Heard]) -> float:
    return sum(h.seconds for h in heard)


def _said(heard: list[Heard], rows: Rows) -> list[tuple[str, float]]:
    """What each verb says (a recording by its words in the language) and its seconds."""
    said = []
    for h in heard:
        item = rows.phrases.get(h.what) if h.kind == "play" else None
        what = item.text if item else (h.what or "(pause)")
        said.append((what, round(h.seconds, 1)))
    return said


def walk(call: Call, clock: Clock, rows: Rows, said: set[str], played: set[str]) -> dict:
    """Press on until the meeting's date has been said; time it as the caller hears it."""
    root = call.post(f"{BASE}/twilio/voice")
    keys, eager, patient, path, screens = 0, [], [], set(), []
    for _ in range(MAX_SCREENS):
        heard = clock.screen(root)
        path |= {(h.kind, h.code) for h in heard if h.kind != "pause"}
        at = next((i for i, h in enumerate(heard) if _names_meeting(h, said, played)), None)
        if at is not None:
            end = rows.end(heard, at)
            return {
                "keys": keys,
                "found": True,
                "menu_seconds": round(_seconds(eager), 1),
                "seconds": round(_seconds(eager + heard[: end + 1]), 1),
                "baseline": round(_seconds(patient + heard[: end + 1]), 1),
                "before": screens + [_said(heard[: end + 1], rows)],
                "path": sorted(path),
            }
        action = root.find("Gather").get("action")
        screen = urlparse(action).path.rsplit("/", 1)[-1]
        key = KEYS.get(screen, "1")
        offered = next((i for i, h in enumerate(heard) if _offers(h, key, rows)), len(heard) - 1)
        eager += heard[: rows.end(heard, offered) + 1]
        screens.append(_said(heard[: rows.end(heard, offered) + 1], rows))
        patient += heard
        keys += 1
        root = call.post(action, Digits=key)
    return {"keys": keys, "found": False, "path": sorted(path)}


def _calls(app, meetings: dict, recordings: Path) -> dict:
    """Call once as each demo client; what each heard."""
    from app import demo
    from app.voice import inventory, names
    from app.words.i18n import catalogs
    from app.words.languages import get_language, language_codes

    clock, found = Clock(recordings), {}
    test_client = app.test_client()
    for index, code in enumerate(language_codes(), start=1):
        starts = meetings[code]
        said = {catalogs().formatter(spoken).weekday_date(starts) for spoken in {code, "sv", "en"}}
        local = catalogs().formatter(code).local(starts)
        weekday = names.weekday(local.weekday())
        played = {names.day(local.day), inventory.aliases(code).get(weekday, weekday)}
        call = Call(test_client, demo.demo_phone(index), demo.UNIT["phone_menu_number"])
        found[code] = walk(call, clock, Rows(code), said, played) | {
            "has_voice": get_language(code).has_voice
        }
    return found


def run(context: Context) -> Result:
    """Call as each demo client, without recordings and with a full set, and time it."""
    from sqlmodel import Session, select

    from app import create_app, demo
    from app.db import get_engine
    from app.models import Appointment, Client, utcnow
    from tests.espeak import make_set

    folder = context.scratch / "phone_menu"
    folder.mkdir(parents=True, exist_ok=True)
    recordings = folder / "recordings"
    database_url = context.database.fresh()
    app = create_app(
        app_config(
            database_url,
            folder,
            PUBLIC_BASE_URL=BASE,
            TWILIO_AUTH_TOKEN=TOKEN,
            RECORDINGS_DIR=str(recordings),
        )
    )
    with app.app_context():
        with Session(get_engine(), expire_on_commit=False) as session:
            demo.load_demo(session)
            booked = (  # the next meeting (the demo also has past ones)
                select(Client.language, Appointment.starts_at)
                .join(Appointment, Appointment.client_id == Client.id)
                .where(Appointment.status == "planned", Appointment.starts_at > utcnow())
            )
            meetings = dict(session.exec(booked).all())
        without = _calls(app, meetings, recordings)
        for code in RECORDED:
            make_set(recordings, code)
        with_set = _calls(app, meetings, recordings)
    app.extensions["tydligt.engine"].dispose()
    context.database.drop(database_url)
    return _result(without, with_set)


def _path(code: str, r: dict) -> str:
    played = any(kind == "play" for kind, _ in r["path"])
    own_voice = any(kind == "say" and said == code for kind, said in r["path"])
    if played:
        return "recordings and voice" if own_voice else "recordings"
    if own_voice:
        return "voice"
    return "Swedish and English voices"


def _table(found: dict, title: str) -> Table:
    rows = []
    for code, r in found.items():
        if not r["found"]:
            rows.append([code, _path(code, r), "not reached", "", "", ""])
            continue
        rows.append(
            [
                code,
                _path(code, r),
                str(r["keys"]),
                f"{r['menu_seconds']:.1f}",
                f"{r['seconds']:.1f}",
                f"{r['baseline']:.1f}",
            ]
        )
    columns = [
        "language", "path", "keypresses", "s until the key is offered",
        "s until the meeting is said", "baseline: s waiting for each whole screen",
    ]  # fmt: skip
    return Table(columns, rows, title)


def _met(r: dict) -> bool:
    return r["found"] and r["keys"] == 1 and r["seconds"] <= TARGET_SECONDS


def _result(without: dict, with_set: dict) -> Result:
    worst = max(with_set, key=lambda code: with_set[code].get("seconds", 10**6))
    missed = [code for code, r in with_set.items() if not _met(r)]
    targets = [
        Target(
            f"1 keypress and ≤ {TARGET_SECONDS:.0f} s to the next meeting in all nine "
            f"languages, with a full set of recordings for {', '.join(RECORDED)}",
            not missed,
            f"at most {with_set[worst].get('seconds', 0):.1f} s ({worst})"
            + (f"; missed in {', '.join(missed)}" if missed else "; 1 keypress in each"),
        ),
    ]
    notes = [
        "Seconds are real durations: each <Say> is the same text synthesized by espeak-ng at "
        "150 words a minute in the <Say>'s language (Somali, Persian, Dari and Tigrinya have "
        "no Twilio voice and are never said by one), a name said by the Swedish voice in "
        "Swedish; each <Play> is the length of the file it plays.",
        "The recordings for so, fa, prs and ti are made by espeak-ng from each phrase's "
        "translation (Somali by the Oromo voice, Tigrinya by the Amharic one, Dari by the "
        "Persian one) and trimmed to 0.1 s of silence at each end, as recordings edited "
        "for joining are: they stand in for an interpreter's recordings of the same words, "
        "which take about as long when read slowly and clearly.",
        "The caller presses as soon as the row that offers the key has ended (a <Gather> "
        "listens while it speaks) and has heard the meeting when the row with its date and "
        "time has ended; the baseline waits for each whole screen first.",
        "Without recordings a caller in so, fa, prs or ti first hears, in Swedish and "
        "English, that we cannot speak their language by phone, and reaches the Swedish "
        "menu with 2.",
    ]
    for code in missed:
        r = with_set[code]
        if r["found"]:
            heard = " | ".join(
                ", ".join(f"{what[:48]} ({seconds:.1f} s)" for what, seconds in screen)
                for screen in r["before"]
            )
            notes.append(f"Until the meeting is said in {code} ({r['seconds']:.1f} s): {heard}.")
    tables = [
        _table(without, "(a) As installed: no recordings"),
        _table(with_set, f"(b) A full set of recordings for {', '.join(RECORDED)}"),
    ]
    data = {"languages": with_set, "without_recordings": without}
    return Result(NAME, TITLE, tables, targets, notes, data=data)
