"""One step of an incoming call: who is calling, in which language, what to say, and the
TwiML screen that says it. Every step is stored by CallSid and step number (`stepped`),
so a retried webhook gets the same answer and acts once."""

import logging
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from flask import Response, current_app, request
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from twilio.twiml.voice_response import VoiceResponse

from app import access
from app.access import Topic, Verdict
from app.casework.contacts import is_open
from app.db import get_session
from app.models import CallStep, Client, Unit, utcnow
from app.outbox.facts import base_facts, unit_called, unit_facts
from app.phone import InvalidPhoneNumber, normalise_phone
from app.senders import Sender, identify
from app.twilio_requests import form_value, twilio_signed
from app.voice.inventory import screen_of
from app.voice.speech import NotRecorded, Spoken, emit, how_said, speak
from app.words.languages import Language, get_language, is_supported

log = logging.getLogger(__name__)


def number(text: str | None, default: int = 0) -> int:
    """A whole number from a URL or form value; anything odd gives the default (never a 500)."""
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else default


class Call:
    """One incoming call at one step: who is calling, in which language, what to say."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now = utcnow()
        self.sid = form_value("CallSid", 64) or "no-call-sid"
        self.step = number(request.args.get("step"))
        try:
            phone = normalise_phone(form_value("From", 40))
        except InvalidPhoneNumber:
            phone = ""
        # Who is calling: by the caller's number and the unit's number they called; someone
        # known in several ways says whose matters first (the choice travels in our URLs,
        # which only Twilio, signing each request, calls back).
        reached = form_value("To", 40)
        chosen = request.args.get("as")
        self.sender = identify(session, phone, reached, chosen) if phone else Sender()
        self.client = self.sender.client
        # The PIN given earlier in this call (set in our own signed URLs after a right PIN).
        self.pin_given = request.args.get("pin") == "1"
        wanted = request.args.get("lang", "")
        self.language = get_language(wanted if is_supported(wanted) else self.sender.language)
        self.said: set[str] = set()  # how this step's words were said (app/voice/speech.py)
        # Set when the step gives the interpreter offer for want of recordings: the screen
        # that could not be said and how many recordings it lacks (staff see it).
        self.fell_back: tuple[str, int] | None = None

    @property
    def known_client(self) -> Client:
        """The client this call is about, on the screens only a caller we know reaches (the
        screens and keys send anyone else to the unit's screen first)."""
        if self.client is None:
            raise ValueError("A screen for a known caller, in a call from an unknown number")
        return self.client

    def verdict(self, topic: Topic) -> Verdict:
        """The one access rule, asked for this caller by phone."""
        return access.decide(
            self.sender.role, topic, access.Channel.PHONE, pin_given=self.pin_given
        )

    # Words ------------------------------------------------------------------------------

    def facts(self, **extra) -> dict:
        facts = base_facts(
            self.session, self.known_client, self.sender.representative, now=self.now
        )
        menu = access.menu(self.sender.role)
        return (
            facts | {"in_call": True, "discreet": False, "asked_next": False, "menu": menu} | extra
        )

    def words(self, kind: str, language: Language | None = None, facts: dict | None = None) -> list:
        """A message kind as this call says it: rows of recordings and text-to-speech.
        Raises NotRecorded in a language without a voice that lacks a recording; the
        step then gives the caller the way to an interpreter (`stepped`)."""
        language = language or self.language
        rows = speak(kind, facts if facts is not None else self.facts(), language)
        if language == self.language:
            self.said.add(how_said(rows, language))
        return list(rows)

    def goodbye(self) -> list:
        """After silence twice: how to reach the unit, and goodbye. To a caller who has not
        said whose matters, about the unit only; to a number we do not know, in Swedish and
        English, like the screen before it."""
        try:
            if self.client is not None:
                return self.words("voice_silence", facts=self.facts())
            if self.sender.candidates:
                return self.words("voice_silence", facts=self.unit_facts())
        except NotRecorded:  # a language without its recordings: as to a stranger
            pass
        facts = self.unit_facts()
        return self.words("voice_silence", get_language("sv"), facts) + self.words(
            "voice_silence", get_language("en"), facts
        )

    def unit(self) -> Unit:
        if self.client is not None:
            return self.session.get_one(Unit, self.client.unit_id)
        if self.sender.candidates:
            return self.session.get_one(Unit, self.sender.candidates[0].client.unit_id)
        unit = unit_called(self.session, form_value("To", 40))
        if unit is None:
            raise LookupError("No unit to answer a call from an unknown number: add one first")
        return unit

    def unit_open(self) -> bool:
        """Whether the unit the caller reached is open now (a person can answer)."""
        return is_open(self.unit(), self.now, current_app.config["TIMEZONE"])

    def unit_facts(self) -> dict:
        return unit_facts(self.unit(), in_call=True)

    # TwiML ------------------------------------------------------------------------------

    def url(self, path: str, **params) -> str:
        query = {"step": self.step + 1, "lang": self.language.code}
        if self.sender.role is not None and len(self.sender.candidates) > 1:
            query["as"] = self.sender.role.key
        if self.pin_given:
            query["pin"] = "1"
        query |= params
        return f"{current_app.config['PUBLIC_BASE_URL']}/twilio/voice/{path}?{urlencode(query)}"

    def say(self, target, rows: list | Spoken) -> None:
        for row in rows:
            emit(target, row)

    def screen(
        self,
        name: str,
        texts: list,
        *,
        digits: int = 1,
        quiet: int = 0,
        params: dict[str, str | int] | None = None,
    ) -> VoiceResponse:
        """Say the texts inside a Gather for the screen's keys (`params` travel in its URLs);
        silence leads back here."""
        params = params or {}
        response = VoiceResponse()
        gather = response.gather(
            num_digits=digits,
            action=self.url(f"press/{name}", **params),
            method="POST",
            timeout=6,
            finish_on_key="#" if digits > 1 else "",
        )
        self.say(gather, texts)
        if quiet >= 1:
            self.say(response, self.goodbye())
            response.hangup()
        else:
            response.redirect(self.url(f"screen/{name}", quiet=quiet + 1, **params), method="POST")
        return response


def stepped(view: Callable[..., VoiceResponse]) -> Callable[..., Response]:
    """Answer each (CallSid, step) once; a retry gets the stored TwiML again."""

    @wraps(view)
    def wrapper(*args, **kwargs) -> Response:
        session = get_session()
        call = Call(session)
        earlier = session.exec(
            select(CallStep).where(CallStep.call_sid == call.sid, CallStep.step == call.step)
        ).first()
        if earlier is not None:
            return Response(earlier.twiml, mimetype="text/xml")
        missing, screen = 0, view.__name__
        try:
            document = str(view(call, *args, **kwargs))
        except NotRecorded as lack:  # the caller's language lacks a recording this step needs
            log.warning(
                "Call step %s in %s: %d recording(s) missing for %s; offered an interpreter",
                view.__name__, lack.code, len(lack.missing), lack.kind,
            )  # fmt: skip
            from app.calls.screens import screen_fallback  # screens builds on this module

            call.said.clear()
            document = str(screen_fallback(call, number(request.args.get("quiet"))))
            call.fell_back = (screen_of(lack.kind), len(lack.missing))
        if call.fell_back:
            screen, missing = call.fell_back
        session.add(
            CallStep(
                call_sid=call.sid,
                step=call.step,
                screen=screen[:40],  # for a fallback: the screen that could not be said
                client_id=call.client.id if call.client else None,
                twiml=document,
                language=call.language.code,
                voice="fallback" if call.fell_back else _how(call.said),
                missing=missing,
            )
        )
        try:
            session.commit()
        except IntegrityError:  # the same step arriving twice at once: answer like the first
            session.rollback()
            earlier = session.exec(
                select(CallStep).where(CallStep.call_sid == call.sid, CallStep.step == call.step)
            ).one()
            return Response(earlier.twiml, mimetype="text/xml")
        return Response(document, mimetype="text/xml")

    return twilio_signed(wrapper)


def _how(said: set[str]) -> str | None:
    if not said:
        return None
    return said.pop() if len(said) == 1 else "mixed"
