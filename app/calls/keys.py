"""What a key does on each screen of the phone menu: the menu's digits as by SMS, 0 hears
the last thing again, * goes back to the menu."""

from collections.abc import Callable

from flask import request
from sqlmodel import select
from twilio.twiml.voice_response import VoiceResponse

from app import access, audit
from app.access import Verdict
from app.calls.call import Call, number
from app.calls.screens import (
    offers_picture_link,
    screen_interpreter,
    screen_menu,
    screen_option,
    screen_pin,
    screen_unknown,
    screen_whose,
)
from app.casework import appointments, callbacks, current_records, pins
from app.casework.contacts import current_contact
from app.models import AppointmentResponse, CallbackSource, InboundMessage, Intent, SubjectType
from app.outbox.planner import add_message, local_date
from app.senders import Sender
from app.twilio_requests import form_value
from app.voice import inventory
from app.voice.speech import NotRecorded, can_speak
from app.words.languages import get_language, languages


def press(call: Call, name: str, digits: str) -> VoiceResponse:
    """What a key does on a screen. A key whose answer cannot be said in the caller's
    language (its recordings are not all there) does nothing and gives the interpreter
    offer: never an answer taken that the caller does not hear confirmed."""
    if call.sender.undecided and name not in ("unknown", "interpreter"):
        return press_whose(call, digits)
    if digits == "*" or (call.client is None and name not in ("unknown", "interpreter")):
        return screen_menu(call) if call.client else screen_unknown(call)
    ahead = _leads_to(name, digits)
    if ahead and not inventory.spoken(call.language.code, ahead):
        code = call.language.code
        missing = ("(screen incomplete)",) * max(1, inventory.missing_on(code, ahead))
        raise NotRecorded(code, inventory.SCREENS[ahead][0], missing)
    on_screen = SCREEN_KEYS.get(name)
    if on_screen is not None:
        return on_screen(call, digits)
    return press_on_option(call, number(name.removeprefix("option")), digits)


def _leads_to(name: str, digits: str) -> str | None:
    """The screen whose words follow a key that acts (app/voice/inventory.py SCREENS)."""
    if name == "menu":
        if digits == "#":
            return "picture_link"
        return f"option{digits}" if digits.isdigit() and int(digits) in access.MENU else None
    if name == "pin":
        return f"option{number(request.args.get('then'), 3)}"
    if name.startswith("option") and name.removeprefix("option") in {str(o) for o in access.MENU}:
        return name
    return None


def press_on_option(call: Call, option: int, digits: str) -> VoiceResponse:
    """A key after an option's words: 0 (or silence) says them again, the option's own keys
    act (answer a meeting, record a message, choose a language, connect), others repeat."""
    if digits in ("0", ""):
        return screen_option(call, option, callback_id=request.args.get("cb"))
    if option in access.MENU and call.verdict(access.MENU[option]) != Verdict.ALLOW:
        return screen_option(call, option)  # asks for the PIN, or back to the menu
    if option == 1 and digits in ("1", "2"):
        return answer_appointment(call, digits)
    if option == 4 and digits == "1":
        return record_message(call)
    if option == 5 and digits.isdigit():
        return choose_language(call, int(digits))
    if option == 6 and digits == "1" and call.unit_open():
        return connect(call)
    return screen_option(call, option, callback_id=request.args.get("cb"))


def connect(call: Call) -> VoiceResponse:
    """Put the caller through to their contact person, or the unit when there is none."""
    contact = current_contact(call.session, call.known_client, local_date(call.now)).staff
    response = VoiceResponse()
    response.dial((contact.phone if contact and contact.phone else None) or call.unit().phone)
    return response


def press_menu(call: Call, digits: str) -> VoiceResponse:
    if digits == "#" and offers_picture_link(call):
        return send_picture_link(call)
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


def send_picture_link(call: Call) -> VoiceResponse:
    """# in the menu: the link to the client's page with pictures, by SMS at once (planned
    once per call), then the menu again after saying so."""
    client = call.known_client
    add_message(
        call.session,
        kind="picture_link",
        client=client,
        dedupe_key=f"call:{call.sid}:picture_link"[:120],
        due_at=call.now,
        subject_type=SubjectType.CLIENT,
        subject_id=client.id,
        copies=False,
    )
    audit.record(
        call.session,
        "picture_link_asked",
        actor_type="client",
        client_id=client.id,
        detail="by phone menu",
    )
    return screen_menu(call, before=call.words("voice_picture_link", facts=call.facts()))


def for_managers(call: Call, option: int) -> None:
    """Option 7 or 8 by phone, kept like a text for the unit's managers only (never the
    case worker's): 8 asks them for another contact person; after 7 (or 8) a text from
    the caller is for them too (app/sms/threads.py). Once per call and option."""
    provider_id = f"{call.sid}:{option}"[:64]
    if call.session.exec(
        select(InboundMessage.id).where(InboundMessage.provider_id == provider_id)
    ).first():
        return
    representative = call.sender.representative
    client = call.known_client
    call.session.add(
        InboundMessage(
            provider_id=provider_id,
            from_phone=representative.phone if representative else client.phone,
            to_phone=form_value("To", 40),
            unit_id=client.unit_id,
            client_id=client.id,
            representative_id=representative.id if representative else None,
            intent=Intent.option(option),
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
        call.session, call.known_client, digits, call.now, channel=pins.PHONE, call_sid=call.sid
    )
    if result == "ok":
        call.pin_given = True  # for the rest of this call (carried in our signed URLs)
        return screen_option(call, then)
    if result == "wrong":
        return screen_pin(call, then, "wrong")
    return screen_menu(call, before=call.words("voice_pin", facts=call.facts(pin_state=result)))


def answer_appointment(call: Call, digits: str) -> VoiceResponse:
    appointment = current_records.next_appointment(call.session, call.known_client, call.now)
    if appointment is None:
        return screen_option(call, 1)
    # The meeting just heard; an answer given before may be changed until it starts.
    choice = AppointmentResponse.CONFIRMED if digits == "1" else AppointmentResponse.DECLINED
    appointments.respond(call.session, appointment, choice, now=call.now, by="phone menu")
    audit.record(
        call.session,
        f"appointment_{choice}",
        actor_type="client",
        client_id=call.known_client.id,
        subject_type=SubjectType.APPOINTMENT,
        subject_id=appointment.id,
        detail="by phone menu",
    )
    facts = call.facts() | appointments.facts(
        call.session, appointment, call.known_client, call.now
    )
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


def choose_language(call: Call, position: int) -> VoiceResponse:
    """The caller chose a language by its number on the list: it is theirs from now on."""
    options = languages()
    if not 1 <= position <= len(options):
        return screen_option(call, 5)
    chosen = options[position - 1]
    holder = call.sender.representative or call.known_client
    holder.language = chosen.code
    call.session.add(holder)
    audit.record(
        call.session,
        "language_changed",
        **audit.sender_actor(call.sender.representative),
        client_id=call.known_client.id,
        detail=f"to {chosen.code} by phone",
    )
    call.language = chosen
    if not can_speak(chosen.code):
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
    if not can_speak(call.language.code):
        return screen_interpreter(call, call.language.code)
    return screen_menu(call, greet=True)


def press_unknown(call: Call, digits: str) -> VoiceResponse:
    open_now = call.unit_open()
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


# The screens whose keys are not a menu option's.
SCREEN_KEYS: dict[str, Callable[[Call, str], VoiceResponse]] = {
    "unknown": press_unknown,
    "interpreter": press_interpreter,
    "menu": press_menu,
    "pin": press_pin,
}
