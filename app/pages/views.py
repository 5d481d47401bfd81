"""GET /p/<token>: one message as a picture page, or the client's overview page.

The page says what the SMS and the phone say (the same composition, page channel), one
idea per row with its pictogram, in the client's language (switchable), printable on A4.
Pages show no surname and no personal identity number, are never cached or indexed, and
load nothing from outside the app. A discreet client confirms their PIN first.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, request
from flask import session as cookie
from markupsafe import Markup
from sqlmodel import Session
from werkzeug.wrappers import Response as BaseResponse

from app import access
from app.casework import appointments, catalog, checklists, current_records, pins
from app.casework.contacts import display_phone
from app.casework.decisions import CONTINUING
from app.db import get_session
from app.models import (
    Client,
    LinkPurpose,
    LinkToken,
    OutboxMessage,
    Representative,
    SubjectType,
    Unit,
    utcnow,
)
from app.outbox import subjects
from app.outbox.facts import base_facts, unit_called
from app.outbox.kinds import KINDS
from app.outbox.planner import local_date
from app.pages import links
from app.pages.pictograms import resolve
from app.words.compose import Row, compose
from app.words.i18n import catalogs
from app.words.languages import get_language, is_supported, languages

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

PIN_OK_TIME = timedelta(minutes=15)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def ltr(number: str) -> Markup:
    """A phone number kept left to right, so right-to-left text cannot reverse its groups,
    and on one line (page.css, .phone), so a narrow screen cannot split it."""
    return (
        Markup('<span class="phone" dir="ltr">{}</span>').format(number) if number else Markup("")
    )


def _page(html: str, status: int = 200) -> Response:
    response = Response(html, status, mimetype="text/html")
    response.headers.update(HEADERS)
    return response


def _render(template: str, code: str, **values) -> str:
    language = get_language(code)
    nav = [
        {
            "code": lang.code,
            "code_html": lang.bcp47,
            "name": lang.native_name,
            "direction": lang.direction,
            "current": lang.code == language.code,
        }
        for lang in languages()
    ]
    return _template(template, code, languages_nav=nav, **values)


def _template(template: str, code: str, **values) -> str:
    """A page template in a language. The html lang (and the voice asked for) is the BCP 47
    tag browsers and screen readers know, not our code ("fa-AF", not "prs")."""
    language = get_language(code)
    env = catalogs().page_environment(language.code)
    return env.get_template(template).render(html_lang=language.bcp47, **values)


def _picture(key: str, code: str) -> dict:
    found = resolve(key)
    if found is None:
        return {"url": None, "alt": ""}
    return {"url": f"/pictograms/{found.key}.svg", "alt": catalogs().gettext(code, found.alt)}


def _rows(rows: tuple[Row, ...], code: str) -> list[dict]:
    return [_picture(row.picture, code) | {"text": row.text} for row in rows]


def _sms_number(unit: Unit) -> str:
    return current_app.config.get("TWILIO_FROM_NUMBER") or unit.phone


def _common(facts: dict, code: str, unit: Unit) -> dict:
    """What every page about a client shows: who sends, the contact card, the numbers."""
    sms_number = _sms_number(unit)
    return dict(
        sender=facts["sender"],
        contact=_contact(facts, code),
        menu_phone=ltr(facts["menu_phone"]),
        sms_number=sms_number,
        sms_display=ltr(display_phone(sms_number)) if sms_number else Markup(""),
    )


def _contact(facts: dict, code: str) -> dict:
    contact = dict(facts["contact"])
    return contact | {"phone": ltr(contact["phone"]), "picture": _picture("caseworker", code)}


def _language(recipient_language: str) -> str:
    wanted = request.args.get("lang", "")
    return wanted if is_supported(wanted) else recipient_language


def _gone(session: Session) -> Response:
    unit = unit_called(session, "")
    number = display_phone(_sms_number(unit)) if unit else ""
    code = _language("sv")
    return _page(_render("gone.html", code, sms_display=ltr(number)), 404)


def _pin_gate(
    session: Session, link: LinkToken, client: Client, now: datetime, code: str
) -> BaseResponse | None:
    """Where the access rule asks for the PIN (a discreet client): the PIN form until the
    right PIN is given (15 minutes)."""
    opened = cookie.get("pages_open", {})
    if opened.get(str(link.id), 0) > now.timestamp():
        return None
    unit = session.get_one(Unit, client.unit_id)
    state = pins.state(client, now)
    if request.method == "POST" and state == "ask":
        result = pins.check_pin(
            session, client, request.form.get("pin", ""), now, channel=pins.PAGE
        )
        session.commit()
        if result == "ok":
            opened[str(link.id)] = (now + PIN_OK_TIME).timestamp()
            cookie["pages_open"] = opened
            return redirect(
                request.path + (f"?lang={code}" if request.args.get("lang") else ""), 303
            )
        state = result
    html = _render("pin.html", code, state=state, unit_phone=ltr(display_phone(unit.phone)))
    return _page(html, 200)


@bp.route("/p/<token>", methods=["GET", "POST"])
def page(token: str) -> BaseResponse:
    """A message page or the overview page, by the link's purpose."""
    session = get_session()
    now = utcnow()
    link = links.resolve(session, token, now)
    if link is None:
        return _gone(session)
    client = session.get_one(Client, link.client_id)
    message = session.get(OutboxMessage, link.outbox_message_id) if link.outbox_message_id else None
    representative = (
        session.get(Representative, message.representative_id)
        if message and message.representative_id
        else None
    )
    code = _language(representative.language if representative else client.language)
    # The one access rule: a removed representative, or one no longer allowed this kind of
    # message, finds the link gone; a discreet client's page waits for the PIN.
    topic = access.topic_of_kind(message.kind) if message else access.Topic.MESSAGES
    verdict = access.decide(access.Role(client, representative), topic, access.Channel.PAGE)
    if verdict == access.Verdict.DENY:
        return _gone(session)
    if verdict == access.Verdict.PIN:
        gate = _pin_gate(session, link, client, now, code)
        if gate is not None:
            return gate
    facts = base_facts(session, client, representative, now=now) | {"discreet": False}
    unit = session.get_one(Unit, client.unit_id)
    common = _common(facts, code, unit)
    if link.purpose == LinkPurpose.OVERVIEW:
        return _page(
            _render("overview.html", code, **common, **overview(session, client, facts, code, now))
        )
    if message is None or (message.subject_type and subjects.load(session, message) is None):
        return _gone(session)
    if message.subject_type:
        facts |= subjects.facts(session, message, client, now)
    composition = compose(message.kind, facts, code, "page")
    when = _when(facts, code) if message.subject_type == SubjectType.APPOINTMENT else None
    html = _render(
        "message.html",
        code,
        rows=_rows(composition.rows, code),
        when=when,
        read_text=" ".join(r.text for r in composition.rows),
        topic=KINDS[message.kind].subject_type if message.kind in KINDS else None,
        sent_on=catalogs().formatter(code).day(message.sent_at or message.due_at),
        **common,
    )
    return _page(html)


def _when(facts: dict, code: str) -> dict | None:
    """A meeting's day and time in large type, with their pictures."""
    if "appointment" not in facts:
        return None
    formatter = catalogs().formatter(code)
    starts = facts["appointment"]["starts_at"]
    return {
        "date": formatter.weekday_date(starts),
        "time": formatter.clock(starts),
        "calendar": _picture("calendar", code),
        "clock": _picture("clock", code),
    }


def overview(session: Session, client: Client, facts: dict, code: str, now: datetime) -> dict:
    """What the overview page shows: meetings, missing documents, support in force."""
    meetings = []
    for appointment in current_records.upcoming_appointments(session, client, now):
        meeting_facts = facts | appointments.facts(session, appointment, client, now)
        rows = compose("appointment_reminder", meeting_facts | {"in_call": True}, code, "page").rows
        meetings.append(_rows(tuple(r for r in rows if r.picture != "answer"), code))
    lists = []
    for checklist in current_records.open_checklists(session, client):
        list_facts = facts | checklists.facts(session, checklist, client, now)
        rows = compose("checklist_reminder", list_facts | {"in_call": True}, code, "page").rows
        lists.append(_rows(rows, code))
    today = local_date(now)
    in_force = [
        _picture(f"service:{d.service}", code)
        | {"name": catalogs().gettext(code, _service_name(d.service)), "valid_to": d.valid_to}
        for d in current_records.decided(session, client)
        if d.outcome in CONTINUING and (d.valid_to is None or d.valid_to >= today)
    ]
    texts = [row["text"] for meeting in meetings for row in meeting]
    return {
        "meetings": meetings,
        "checklists": lists,
        "decisions": in_force,
        "read_text": " ".join(texts),
        # The page is never cached, so the day it is shown is the day it is printed.
        "printed_on": catalogs().formatter(code).weekday_date_year(today),
    }


def _service_name(key: str) -> str:
    return catalog.entry(Path(current_app.config["MESSAGES_DIR"]) / "catalog", "services", key)[
        "name"
    ]


def preview_page(session: Session, client: Client, kind: str, facts: dict, code: str) -> str:
    """A message's picture page as HTML, composed from the facts it would be sent with
    (base facts and its record's facts) but without a saved message or link: what staff
    see before sending. Nothing is written; there is no language menu (the preview shows
    each language itself) and no appointment date card."""
    code = get_language(code).code
    facts = facts | {"discreet": False, "link": None}  # the page is the full message
    composition = compose(kind, facts, code, "page")
    unit = session.get_one(Unit, client.unit_id)
    return _template(
        "message.html",
        code,
        languages_nav=[],
        rows=_rows(composition.rows, code),
        when=None,
        read_text=" ".join(r.text for r in composition.rows),
        topic=KINDS[kind].subject_type if kind in KINDS else None,
        sent_on=None,  # not sent yet
        **_common(facts, code, unit),
    )
