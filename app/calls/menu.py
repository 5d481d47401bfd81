"""The phone menu: POST /twilio/voice and the steps below /twilio/voice/.

Everything the SMS menu gives, with only the keypad, in the caller's language and voice.
Each screen is composed from the same templates as the SMS (the voice channel). Keys:
the menu's digits as by SMS, 0 hears the last thing again, * goes back to the menu. A
silent caller hears the prompt once more, then how to reach the unit. Every step is
stored by CallSid and step number, so a retried webhook gets the same answer and acts once.
"""

import logging
import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, request, send_from_directory
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from twilio.twiml.voice_response import Play, VoiceResponse

from app import access, audit
from app.access import Topic, Verdict
from app.casework import appointments, callbacks, checklists, current_records, decisions, pins
from app.casework.contacts import current_contact, is_open
from app.casework.deadlines import add_working_days
from app.db import get_session
from app.models import (
    AppointmentResponse,
    CallbackRequest,
    CallbackSource,
    CallStep,
    InboundMessage,
    Unit,
    utcnow,
)
from app.outbox.facts import base_facts, unit_called, unit_facts
from app.outbox.planner import local_date
from app.phone import InvalidPhoneNumber, normalise_phone
from app.sms.conversation import Sender, holder_name, identify, whose_choices
from app.twilio_requests import form_value, twilio_signed
from app.words.compose import compose
from app.words.languages import Language, get_language, is_supported, languages

bp = Blueprint("phone_menu", __name__)
log = logging.getLogger(__name__)

AUDIO_NAME = re.compile(r"^[a-z_]+\.mp3$")


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

    def verdict(self, topic: Topic) -> Verdict:
        """The one access rule, asked for this caller by phone."""
        return access.decide(
            self.sender.role, topic, access.Channel.PHONE, pin_given=self.pin_given
        )

    # Words ------------------------------------------------------------------------------

    def facts(self, **extra) -> dict:
        facts = base_facts(self.session, self.client, self.sender.representative, now=self.now)
        menu = access.menu(self.sender.role)
        return (
            facts | {"in_call": True, "discreet": False, "asked_next": False, "menu": menu} | extra
        )

    def words(self, kind: str, language: Language | None = None, facts: dict | None = None) -> list:
        language = language or self.language
        composition = compose(
            kind, facts if facts is not None else self.facts(), language.code, "voice"
        )
        return [(row.text, language) for row in composition.rows]

    def unit(self) -> Unit:
        if self.client is not None:
            return self.session.get(Unit, self.client.unit_id)
        if self.sender.candidates:
            return self.session.get(Unit, self.sender.candidates[0].client.unit_id)
        return unit_called(self.session, form_value("To", 40))

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

    def say(self, target, texts: list) -> None:
        for text, language in texts:
            if language.has_voice:
                target.say(text, voice=language.say_voice, language=language.say_language)
            else:
                target.say(text)

    def screen(
        self, name: str, texts: list, *, digits: int = 1, quiet: int = 0, **params
    ) -> VoiceResponse:
        """Say the texts inside a Gather for the screen's keys; silence leads back here."""
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
            self.say(response, self.words("voice_silence", facts=self.facts()))
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
        document = str(view(call, *args, **kwargs))
        session.add(
            CallStep(
                call_sid=call.sid,
                step=call.step,
                screen=view.__name__[:40],
                client_id=call.client.id if call.client else None,
                twiml=document,
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


# Screens ------------------------------------------------------------------------------


def render(call: Call, name: str, quiet: int = 0) -> VoiceResponse:
    """The screen called `name`, for the caller in `call`."""
    args = request.args
    if name == "unknown":
        return screen_unknown(call, quiet)
    if name == "interpreter":
        return screen_interpreter(call, args.get("for", call.language.code), quiet)
    if call.sender.undecided:
        return screen_whose(call, quiet)
    if call.client is None:
        return screen_unknown(call, quiet)
    if name == "pin":
        return screen_pin(call, number(args.get("then"), 3), args.get("state", "ask"), quiet)
    if name.startswith("option"):
        return screen_option(call, number(name.removeprefix("option")), quiet, args.get("cb"))
    return screen_menu(call, quiet)


def screen_menu(
    call: Call, quiet: int = 0, before: list | None = None, *, greet: bool = False
) -> VoiceResponse:
    # The greeting when the call begins, or when the caller has just said whose matters.
    facts = call.facts(in_call=call.step > 0 and not greet)
    return call.screen("menu", (before or []) + call.words("voice_menu", facts=facts), quiet=quiet)


def screen_option(
    call: Call, option: int, quiet: int = 0, callback_id: str | None = None
) -> VoiceResponse:
    if option in access.MENU:
        verdict = call.verdict(access.MENU[option])
        if verdict == Verdict.PIN:
            return screen_pin(call, option, pins.state(call.client, call.now))
        if verdict != Verdict.ALLOW:
            return screen_menu(call, quiet)
    client, facts = call.client, call.facts()
    offer = None
    if option == 1:
        appointment = current_records.next_appointment(call.session, client, call.now)
        if appointment is None:
            texts = call.words("reply_no_appointment", facts=facts | {"asked_next": True})
        else:
            facts |= appointments.facts(call.session, appointment, client, call.now)
            texts = call.words("reply_appointment", facts=facts)
    elif option == 2:
        open_lists = current_records.open_checklists(call.session, client)
        checklist = open_lists[0] if open_lists else None
        if checklist is None:
            texts = call.words("reply_no_documents", facts=facts)
        else:
            facts |= checklists.facts(call.session, checklist, client, call.now)
            texts = call.words("reply_documents", facts=facts)
    elif option == 3:
        decision = current_records.latest_decision(call.session, client)
        if decision is None:
            texts = call.words("reply_no_decision", facts=facts)
        else:
            facts |= decisions.facts(call.session, decision, client, call.now)
            texts = call.words(f"decision_{decision.outcome}", facts=facts)
    elif option == 4:
        request_ = call.session.get(CallbackRequest, number(callback_id)) if callback_id else None
        if request_ is None:
            return screen_menu(call, quiet)
        facts |= callbacks.facts(call.session, request_, client, call.now)
        texts, offer = call.words("callback_confirmation", facts=facts), "record"
    elif option == 5:
        choices = [{"number": n, "code": lang.code} for n, lang in enumerate(languages(), 1)]
        return call.screen(
            "option5",
            call.words("voice_languages", facts=facts | {"choices": choices}),
            quiet=quiet,
        )
    elif option == 6:
        texts = call.words("reply_contact", facts=facts)
        if is_open(call.unit(), call.now, current_app.config["TIMEZONE"]):
            offer = "connect"
    elif option in (7, 8):
        by = add_working_days(local_date(call.now), current_app.config["CALLBACK_WORKING_DAYS"])
        kind = "reply_complaints" if option == 7 else "reply_new_caseworker"
        texts = call.words(kind, facts=facts | {"by": by})
    else:
        return screen_menu(call, quiet)
    keys = call.words("voice_keys", facts=facts | {"offer": offer})
    params = {"cb": callback_id} if callback_id else {}
    return call.screen(f"option{option}", texts + keys, quiet=quiet, **params)


def screen_pin(call: Call, then: int, state: str, quiet: int = 0) -> VoiceResponse:
    texts = call.words("voice_pin", facts=call.facts(pin_state=state))
    if state in ("locked", "none"):
        return screen_menu(call, quiet, before=texts)
    return call.screen("pin", texts, digits=4, quiet=quiet, then=then)


def screen_whose(call: Call, quiet: int = 0) -> VoiceResponse:
    """To a caller we know in several ways: press the number of the person it is about."""
    facts = call.unit_facts() | {
        "holder": holder_name(call.sender),
        "choices": whose_choices(call.sender),
        "in_call": call.step > 0,
    }
    return call.screen("whose", call.words("reply_whose", facts=facts), quiet=quiet)


def screen_unknown(call: Call, quiet: int = 0) -> VoiceResponse:
    open_now = is_open(call.unit(), call.now, current_app.config["TIMEZONE"])
    facts = call.unit_facts() | {"open": open_now}
    texts = call.words("voice_unknown", get_language("sv"), facts) + call.words(
        "voice_unknown", get_language("en"), facts
    )
    return call.screen("unknown", texts, quiet=quiet)


def screen_interpreter(call: Call, code: str, quiet: int = 0) -> VoiceResponse:
    response_texts = []
    for number, spoken in ((2, "sv"), (3, "en")):
        facts = call.facts(for_language=code, other_menu=number)
        response_texts += call.words("voice_interpreter", get_language(spoken), facts)
    screen = call.screen("interpreter", response_texts, quiet=quiet, **{"for": code})
    recording = audio_file(code, "interpreter.mp3")
    if recording is not None:  # a recorded prompt in the caller's own language comes first
        gather = screen.verbs[0]
        gather.verbs.insert(
            0, Play(f"{current_app.config['PUBLIC_BASE_URL']}/audio/{code}/interpreter.mp3")
        )
    return screen


# Keys ---------------------------------------------------------------------------------


def press(call: Call, name: str, digits: str) -> VoiceResponse:
    """What a key does on a screen."""
    if call.sender.undecided and name not in ("unknown", "interpreter"):
        return press_whose(call, digits)
    if digits == "*" or (call.client is None and name not in ("unknown", "interpreter")):
        return screen_menu(call) if call.client else screen_unknown(call)
    if name == "unknown":
        return press_unknown(call, digits)
    if name == "interpreter":
        return press_interpreter(call, digits)
    if name == "menu":
        return press_menu(call, digits)
    if name == "pin":
        return press_pin(call, digits)
    option = number(name.removeprefix("option"))
    if digits == "0" or digits == "":
        return screen_option(call, option, callback_id=request.args.get("cb"))
    if option in access.MENU and call.verdict(access.MENU[option]) != Verdict.ALLOW:
        return screen_option(call, option)  # asks for the PIN, or back to the menu
    if option == 1 and digits in ("1", "2"):
        return answer_appointment(call, digits)
    if option == 4 and digits == "1":
        return record_message(call)
    if option == 5 and digits.isdigit():
        return choose_language(call, int(digits))
    if (
        option == 6
        and digits == "1"
        and is_open(call.unit(), call.now, current_app.config["TIMEZONE"])
    ):
        contact = current_contact(call.session, call.client, local_date(call.now)).staff
        response = VoiceResponse()
        response.dial((contact.phone if contact and contact.phone else None) or call.unit().phone)
        return response
    return screen_option(call, option, callback_id=request.args.get("cb"))


def press_menu(call: Call, digits: str) -> VoiceResponse:
    if not digits.isdigit() or int(digits) not in access.MENU:
        return screen_menu(call)
    option = int(digits)
    if call.verdict(access.MENU[option]) != Verdict.ALLOW:
        return screen_option(call, option)  # asks for the PIN, or back to the menu
    if option == 4:
        request_ = callbacks.request_callback(
            call.session,
            call.client,
            source=CallbackSource.VOICE,
            language=call.language.code,
            from_phone=callback_number(call),
            confirm=False,
            now=call.now,
        )
        call.session.flush()
        return screen_option(call, 4, callback_id=str(request_.id))
    if option in (7, 8):
        for_managers(call, option)
    return screen_option(call, option)


def for_managers(call: Call, option: int) -> None:
    """Option 7 or 8 by phone, kept like a text for the unit's managers only (never the
    case worker's): 8 asks them for another contact person; after 7 (or 8) a text from
    the caller is for them too (app/sms/conversation.py). Once per call and option."""
    provider_id = f"{call.sid}:{option}"[:64]
    if call.session.exec(
        select(InboundMessage.id).where(InboundMessage.provider_id == provider_id)
    ).first():
        return
    representative = call.sender.representative
    call.session.add(
        InboundMessage(
            provider_id=provider_id,
            from_phone=representative.phone if representative else call.client.phone,
            to_phone=form_value("To", 40),
            unit_id=call.client.unit_id,
            client_id=call.client.id,
            representative_id=representative.id if representative else None,
            intent=f"option_{option}",
            for_managers=True,
            needs_answer=option == 8,
            received_at=call.now,
        )
    )
    call.session.flush()


def press_pin(call: Call, digits: str) -> VoiceResponse:
    """The PIN typed in this call; pins counts it (per call and with the pages) and locks."""
    then = number(request.args.get("then"), 3)
    result = pins.check_pin(
        call.session, call.client, digits, call.now, channel=pins.PHONE, call_sid=call.sid
    )
    if result == "ok":
        call.pin_given = True  # for the rest of this call (carried in our signed URLs)
        return screen_option(call, then)
    if result == "wrong":
        return screen_pin(call, then, "wrong")
    return screen_menu(call, before=call.words("voice_pin", facts=call.facts(pin_state=result)))


def answer_appointment(call: Call, digits: str) -> VoiceResponse:
    appointment = current_records.next_appointment(call.session, call.client, call.now)
    if appointment is None:
        return screen_option(call, 1)
    # The meeting just heard; an answer given before may be changed until it starts.
    choice = AppointmentResponse.CONFIRMED if digits == "1" else AppointmentResponse.DECLINED
    appointments.respond(call.session, appointment, choice, now=call.now, by="phone menu")
    audit.record(
        call.session,
        f"appointment_{choice}",
        actor_type="client",
        client_id=call.client.id,
        subject_type="appointment",
        subject_id=appointment.id,
        detail="by phone menu",
    )
    facts = call.facts() | appointments.facts(call.session, appointment, call.client, call.now)
    kind = "reply_confirmed" if choice == AppointmentResponse.CONFIRMED else "reply_declined"
    return screen_menu(call, before=call.words(kind, facts=facts))


def record_message(call: Call) -> VoiceResponse:
    response = VoiceResponse()
    call.say(response, call.words("voice_recording", facts=call.facts(recorded=False)))
    response.record(
        max_length=60,
        play_beep=True,
        finish_on_key="#",
        method="POST",
        action=call.url("recorded", cb=request.args.get("cb", "")),
    )
    return response


def choose_language(call: Call, number: int) -> VoiceResponse:
    options = languages()
    if not 1 <= number <= len(options):
        return screen_option(call, 5)
    chosen = options[number - 1]
    holder = call.sender.representative or call.client
    holder.language = chosen.code
    call.session.add(holder)
    audit.record(
        call.session,
        "language_changed",
        actor_type="client",
        client_id=call.client.id,
        detail=f"to {chosen.code} by phone",
    )
    call.language = chosen
    if not chosen.has_voice:
        return screen_interpreter(call, chosen.code)
    return screen_menu(call)


def press_interpreter(call: Call, digits: str) -> VoiceResponse:
    code = request.args.get("for", call.language.code)
    if digits == "1":
        callbacks.request_callback(
            call.session,
            call.client,
            source=CallbackSource.VOICE,
            language=code,
            interpreter_needed=True,
            from_phone=callback_number(call),
            unit_id=call.unit().id,
            confirm=False,
            now=call.now,
        )
        response = VoiceResponse()
        facts = call.unit_facts()
        for spoken in ("sv", "en"):
            call.say(response, call.words("voice_callback_queued", get_language(spoken), facts))
        response.hangup()
        return response
    if digits in ("2", "3") and call.client is not None:
        call.language = get_language("sv" if digits == "2" else "en")
        return screen_menu(call)
    return screen_interpreter(call, code)


def callback_number(call: Call) -> str | None:
    """The number to call back when it is not the client's own (a representative, a stranger)."""
    if call.client is not None and call.sender.representative is None:
        return None
    return form_value("From", 40)


def press_whose(call: Call, digits: str) -> VoiceResponse:
    """The caller said whose matters: the menu for that person (their choice travels on)."""
    index = number(digits)
    if not 1 <= index <= len(call.sender.candidates):
        return screen_whose(call)
    call.sender = Sender(call.sender.candidates[index - 1], call.sender.candidates)
    call.client = call.sender.client
    call.language = get_language(call.sender.language)
    if not call.language.has_voice:
        return screen_interpreter(call, call.language.code)
    return screen_menu(call, greet=True)


def press_unknown(call: Call, digits: str) -> VoiceResponse:
    open_now = is_open(call.unit(), call.now, current_app.config["TIMEZONE"])
    if digits == "1" and open_now:
        response = VoiceResponse()
        response.dial(call.unit().phone)
        return response
    if digits == "2":
        callbacks.request_callback(
            call.session,
            None,
            source=CallbackSource.VOICE,
            from_phone=form_value("From", 40),
            unit_id=call.unit().id,
            now=call.now,
        )
        response = VoiceResponse()
        for spoken in ("sv", "en"):
            call.say(
                response,
                call.words("voice_callback_queued", get_language(spoken), call.unit_facts()),
            )
        response.hangup()
        return response
    return screen_unknown(call)


def audio_file(code: str, name: str) -> Path | None:
    """A recorded prompt in locales/<code>/audio/, if someone has recorded it."""
    if not is_supported(code) or not AUDIO_NAME.match(name):
        return None
    path = Path(current_app.config["LOCALES_DIR"]) / code / "audio" / name
    return path if path.is_file() else None


# Routes -------------------------------------------------------------------------------


@bp.post("/twilio/voice")
@stepped
def incoming(call: Call) -> VoiceResponse:
    """A call comes in: the menu in the caller's language, or the way to an interpreter."""
    if call.sender.undecided:
        return screen_whose(call)
    if call.client is None:
        return screen_unknown(call)
    if not call.language.has_voice:
        return screen_interpreter(call, call.language.code)
    return screen_menu(call)


@bp.post("/twilio/voice/screen/<name>")
@stepped
def show(call: Call, name: str) -> VoiceResponse:
    """Say a screen again (after silence, 0 or *)."""
    return render(call, name, number(request.args.get("quiet")))


@bp.post("/twilio/voice/press/<name>")
@stepped
def pressed(call: Call, name: str) -> VoiceResponse:
    """A key pressed on a screen."""
    return press(call, name, form_value("Digits", 10).strip())


@bp.post("/twilio/voice/recorded")
@stepped
def recorded(call: Call) -> VoiceResponse:
    """A message for the case worker was recorded: attach it to the callback request."""
    callback_id = request.args.get("cb", "")
    request_ = call.session.get(CallbackRequest, number(callback_id))
    recording = form_value("RecordingUrl", 300)
    caller_id = call.client.id if call.client else None
    if (
        request_ is not None
        and request_.client_id == caller_id
        and recording.startswith("https://")
    ):
        request_.recording_url = recording
        call.session.add(request_)
    if call.client is None:
        return screen_unknown(call)
    return screen_menu(call, before=call.words("voice_recording", facts=call.facts(recorded=True)))


@bp.get("/audio/<code>/<name>")
def audio(code: str, name: str) -> Response:
    """Recorded prompts for languages Twilio cannot speak (see README)."""
    path = audio_file(code, name)
    if path is None:
        abort(404)
    return send_from_directory(path.parent, path.name, mimetype="audio/mpeg")
