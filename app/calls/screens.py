"""What the phone menu says: each screen, composed from the same templates as the SMS
(the voice channel), with the keys it listens for."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from app import access
from app.access import Verdict
from app.calls.call import Call, number
from app.casework import (
    appointments,
    callbacks,
    checklists,
    current_records,
    decisions,
    pins,
    support_offers,
)
from app.casework.deadlines import add_working_days
from app.models import CallbackRequest
from app.outbox.planner import local_date
from app.senders import holder_name, whose_choices
from app.voice import inventory
from app.voice.speech import NotRecorded, can_speak
from app.words.languages import get_language, languages


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
    facts = call.facts(in_call=call.step > 0 and not greet, picture_offer=offers_picture_link(call))
    return call.screen("menu", (before or []) + call.words("voice_menu", facts=facts), quiet=quiet)


def offers_picture_link(call: Call) -> bool:
    """Whether the menu offers # for the page with pictures: to a client with picture support
    calling for themself, who can get an SMS (consent, not opted out, reachable)."""
    client = call.client
    return (
        client is not None
        and call.sender.representative is None
        and client.picture_support
        and client.may_receive
        and client.unreachable_at is None
    )


@dataclass
class Said:
    """What an option says: its words, what key 1 offers after them, the facts they used."""

    texts: list
    facts: dict
    offer: str | None = None


def _next_meeting(call: Call, facts: dict, callback_id: str | None) -> Said:
    appointment = current_records.next_appointment(call.session, call.known_client, call.now)
    if appointment is None:
        return Said(call.words("reply_no_appointment", facts=facts | {"asked_next": True}), facts)
    facts |= appointments.facts(call.session, appointment, call.known_client, call.now)
    return Said(call.words("reply_appointment", facts=facts), facts)


def _documents(call: Call, facts: dict, callback_id: str | None) -> Said:
    open_lists = current_records.open_checklists(call.session, call.known_client)
    if not open_lists:
        return Said(call.words("reply_no_documents", facts=facts), facts)
    facts |= checklists.facts(call.session, open_lists[0], call.known_client, call.now)
    return Said(call.words("reply_documents", facts=facts), facts)


def _decision(call: Call, facts: dict, callback_id: str | None) -> Said:
    decision = current_records.latest_decision(call.session, call.known_client)
    if decision is None:
        return Said(call.words("reply_no_decision", facts=facts), facts)
    facts |= decisions.facts(call.session, decision, call.known_client, call.now)
    return Said(call.words(f"decision_{decision.outcome}", facts=facts), facts)


def _callback(call: Call, facts: dict, callback_id: str | None) -> Said | None:
    request_ = call.session.get(CallbackRequest, number(callback_id)) if callback_id else None
    if request_ is None:
        return None
    facts |= callbacks.facts(call.session, request_, call.known_client, call.now)
    return Said(call.words("callback_confirmation", facts=facts), facts, offer="record")


def _contact(call: Call, facts: dict, callback_id: str | None) -> Said:
    open_now = call.unit_open()
    return Said(call.words("reply_contact", facts=facts), facts, "connect" if open_now else None)


def _for_managers(kind: str) -> Callable[[Call, dict, str | None], Said]:
    def said(call: Call, facts: dict, callback_id: str | None) -> Said:
        by = add_working_days(local_date(call.now), current_app.config["CALLBACK_WORKING_DAYS"])
        return Said(call.words(kind, facts=facts | {"by": by}), facts)

    return said


def _support(call: Call, facts: dict, callback_id: str | None) -> Said:
    facts |= support_offers.facts(call.session, call.sender.role)
    return Said(call.words("reply_support", facts=facts), facts)


# The menu's options as the phone says them (5, the languages, is a screen of its own).
OPTIONS: dict[int, Callable[[Call, dict, str | None], Said | None]] = {
    1: _next_meeting,
    2: _documents,
    3: _decision,
    4: _callback,
    6: _contact,
    7: _for_managers("reply_complaints"),
    8: _for_managers("reply_new_caseworker"),
    9: _support,
}


def screen_option(
    call: Call, option: int, quiet: int = 0, callback_id: str | None = None
) -> VoiceResponse:
    """One menu option: its words, then the keys that act on them. An option the caller may
    not hear asks for the PIN or goes back to the menu (the one access rule decides)."""
    if option in access.MENU:
        verdict = call.verdict(access.MENU[option])
        if verdict == Verdict.PIN:
            return screen_pin(call, option, pins.state(call.known_client, call.now))
        if verdict != Verdict.ALLOW:
            return screen_menu(call, quiet)
    if option == 5:
        choices = [{"number": n, "code": lang.code} for n, lang in enumerate(languages(), 1)]
        words = call.words("voice_languages", facts=call.facts() | {"choices": choices})
        return call.screen("option5", words, quiet=quiet)
    answer = OPTIONS.get(option)
    said = answer(call, call.facts(), callback_id) if answer else None
    if said is None:
        return screen_menu(call, quiet)
    keys = call.words("voice_keys", facts=said.facts | {"offer": said.offer})
    params: dict[str, str | int] = {"cb": callback_id} if callback_id else {}
    return call.screen(f"option{option}", said.texts + keys, quiet=quiet, params=params)


def screen_pin(call: Call, then: int, state: str, quiet: int = 0) -> VoiceResponse:
    texts = call.words("voice_pin", facts=call.facts(pin_state=state))
    if state in ("locked", "none"):
        return screen_menu(call, quiet, before=texts)
    return call.screen("pin", texts, digits=4, quiet=quiet, params={"then": then})


def screen_fallback(call: Call, quiet: int = 0) -> VoiceResponse:
    """What a caller gets when their language lacks a recording a step needs: the
    interpreter offer; to a caller who has not said whose matters yet, that question in
    Swedish (then the menu in their language, if it is recorded). After silence, as the
    screen would have been: the second time, goodbye."""
    if call.sender.undecided:
        call.language = get_language("sv")
        return screen_whose(call, quiet)
    if call.client is None:
        return screen_unknown(call, quiet)
    return screen_interpreter(call, call.language.code, quiet)


def screen_whose(call: Call, quiet: int = 0) -> VoiceResponse:
    """To a caller we know in several ways: press the number of the person it is about
    (in Swedish when a call cannot be in their language at all)."""
    if not can_speak(call.language.code):
        call.language = get_language("sv")
    facts = call.unit_facts() | {
        "holder": holder_name(call.sender),
        "choices": whose_choices(call.sender),
        "in_call": call.step > 0,
    }
    return call.screen("whose", call.words("reply_whose", facts=facts), quiet=quiet)


def screen_unknown(call: Call, quiet: int = 0) -> VoiceResponse:
    open_now = call.unit_open()
    facts = call.unit_facts() | {"open": open_now}
    texts = call.words("voice_unknown", get_language("sv"), facts) + call.words(
        "voice_unknown", get_language("en"), facts
    )
    return call.screen("unknown", texts, quiet=quiet)


def screen_interpreter(call: Call, code: str, quiet: int = 0) -> VoiceResponse:
    """For a language with neither a Twilio voice nor the recordings a screen needs: 1 for
    a call back with an interpreter, 2 and 3 for the menu in Swedish or English. Said in
    Swedish and English, after the same offer in the caller's own language where its
    phrases are recorded (a partial set)."""
    texts = []
    own = get_language(code)
    if not inventory.spoken(own.code, "menu"):  # staff see how often, to know what to record
        call.fell_back = ("menu", inventory.missing_on(own.code, "menu"))
    if not own.has_voice:  # the offer in their own words, without the menu in another
        try:
            facts = call.facts(for_language=code, other_menu=None)
            texts += call.words("voice_interpreter", own, facts)
        except NotRecorded:
            pass
    for other, spoken in ((2, "sv"), (3, "en")):
        facts = call.facts(for_language=code, other_menu=other)
        texts += call.words("voice_interpreter", get_language(spoken), facts)
    return call.screen("interpreter", texts, quiet=quiet, params={"for": code})
