"""The phone simulator: text and call the app as a demo client (development only).

It exists only with the console transport (app.admin.simulator_enabled), so never in
production. Texts and key presses go through the real webhooks: the view builds the form
Twilio would send, signs it as Twilio does, and posts it to /twilio/sms or /twilio/voice
inside the app. What came back is read from the records the webhooks keep (InboundMessage
rows with their replies, CallStep rows with their TwiML), so the page can be reloaded.
"""

import contextvars
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import or_
from sqlmodel import col, select

from app import access
from app.admin import bp, simulator_enabled
from app.admin.access import client_or_404, current_staff, today, visible_clients
from app.admin.forms import Form
from app.admin.words import _
from app.casework.contacts import display_phone
from app.db import get_session
from app.models import CallStep, Client, InboundMessage, OutboxMessage, OutboxStatus, Unit, utcnow
from app.twilio_requests import auth_token, sign
from app.words.languages import get_language

CALL = "simulator_call"  # in the Flask session: the call in progress
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
MAX_BODY = 1600  # Twilio's limit for one text
MAX_REDIRECTS = 5
SHOWN = 20
SENT_SHOWN_FOR = timedelta(days=30)
API_VERSION = "2010-04-01"


class WebhookFailed(RuntimeError):
    """A webhook did not answer with TwiML (its status code is in the message)."""


# Posting to the webhooks -------------------------------------------------------------


def post_webhook(url: str, params: dict) -> ET.Element:
    """POST to one of our Twilio webhooks as Twilio does (signed for PUBLIC_BASE_URL + path)
    and return the TwiML. The request runs in a context of its own, like a request from
    outside: its own app context, g and database session."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if not url.startswith(base + "/twilio/"):
        raise WebhookFailed(f"not one of our webhooks: {url}")
    # The app behind the proxy, as Flask documents it; its types declare the proxy the app.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    headers = {"X-Twilio-Signature": sign(url, params, auth_token())}
    get_session().commit()  # nothing of ours stays open while the webhook writes
    response = contextvars.Context().run(
        lambda: app.test_client().post(url[len(base) :], data=params, headers=headers)
    )
    if response.status_code != 200:
        raise WebhookFailed(f"{url[len(base) :]} answered {response.status_code}")
    return ET.fromstring(response.get_data())


def _account_sid() -> str:
    return current_app.config.get("TWILIO_ACCOUNT_SID") or "AC" + "0" * 32


def send_text(client: Client, unit: Unit, body: str) -> str:
    """Text the app as the client; the reply's text."""
    sid = "SM" + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": _account_sid(),
        "From": client.phone,
        "To": unit.phone,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
    }
    root = post_webhook(current_app.config["PUBLIC_BASE_URL"] + "/twilio/sms", params)
    return "\n".join("".join(message.itertext()) for message in root.iter("Message"))


def _call_params(client: Client, unit: Unit, sid: str, **extra: str) -> dict:
    return {
        "CallSid": sid,
        "AccountSid": _account_sid(),
        "From": client.phone,
        "To": unit.phone_menu_number or unit.phone,
        "Direction": "inbound",
        "ApiVersion": API_VERSION,
    } | extra


def _step_of(url: str) -> int:
    value = parse_qs(urlsplit(url).query).get("step", ["0"])[0]
    return int(value) if value.isdigit() else 0


def _follow(url: str, params: dict) -> None:
    """Post one step of the call, then any <Redirect> Twilio would follow at once (a
    document with nothing to wait for)."""
    call = session[CALL] | {"from_step": _step_of(url)}
    session[CALL] = call
    root = post_webhook(url, params)
    for _hop in range(MAX_REDIRECTS):
        target = root.find("Redirect")
        waits = any(root.find(verb) is not None for verb in ("Gather", "Dial", "Record", "Hangup"))
        if target is None or waits or not target.text:
            return
        params = {k: v for k, v in params.items() if k != "Digits"}
        root = post_webhook(target.text.strip(), params)


def start_call(client: Client, unit: Unit) -> None:
    """Call the phone menu as the client."""
    sid = "CA" + uuid.uuid4().hex
    session[CALL] = {"client_id": client.id, "sid": sid, "from_step": 0}
    params = _call_params(client, unit, sid, CallStatus="ringing")
    _follow(current_app.config["PUBLIC_BASE_URL"] + "/twilio/voice", params)


def _latest_step(sid: str) -> CallStep | None:
    return (
        get_session()
        .exec(select(CallStep).where(CallStep.call_sid == sid).order_by(col(CallStep.step).desc()))
        .first()
    )


def press(client: Client, unit: Unit, digits: str | None) -> bool:
    """Press keys on the current screen, or (digits None) stay silent. False when the
    call has nothing to press or wait for."""
    call = session.get(CALL) or {}
    latest = _latest_step(call.get("sid", "")) if call.get("client_id") == client.id else None
    if latest is None:
        return False
    root = ET.fromstring(latest.twiml)
    gather, redirect_ = root.find("Gather"), root.find("Redirect")
    params = _call_params(client, unit, call["sid"], CallStatus="in-progress")
    action = gather.get("action") if gather is not None else None
    if digits is not None and action:
        _follow(action, params | {"Digits": digits})
        return True
    if digits is None and redirect_ is not None and redirect_.text:
        _follow(redirect_.text.strip(), params)
        return True
    return False


# Reading what happened ---------------------------------------------------------------


@dataclass
class Screen:
    """One answer of the phone menu as a caller hears it: (text, language tag) pairs."""

    said: list[tuple[str, str]] = field(default_factory=list)
    keys: int = 0  # how many keys the menu waits for; 0: it waits for none
    if_silent: list[tuple[str, str]] = field(default_factory=list)
    can_wait: bool = False  # silence leads on (a <Redirect>)
    ends: bool = False


def _verb_text(verb: ET.Element) -> str | None:
    """A verb in words: what <Say> says, or what the others do (in staff words)."""
    if verb.tag == "Say":
        return " ".join((verb.text or "").split())
    if verb.tag == "Play":
        return _("(A recorded message is played.)")
    if verb.tag == "Dial":
        number = "".join(verb.itertext()).strip()
        return _("(The call is connected to %(number)s.)", number=display_phone(number))
    if verb.tag == "Record":
        return _("(The phone menu records a message now. The simulator cannot record.)")
    if verb.tag == "Hangup":
        return _("(The phone menu hangs up.)")
    if verb.tag == "Redirect":
        return _("(The phone menu says it again.)")
    return None


def _heard(verb: ET.Element, language: str) -> tuple[str, str] | None:
    text = _verb_text(verb)
    if not text:
        return None
    # What <Say> says is in the caller's language; the rest is in the staff language.
    return (text, verb.get("language") or language) if verb.tag == "Say" else (text, "")


def read_screen(twiml: str, language: str) -> Screen:
    """What a TwiML document says, which keys it waits for, and what silence does."""
    screen = Screen()
    seen_gather = False
    for verb in ET.fromstring(twiml):
        if verb.tag == "Gather":
            seen_gather = True
            screen.keys = int(verb.get("numDigits") or 1)
            screen.said += [h for h in (_heard(v, language) for v in verb) if h]
            continue
        heard = _heard(verb, language)
        if heard:
            (screen.if_silent if seen_gather else screen.said).append(heard)
        if verb.tag == "Redirect":
            screen.can_wait = True
        if verb.tag in ("Hangup", "Dial", "Record") and not seen_gather:
            screen.ends = True
    return screen


def call_screens(client: Client) -> list[Screen]:
    """The screens of the client's call since the last key was pressed."""
    call = session.get(CALL) or {}
    if call.get("client_id") != client.id:
        return []
    steps = get_session().exec(
        select(CallStep)
        .where(CallStep.call_sid == call.get("sid"), CallStep.step >= call.get("from_step", 0))
        .order_by(col(CallStep.step))
    )
    return [read_screen(step.twiml, client.language) for step in steps]


def conversation(client: Client) -> list[InboundMessage]:
    """The client's latest texts to us, oldest first, with what we answered."""
    rows = get_session().exec(
        select(InboundMessage)
        .where(
            or_(
                col(InboundMessage.client_id) == client.id,
                col(InboundMessage.from_phone) == client.phone,
            ),
            col(InboundMessage.representative_id).is_(None),
            # The phone is the client's, the eyes are staff's: the access rule still holds.
            access.staff_client_inbound(current_staff(), today()),
        )
        .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
        .limit(SHOWN)
    )
    return list(reversed(list(rows)))


def sent_to(client: Client) -> list[OutboxMessage]:
    """Messages that went out to the client lately, newest first."""
    return list(
        get_session().exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.client_id == client.id,
                col(OutboxMessage.representative_id).is_(None),
                col(OutboxMessage.status).in_((OutboxStatus.SENT, OutboxStatus.DELIVERED)),
                access.staff_client_outbox(current_staff(), today()),
                col(OutboxMessage.sent_at) >= utcnow() - SENT_SHOWN_FOR,
            )
            .order_by(col(OutboxMessage.sent_at).desc())
            .limit(SHOWN)
        )
    )


def planned_for(client: Client) -> list[OutboxMessage]:
    """Messages planned for the client that have not gone out yet, soonest first."""
    return list(
        get_session().exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.client_id == client.id,
                col(OutboxMessage.representative_id).is_(None),
                OutboxMessage.status == OutboxStatus.PENDING,
                access.staff_client_outbox(current_staff(), today()),
            )
            .order_by(col(OutboxMessage.due_at))
            .limit(SHOWN)
        )
    )


# The page ----------------------------------------------------------------------------


def _clients() -> list[Client]:
    return list(
        get_session().exec(
            select(Client)
            .where(visible_clients(current_staff(), today()))
            .order_by(Client.first_name, Client.last_name, col(Client.id))
        )
    )


def _act(client: Client, unit: Unit, form: Form) -> None:
    """Do what the button asked for; a problem is flashed, never a 500."""
    action = form.value("action")
    try:
        if action == "text":
            body = form.text("body", required=True, max_length=MAX_BODY)
            if form.ok:
                send_text(client, unit, body)
        elif action == "call":
            start_call(client, unit)
        elif action in ("press", "wait"):
            digits = None
            if action == "press":
                digits = "".join(form.value("digits").split())
                if not digits or any(c not in KEYS for c in digits) or len(digits) > 10:
                    form.fail("digits", _("Press the keys 0 to 9, * or #."))
                    return
            if not press(client, unit, digits):
                flash(_("The call has ended. Call again to go on."), "warning")
        elif action == "hang_up":
            session.pop(CALL, None)
    except (WebhookFailed, ET.ParseError) as exc:
        current_app.logger.warning("Phone simulator: %s", exc)
        flash(_("The app did not answer as Twilio expects. See the server log."), "error")


@bp.route("/simulator", methods=["GET", "POST"])
def simulator():
    """Text and call the app as a client, through the real signed webhooks."""
    if not simulator_enabled():
        abort(404)
    form = Form()
    client_id = request.values.get("client_id", type=int)
    client = client_or_404(client_id) if client_id else None
    unit = get_session().get_one(Unit, client.unit_id) if client else None
    if request.method == "POST" and client is not None and unit is not None:
        _act(client, unit, form)
        if form.ok:
            return redirect(url_for("admin.simulator", client_id=client.id) + "#phone")
    screens = call_screens(client) if client else []
    return render_template(
        "admin/simulator/index.html",
        form=form,
        clients=_clients(),
        client=client,
        unit=unit,
        language=get_language(client.language) if client else None,
        conversation=conversation(client) if client else [],
        screens=screens,
        keys=KEYS,
        sent=sent_to(client) if client else [],
        planned=planned_for(client) if client else [],
    ), (422 if form.errors else 200)
