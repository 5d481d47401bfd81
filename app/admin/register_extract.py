"""The register extract (registerutdrag): everything Tydligt holds about one client, for
the client, as a printable page in Swedish (whatever the staff language) and as a JSON
file. Only administrators of the client's unit (the access rule) take one, and each is
audited as such: who, when, which client and which form, never the content."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import Response, abort, current_app, render_template, session
from markupsafe import Markup

from app import access
from app.admin import bp
from app.admin.access import current_staff, record
from app.admin.forms import MAX_ID
from app.admin.words import N_, _
from app.casework import closing
from app.casework.register_extract import Extract, Person, gather
from app.db import get_session
from app.models import Client, utcnow

SWEDISH = "sv"

# People by role, as the client reads them: "god man Anna Berg", "handläggare Lina Ek".
ROLES = {
    "client": N_("you"),
    "caseworker": N_("case worker"),
    "admin": N_("administrator"),
    "staff": N_("staff member"),
    "god_man": N_("god man"),
    "forvaltare": N_("förvaltare"),
    "relative": N_("relative"),
    "other": N_("representative"),
    "representative": N_("representative"),
    "system": N_("the system"),
}

# The client after "till" or "från": "dig", not "du".
YOU_AFTER_A_PREPOSITION = N_("you (after to or from)")

# What an audit event says was done, in the client's words; others by their record.
ACTIONS = {
    "client_viewed": N_("looked at your details"),
    "client_created": N_("registered you"),
    "client_linked": N_("linked you to the case system"),
    "client_changed": N_("changed your details"),
    "client_closed": N_("closed you as a client"),
    "consent_recorded": N_("wrote down that you agreed to get messages"),
    "opted_out": N_("wrote down that you want no messages"),
    "opted_in": N_("wrote down that you want messages again"),
    "pin_set": N_("gave you a new PIN code"),
    "links_revoked": N_("stopped your links"),
    "register_extract": N_("made a register extract like this one"),
    "api_call": N_("read or changed your details through the case system"),
}
TOPICS = {
    "appointment": N_("did something with a meeting"),
    "checklist": N_("did something with the documents you hand in"),
    "document": N_("did something with the documents you hand in"),
    "documents": N_("did something with the documents you hand in"),
    "decision": N_("did something with a decision"),
    "application": N_("did something with an application"),
    "handover": N_("gave you a new case worker"),
    "representative": N_("did something about your representative"),
    "inbound": N_("handled a message from you"),
    "callback": N_("handled a call-back request"),
    "sent": N_("sent you a message"),
    "support": N_("did something with your support"),
}
# What a representative gets copies of, in the client's words.
COPY_TOPICS = {
    "appointments": N_("meetings"),
    "documents": N_("documents"),
    "decisions": N_("decisions"),
    "handovers": N_("new case workers"),
}
# The fields a "client_changed" audit event names, in the client's words.
FIELDS = {
    "first_name": N_("Name"),
    "last_name": N_("Name"),
    "phone": N_("Mobile number"),
    "email": N_("E-mail"),
    "email_copies": N_("Copies by e-mail"),
    "language": N_("Language"),
    "channel": N_("Reminders by"),
    "privacy": N_("Privacy"),
    "picture_support": N_("Picture support"),
    "interpreter_language": N_("Interpreter"),
    "communication_aid": N_("Communication aid"),
    "caseworker_id": N_("Case worker"),
}

SECTIONS = (
    ("representatives", N_("Your representatives")),
    ("meetings", N_("Meetings")),
    ("checklists", N_("Documents to hand in")),
    ("decisions", N_("Decisions")),
    ("applications", N_("Applications")),
    ("handovers", N_("Case workers")),
    ("messages_sent", N_("Messages we sent")),
    ("messages_received", N_("Messages we got")),
    ("staff_messages", N_("Messages staff wrote to you")),
    ("callbacks", N_("You asked us to call")),
    ("call_steps", N_("Your calls to the phone menu")),
    ("pages", N_("Links to pages")),
    ("sent_to_systems", N_("What we sent to the case system")),
    ("audit", N_("Who looked at or changed your details")),
)


@contextmanager
def in_swedish() -> Iterator[None]:
    """Staff words and labels in Swedish while the extract renders: it is for the client,
    whatever language the staff member reads. The staff member's choice comes back after."""
    chosen = session.get("staff_language")
    session["staff_language"] = SWEDISH
    try:
        yield
    finally:
        if chosen is None:
            session.pop("staff_language", None)
        else:
            session["staff_language"] = chosen


def person(who: Person | None, *, after_preposition: bool = False) -> str:
    """Someone by role and name: "god man Anna Berg"; "du" (or "dig") for the client."""
    if who is None:
        return ""
    role = ROLES.get(who.role, ROLES["staff"])
    if who.role == "client" and after_preposition:
        role = YOU_AFTER_A_PREPOSITION
    return f"{_(role)} {who.name}".strip()


def when(moment: datetime | None) -> str:
    """A moment as a person reads it: "måndag 7 december 2026 kl. 10:00"."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return format_datetime(local, "EEEE d MMMM y 'kl.' HH:mm", locale=SWEDISH)


def day(value: date | None) -> str:
    """A date as a person reads it: "måndag 7 december 2026"."""
    return format_date(value, "EEEE d MMMM y", locale=SWEDISH) if value else ""


def copy_topics(topics: list[str]) -> str:
    """What a representative gets copies of: "möten, beslut"."""
    return ", ".join(_(COPY_TOPICS.get(topic, topic)) for topic in topics)


def what_changed(fields: list[str]) -> str:
    """Which of the client's details a change touched, in their words ("Språk, E-post")."""
    return ", ".join(dict.fromkeys(_(FIELDS[field]) for field in fields if field in FIELDS))


def done(action: str) -> str:
    """What an audit event's action did, in the client's words."""
    if action in ACTIONS:
        return _(ACTIONS[action])
    topic = TOPICS.get(action.split("_")[0])
    return _(topic) if topic else _("changed something in your details")


def _client_or_404(client_id: int) -> Client:
    """The client, if the signed-in person may take their register extract; else 404."""
    client = get_session().get(Client, client_id) if client_id <= MAX_ID else None
    if client is None or not access.may_take_register_extract(current_staff(), client):
        abort(404)
    return client


def _taken(client: Client, form: str) -> Extract:
    """Gather the extract and audit that it was taken (never what it holds)."""
    extract = gather(get_session(), client, utcnow(), current_app.config)
    record("register_extract", client_id=client.id, detail=form)
    get_session().commit()
    return extract


@bp.route("/clients/<int:client_id>/register-extract")
def register_extract(client_id: int):
    """Everything about the client as a page in Swedish, to print or save for them."""
    client = _client_or_404(client_id)
    extract = _taken(client, "html")
    dates = closing.deletion_dates(client, current_app.config)
    with in_swedish():
        html = render_template(
            "admin/register_extract/show.html",
            client=client,
            extract=extract,
            sections=SECTIONS,
            deletion=dates,
            person=person,
            when=when,
            day=day,
            done=done,
            copy_topics=copy_topics,
            what_changed=what_changed,
        )
    return Markup(html)


@bp.route("/clients/<int:client_id>/register-extract.json")
def register_extract_json(client_id: int):
    """Everything about the client as a JSON file to download (never cached)."""
    client = _client_or_404(client_id)
    extract = _taken(client, "json")
    body = json.dumps(extract.as_json(), ensure_ascii=False, indent=2)
    name = f"registerutdrag-{extract.made_at.date().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
