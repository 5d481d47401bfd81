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
from app.casework import (
    applications,
    appointments,
    catalog,
    checklists,
    current_records,
    history,
    pins,
    sign_language,
    support_offers,
)
from app.casework.contacts import display_phone
from app.casework.decisions import CONTINUING
from app.db import get_session
from app.models import (
    MAX_ID,
    Appointment,
    Client,
    LinkPurpose,
    LinkToken,
    OutboxMessage,
    Representative,
    SubjectType,
    SupportOffer,
    Unit,
    utcnow,
)
from app.outbox import subjects
from app.outbox.facts import base_facts, unit_called
from app.outbox.kinds import KINDS
from app.outbox.planner import local_date
from app.pages import calendar, links
from app.pages.pictograms import resolve
from app.security import content_security_policy
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


def _page(html: str, status: int = 200, *, media_origin: str | None = None) -> Response:
    response = Response(html, status, mimetype="text/html")
    response.headers.update(HEADERS)
    if media_origin:  # a sign-language video played on the page: from its host only
        response.headers["Content-Security-Policy"] = content_security_policy(media_origin)
    return response


def _sign_video(session: Session, unit_id: int, kind: str | None, code: str) -> dict | None:
    """The unit's sign-language video for a message kind's page (kind None: the overview),
    with the sign-language pictogram; None when the unit has linked none."""
    video = sign_language.for_page(session, unit_id, kind)
    if video is None:
        return None
    return {
        "url": video.url,
        "title": video.title,
        "media_type": video.media_type,
        "origin": video.origin if video.media_type else None,
        "picture": _picture("sign_language", code),
    }


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


def _no_longer_a_client(session: Session, token: str) -> Response | None:
    """The calm page for a link of someone who is no longer a client (the access rule),
    with their unit's number to call; None for anyone else's link."""
    client = links.client_of(session, token)
    if client is None or access.is_client(client):
        return None
    unit = session.get_one(Unit, client.unit_id)
    code = _language(client.language)
    html = _render("closed.html", code, phone=ltr(display_phone(unit.phone)), tel=unit.phone)
    return _page(html, 404)


def _gone(session: Session, token: str = "") -> Response:
    closed = _no_longer_a_client(session, token) if token else None
    if closed is not None:
        return closed
    unit = unit_called(session, "")
    number = display_phone(_sms_number(unit)) if unit else ""
    code = _language("sv")
    return _page(_render("gone.html", code, sms_display=ltr(number)), 404)


def _opened(link: LinkToken, now: datetime) -> bool:
    """Whether the right PIN was given for this link in the last 15 minutes."""
    return cookie.get("pages_open", {}).get(str(link.id), 0) > now.timestamp()


def _reader(
    session: Session, link: LinkToken, message: OutboxMessage | None
) -> Representative | None:
    """The representative a link was sent to (their own overview link, or a copy), or None
    when it is the client's."""
    representative_id = link.representative_id or (message.representative_id if message else None)
    return session.get(Representative, representative_id) if representative_id else None


def _pin_gate(
    session: Session, link: LinkToken, client: Client, now: datetime, code: str
) -> BaseResponse | None:
    """Where the access rule asks for the PIN (a discreet client): the PIN form until the
    right PIN is given (15 minutes)."""
    opened = cookie.get("pages_open", {})
    if _opened(link, now):
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
        return _gone(session, token)
    client = session.get_one(Client, link.client_id)
    message = session.get(OutboxMessage, link.outbox_message_id) if link.outbox_message_id else None
    representative = _reader(session, link, message)
    code = _language(representative.language if representative else client.language)
    # The one access rule: a removed representative, or one no longer allowed this kind of
    # message, finds the link gone; a discreet client's page waits for the PIN.
    topic = access.topic_of_kind(message.kind) if message else access.Topic.MESSAGES
    verdict = access.decide(access.Role(client, representative), topic, access.Channel.PAGE)
    if verdict == access.Verdict.DENY:
        return _gone(session, token)
    if verdict == access.Verdict.PIN:
        gate = _pin_gate(session, link, client, now, code)
        if gate is not None:
            return gate
    facts = base_facts(session, client, representative, now=now) | {"discreet": False}
    unit = session.get_one(Unit, client.unit_id)
    common = _common(facts, code, unit)
    if link.purpose == LinkPurpose.OVERVIEW:
        role = access.Role(client, representative)
        shown = overview(session, client, facts, code, now, role=role, token=token)
        chosen = f"?lang={code}" if request.args.get("lang") else ""
        shown |= {"support_url": f"/p/{token}/support{chosen}", "support": _picture("help", code)}
        video = _sign_video(session, unit.id or 0, None, code)
        return _page(
            _render("overview.html", code, **common, **shown, sign_video=video),
            media_origin=video["origin"] if video else None,
        )
    if message is None or (message.subject_type and subjects.load(session, message) is None):
        return _gone(session)
    if message.subject_type:
        facts |= subjects.facts(session, message, client, now)
    composition = compose(message.kind, facts, code, "page")
    video = _sign_video(session, unit.id or 0, message.kind, code)
    when = _when(facts, code) if message.subject_type == SubjectType.APPOINTMENT else None
    if when is not None and _may_see_meetings(access.Role(client, representative)):
        when["ics"] = _calendar_url(token, message.subject_id or 0)
    html = _render(
        "message.html",
        code,
        rows=_rows(composition.rows, code),
        when=when,
        read_text=" ".join(r.text for r in composition.rows),
        topic=KINDS[message.kind].subject_type if message.kind in KINDS else None,
        sent_on=catalogs().formatter(code).day(message.sent_at or message.due_at),
        sign_video=video,
        **common,
    )
    return _page(html, media_origin=video["origin"] if video else None)


def _may_see_meetings(role: access.Role) -> bool:
    # Asked once the page itself was allowed (after the PIN for a discreet client).
    return access.Topic.APPOINTMENTS in access.page_topics(role, pin_given=True)


def _calendar_url(token: str, appointment_id: int) -> str:
    return f"/p/{token}/calendar/{appointment_id}.ics"


@bp.route("/p/<token>/calendar/<int:appointment_id>.ics")
def calendar_file(token: str, appointment_id: int) -> BaseResponse:
    """A meeting as an iCalendar file for the phone's own calendar, under the same access
    as the page: the client (a discreet one after the PIN on the page) or a representative
    allowed meetings; a message link gives only its own meeting."""
    session = get_session()
    now = utcnow()
    link = links.resolve(session, token, now)
    if link is None or appointment_id > MAX_ID:  # no row has such an id (a query fails on it)
        return _gone(session)
    client = session.get_one(Client, link.client_id)
    message = session.get(OutboxMessage, link.outbox_message_id) if link.outbox_message_id else None
    role = access.Role(client, _reader(session, link, message))
    verdict = access.decide(role, access.Topic.APPOINTMENTS, access.Channel.PAGE)
    if verdict == access.Verdict.DENY:
        return _gone(session)
    if verdict == access.Verdict.PIN and not _opened(link, now):
        return redirect(f"/p/{token}", 303)  # the page asks for the PIN first
    appointment = session.get(Appointment, appointment_id)
    own_meeting = link.purpose == LinkPurpose.OVERVIEW or (
        message is not None
        and message.subject_type == SubjectType.APPOINTMENT
        and message.subject_id == appointment_id
    )
    if appointment is None or appointment.client_id != client.id or not own_meeting:
        return _gone(session)
    body = calendar.ics(session, appointment, client, _language(role.language), now)
    response = Response(body, 200, content_type=calendar.MEDIA_TYPE)
    response.headers.update(HEADERS)
    day = local_date(appointment.starts_at).isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{day}.ics"'
    return response


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


def overview(
    session: Session,
    client: Client,
    facts: dict,
    code: str,
    now: datetime,
    *,
    role: access.Role | None = None,
    token: str = "",
) -> dict:
    """What the overview page shows its reader (the client, or a representative with their
    own link): meetings, missing documents, support in force and the history, each only
    where the access rule lets the reader see that kind of record."""
    role = role or access.Role(client)
    # Asked once the page itself was allowed (after the PIN for a discreet client).
    topics = access.page_topics(role, pin_given=True)
    meetings, meeting_calendars = [], []
    if access.Topic.APPOINTMENTS in topics:
        for appointment in current_records.upcoming_appointments(session, client, now):
            meeting_facts = facts | appointments.facts(session, appointment, client, now)
            rows = compose(
                "appointment_reminder", meeting_facts | {"in_call": True}, code, "page"
            ).rows
            meetings.append(_rows(tuple(r for r in rows if r.picture != "answer"), code))
            meeting_calendars.append(_calendar_url(token, appointment.id or 0) if token else None)
    lists = []
    if access.Topic.DOCUMENTS in topics:
        for checklist in current_records.open_checklists(session, client):
            list_facts = facts | checklists.facts(session, checklist, client, now)
            rows = compose("checklist_reminder", list_facts | {"in_call": True}, code, "page").rows
            lists.append(_rows(rows, code))
    today = local_date(now)
    in_force = [
        _picture(f"service:{d.service}", code)
        | {"name": catalogs().gettext(code, _service_name(d.service)), "valid_to": d.valid_to}
        for d in current_records.decided(session, client)
        if access.Topic.DECISIONS in topics
        and d.outcome in CONTINUING
        and (d.valid_to is None or d.valid_to >= today)
    ]
    texts = [row["text"] for meeting in meetings for row in meeting]
    return {
        "meetings": meetings,
        "meeting_calendars": meeting_calendars,
        "checklists": lists,
        "decisions": in_force,
        "step_lines": _step_lines(session, client, code, now)
        if access.Topic.DECISIONS in topics
        else [],
        "topics": topics,
        # A representative's own link is addressed to them, about the client.
        "reader": role.representative.name if role.representative else None,
        "client_name": client.first_name,
        "history": [
            {"entry": entry, "picture": _picture(HISTORY_PICTURES[entry.what], code)}
            for entry in history.entries(session, client, now, topics)
        ],
        "history_since": history.since(now),
        "read_text": " ".join(texts),
        # The page is never cached, so the day it is shown is the day it is printed.
        "printed_on": catalogs().formatter(code).weekday_date_year(today),
    }


# The picture beside each kind of event in the history.
HISTORY_PICTURES = {"decision": "decision", "meeting": "meeting", "answer": "answer"}


def _step_lines(session: Session, client: Client, code: str, now: datetime) -> list[dict]:
    """Each open application's steps, with the service named in the page's language."""
    return [
        line | {"name": catalogs().gettext(code, _service_name(line["service"]))}
        for line in applications.step_lines(session, client, now)
    ]


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


@bp.route("/p/<token>/support", methods=["GET", "POST"])
def support_page(token: str) -> BaseResponse:
    """The support the unit offers, under an overview link: for the client, violence support
    first; for a representative's overview link, never violence support. A discreet client
    gives the PIN first, as for the overview (the page names their contact)."""
    session = get_session()
    now = utcnow()
    link = links.resolve(session, token, now)
    if link is None or link.purpose != LinkPurpose.OVERVIEW:
        return _gone(session)
    client = session.get_one(Client, link.client_id)
    role = access.Role(client, _reader(session, link, None))
    code = _language(role.language)
    if access.decide(role, access.Topic.SUPPORT, access.Channel.PAGE) == access.Verdict.DENY:
        return _gone(session)
    verdict = access.decide(role, access.Topic.MESSAGES, access.Channel.PAGE)
    if verdict == access.Verdict.PIN:
        gate = _pin_gate(session, link, client, now, code)
        if gate is not None:
            return gate
    facts = base_facts(session, client, role.representative, now=now) | {"discreet": False}
    shown = [_offer(offer, code) for offer in support_offers.listed(session, role)]
    html = _render(
        "support.html",
        code,
        offers=shown,
        overview_url=f"/p/{token}" + (f"?lang={code}" if request.args.get("lang") else ""),
        read_text=" ".join(f"{offer['name']}. {offer['explanation']}" for offer in shown),
        printed_on=catalogs().formatter(code).weekday_date_year(local_date(now)),
        **_common(facts, code, session.get_one(Unit, client.unit_id)),
    )
    return _page(html)


def _offer(offer: SupportOffer, code: str) -> dict:
    """One offer on the support page: the catalog's words in the language, the unit's details
    as staff wrote them."""
    facts = support_offers.offer_facts(offer)
    words = catalog.entry(catalog.configured_dir(), "offers", offer.kind)
    return (
        facts
        | _picture(facts["picture"], code)
        | {
            "name": catalogs().gettext(code, words["name"]),
            "explanation": catalogs().gettext(code, words["explanation"]),
            "phone": ltr(facts["phone"]),
        }
    )
