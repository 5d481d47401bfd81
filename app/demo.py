"""Fictional demo data: a unit, a case worker and one client per language.

Phone numbers: clients +4670000000N as DESIGN.md fixes; unit and staff numbers from the
range PTS reserves for fiction. Running `flask demo` again adds nothing new while the
demo's next meetings are still ahead; once they have passed it books new ones, so a fresh
`make run` always shows reminders within a minute.
"""

import math
from datetime import datetime, timedelta
from typing import Any, TypedDict

import click
from sqlmodel import Session, select
from werkzeug.security import generate_password_hash

from app.casework import (
    applications,
    appointments,
    checklist_changes,
    checklists,
    clients,
    sign_language,
    support_offers,
)
from app.db import get_engine
from app.models import (
    Application,
    ApplicationStep,
    Appointment,
    AppointmentStatus,
    Checklist,
    Client,
    ConsentMethod,
    StaffRole,
    StaffUser,
    Unit,
    saved_id,
    utcnow,
)
from app.outbox.planner import local_date
from app.words.languages import language_codes

DEMO_PASSWORD = "tydligt-demo"
DEMO_SOURCE = "demo"

UNIT = {
    "name": "Ekby kommun, stöd och omsorg",
    "sender_name": "Ekby kommun",
    "phone": "+46846500400",
    "phone_menu_number": "+46846500401",
    "address": "Storgatan 12, Ekby",
    "office_hours": "mon-fri 09:00-12:00",
    # The demo unit sends at any hour, so `make run` shows reminders at once whenever it is
    # started; a real unit keeps the default window, 08:00-20:00 (admin page, Settings).
    "sending_window": "00:00-23:59",
}

# The demo unit's sign-language video for every picture page (app/casework/sign_language.py):
# a link to a fictional video service, so the pages load nothing from it.
SIGN_VIDEO = {
    "kind": "",
    "url": "https://teckensprak.ekby.example/sa-fungerar-tydligt",
    "title": "Så fungerar Tydligt",
}
# The support the demo unit offers (app/casework/support_offers.py): four kinds, with
# fictional details as staff would write them.
SUPPORT_OFFERS = {
    "violence": {
        "who": "Ekby stödlinje",
        "phone": "+46846500450",
        "place": "",
        "hours": "Alla dagar, dygnet runt",
        "web": "https://ekby.example/stod-vid-vald",
    },
    "services": {
        "who": "Mottagningen",
        "phone": "+46846500400",
        "place": "Storgatan 12, Ekby",
        "hours": "Mån-fre 9-12",
        "web": "",
    },
    "budget_debt": {
        "who": "Budgetrådgivningen",
        "phone": "+46846500460",
        "place": "Storgatan 12, Ekby",
        "hours": "Tis och tor 13-16",
        "web": "https://ekby.example/budget",
    },
    "meeting_place": {
        "who": "Träffpunkt Linden",
        "phone": "",
        "place": "Lindvägen 4, Ekby",
        "hours": "Mån-fre 10-15",
        "web": "",
    },
}


class DemoClient(TypedDict):
    """What the demo knows of its client in one language (the rest is the same for all)."""

    first_name: str
    last_name: str
    mode: str
    purpose: str
    bring: str
    service: str
    scope: tuple[float, str] | None  # (amount, unit) of the decision's support


STAFF = (
    {
        "email": "lina.berg@ekby.example",
        "name": "Lina Berg",
        "phone": "+46701740605",
        "role": StaffRole.CASEWORKER,
    },
    {
        "email": "omar.haddad@ekby.example",
        "name": "Omar Haddad",
        "phone": "+46701740606",
        "role": StaffRole.CASEWORKER,
    },
    {"email": "admin@ekby.example", "name": "Eva Admin", "phone": "", "role": StaffRole.ADMIN},
)

# One fictional client per language, in registry order; phone +4670000000N.
CLIENTS: dict[str, DemoClient] = {
    "sv": {
        "first_name": "Sara",
        "last_name": "Lind",
        "mode": "office",
        "purpose": "follow_up",
        "bring": "hyresavi,kontoutdrag",
        "service": "boendestod",
        "scope": (6, "hours_per_week"),
    },
    "en": {
        "first_name": "Adam",
        "last_name": "Clarke",
        "mode": "home",
        "purpose": "planning",
        "bring": "",
        "service": "ledsagarservice",
        "scope": (10, "hours_per_month"),
    },
    "ar": {
        "first_name": "Layla",
        "last_name": "Nasser",
        "mode": "office",
        "purpose": "money",
        "bring": "kontoutdrag",
        "service": "ekonomiskt_bistand",
        "scope": (5400, "sek_per_month"),
    },
    "so": {
        "first_name": "Hodan",
        "last_name": "Warsame",
        "mode": "phone",
        "purpose": "application",
        "bring": "",
        "service": "daglig_verksamhet",
        "scope": None,
    },
    "fa": {
        "first_name": "Reza",
        "last_name": "Karimi",
        "mode": "office",
        "purpose": "follow_up",
        "bring": "lakarintyg",
        "service": "kontaktperson",
        "scope": (4, "hours_per_month"),
    },
    "prs": {
        "first_name": "Farida",
        "last_name": "Amiri",
        "mode": "video",
        "purpose": "decision",
        "bring": "",
        "service": "korttidsvistelse",
        "scope": (4, "days_per_month"),
    },
    "ti": {
        "first_name": "Senait",
        "last_name": "Tesfay",
        "mode": "office",
        "purpose": "first_meeting",
        "bring": "id_handling",
        "service": "personlig_assistans",
        "scope": (42.5, "hours_per_week"),
    },
    "fi": {
        "first_name": "Aino",
        "last_name": "Virtanen",
        "mode": "home",
        "purpose": "follow_up",
        "bring": "",
        "service": "fardtjanst",
        "scope": None,
    },
    "uk": {
        "first_name": "Olena",
        "last_name": "Shevchenko",
        "mode": "office",
        "purpose": "application",
        "bring": "id_handling,hyreskontrakt",
        "service": "arbetstraning",
        "scope": (20, "hours_per_week"),
    },
}

# How some demo clients want to be reached: (interpreter language, communication aid).
# Sara reads Swedish yet needs pictures; Senait and Farida need interpreters at meetings.
CONTACT_NEEDS: dict[str, tuple[str, str]] = {
    "sv": ("", "bildstöd"),
    "ti": ("ti", "bildstöd"),
    "prs": ("prs", ""),
}

# Demo clients whose texts lead with the picture page (picture support): those who use
# picture support, and the Somali client, who reads little in any script.
PICTURE_SUPPORT = frozenset({"sv", "ti", "so"})

# Demo clients who chose e-mail too (example.org: an address nobody gets mail at), one
# left-to-right and one right-to-left, so `make run` shows both in the console outbox.
EMAIL_COPIES: dict[str, str] = {"en": "adam.clarke@example.org", "ar": "layla.nasser@example.org"}

# Meetings are booked this far ahead, so the short-notice reminder goes out at once.
MEETING_LEAD = timedelta(hours=20)


def demo_phone(index: int) -> str:
    """The demo client number for a 1-based index: +46700000001, +46700000002, ..."""
    return f"+4670000000{index}" if index < 10 else f"+467000000{index}"


def _upsert(session: Session, model: type, lookup: dict, values: dict):
    row = session.exec(select(model).filter_by(**lookup)).first()
    if row is None:
        row = model(**lookup, **values)
        session.add(row)
        session.flush()
    return row


def _meeting_time(now: datetime) -> datetime:
    start = now + MEETING_LEAD
    quarter = 15 * 60
    return datetime.fromtimestamp(math.ceil(start.timestamp() / quarter) * quarter, tz=start.tzinfo)


def _has_upcoming_demo_meeting(session: Session, client: Client, now: datetime) -> bool:
    return (
        session.exec(
            select(Appointment.id).where(
                Appointment.client_id == client.id,
                Appointment.source_system == DEMO_SOURCE,
                Appointment.status == AppointmentStatus.PLANNED,
                Appointment.starts_at > now,
            )
        ).first()
        is not None
    )


def _past_meeting(session: Session, client: Client, staff_id: int | None, now: datetime) -> None:
    """A meeting two weeks ago that Sara answered JA to and came to: the overview's history
    shows it (with the meeting, the answer and that it took place). Made once."""
    source_id = "sv-past-meeting"
    found = select(Appointment.id).filter_by(
        client_id=client.id, source_system=DEMO_SOURCE, source_id=source_id
    )
    if session.exec(found).first():
        return
    starts = _meeting_time(now - timedelta(days=14))
    session.add(
        Appointment(
            client_id=saved_id(client),
            staff_id=staff_id,
            starts_at=starts,
            location=UNIT["address"],
            response="confirmed",
            responded_at=starts - timedelta(days=1),
            attendance="came",
            attendance_at=starts + timedelta(hours=1),
            attendance_by_staff_id=staff_id,
            source_system=DEMO_SOURCE,
            source_id=source_id,
            source_unit_id=client.unit_id,
        )
    )


def _application_at_comment(session: Session, client: Client, now: datetime) -> None:
    """Sara's application for housing support, sent for her comment (kommunicering): the
    overview's step line and the comment message with its answer day. Made once."""
    source = {"source_system": DEMO_SOURCE, "source_id": "sv-application"}
    found = session.exec(select(Application).filter_by(client_id=client.id, **source)).first()
    if found is not None:
        return
    today = local_date(now)
    # Received and investigated before the demo began: only the comment step is told now.
    application = Application(
        client_id=saved_id(client), staff_id=client.caseworker_id,
        service=CLIENTS["sv"]["service"], received_on=today - timedelta(days=12),
        decision_expected_on=today + timedelta(days=30), step=ApplicationStep.INVESTIGATING,
        source_system=DEMO_SOURCE, source_id=source["source_id"], source_unit_id=client.unit_id,
    )  # fmt: skip
    session.add(application)
    session.flush()
    applications.move(
        session, client, application, "comment", answer_by=today + timedelta(days=10), now=now
    )


def _monthly_application(session: Session, client: Client, now: datetime) -> None:
    """Layla's monthly application for economic assistance: this month's papers due in ten
    days (the same day every month), two in and one of them sent back as unreadable (a
    page missing). Made once."""
    source = {"source_system": DEMO_SOURCE, "source_id": "ar-monthly"}
    if session.exec(select(Checklist.id).filter_by(client_id=client.id, **source)).first():
        return
    due = local_date(now) + timedelta(days=10)
    monthly = checklists.create(
        session, client, application_type="ekonomiskt_bistand", due_date=due,
        staff_id=client.caseworker_id, repeat_monthly_day=due.day, now=now,
        source_unit_id=client.unit_id, source_system=DEMO_SOURCE, source_id="ar-monthly",
    )  # fmt: skip
    for document in ("hyresavi", "kontoutdrag"):
        checklists.receive(session, monthly, document, now=now)
    checklist_changes.mark_unclear(session, monthly, "kontoutdrag", "page_missing", now=now)


def load_demo(session: Session, now: datetime | None = None) -> dict:
    """Load or refresh the demo; returns counts of what was created."""
    now = now or utcnow()
    created = {"clients": 0, "appointments": 0}
    unit = _upsert(
        session, Unit, {"name": UNIT["name"]}, {k: v for k, v in UNIT.items() if k != "name"}
    )
    staff = []
    for person in STAFF:
        values: dict[str, Any] = {k: v for k, v in person.items() if k != "email"}
        values |= {"unit_id": unit.id, "password_hash": generate_password_hash(DEMO_PASSWORD)}
        row = session.exec(select(StaffUser).where(StaffUser.email == person["email"])).first()
        if row is None:
            row = StaffUser(email=person["email"], **values)
            session.add(row)
            session.flush()
        staff.append(row)
    caseworker = staff[0]
    for index, code in enumerate(language_codes(), start=1):
        spec = CLIENTS[code]
        phone = demo_phone(index)
        client = session.exec(select(Client).where(Client.phone == phone)).first()
        if client is None:
            client = clients.enroll(
                session,
                unit_id=unit.id,
                caseworker_id=caseworker.id,
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                phone=phone,
                language=code,
                picture_support=code in PICTURE_SUPPORT,
                interpreter_language=CONTACT_NEEDS.get(code, ("", ""))[0],
                communication_aid=CONTACT_NEEDS.get(code, ("", ""))[1],
                email=EMAIL_COPIES.get(code, ""),
                email_copies=code in EMAIL_COPIES,
                consent_method=ConsentMethod.VERBAL,
                consent_recorded_by_id=caseworker.id,
                now=now,
            )
            created["clients"] += 1
        if not _has_upcoming_demo_meeting(session, client, now):
            starts_at = _meeting_time(now)
            appointments.book(
                session,
                client,
                now=now,
                starts_at=starts_at,
                mode=spec["mode"],
                location=UNIT["address"] if spec["mode"] == "office" else "",
                staff_id=caseworker.id,
                purpose=spec["purpose"],
                bring=spec["bring"],
                source_system=DEMO_SOURCE,
                source_id=f"{code}-{starts_at:%Y%m%d%H%M}",
            )
            created["appointments"] += 1
        if code == "sv":
            _application_at_comment(session, client, now)
            _past_meeting(session, client, caseworker.id, now)
        if code == "ar":
            _monthly_application(session, client, now)
    offered = support_offers.offered_kinds(session, unit.id)
    for kind, details in SUPPORT_OFFERS.items():
        if kind not in offered:
            support_offers.save(session, unit.id, kind, details, actor_type="system", now=now)
    if not sign_language.of_unit(session, unit.id):
        sign_language.save(session, unit.id, **SIGN_VIDEO)
    session.commit()
    return created


@click.command("demo")
def demo_command() -> None:
    """Load fictional demo data (safe to run again)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        created = load_demo(session)
    click.echo(
        f"Demo ready: {created['clients']} new clients, {created['appointments']} new meetings. "
        f"Sign in as {STAFF[0]['email']} / {DEMO_PASSWORD}. The administrator "
        f"{STAFF[-1]['email']} (same password) sets up an authenticator app at first sign-in."
    )
