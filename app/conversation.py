"""The SMS conversation: what we do and answer when a client, a representative or an
unknown number texts us. Every answer is composed like any other message: in the
sender's language, within its SMS budget, in plain words."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, select

from app import appointments, audit, callbacks, checklists, client_records, decisions, links
from app.compose import compose
from app.contacts import Contact, current_contact
from app.deadlines import add_working_days
from app.facts import base_facts, unit_called, unit_facts
from app.keywords import Reading, read
from app.languages import get_language, languages
from app.models import (
    AppointmentResponse,
    CallbackSource,
    Client,
    FeedbackAnswer,
    InboundMessage,
    LinkPurpose,
    OutboxMessage,
    Privacy,
    Representative,
)
from app.planner import SENT_STATUSES, local_date

log = logging.getLogger(__name__)

LANGUAGE_MENU_TIME = timedelta(minutes=15)  # a number this soon after the list picks a language
FEEDBACK_TIME = timedelta(days=3)  # 1-3 this soon after the question is an answer to it
MENU = (1, 2, 3, 4, 5, 6, 7)
PERMISSION_FOR_OPTION = {1: "copy_appointments", 2: "copy_documents", 3: "copy_decisions"}


@dataclass
class Sender:
    """Who texted: a client, a representative (on a client's behalf), or nobody we know."""

    client: Client | None = None
    representative: Representative | None = None

    @property
    def language(self) -> str:
        holder = self.representative or self.client
        return holder.language if holder else "sv"

    def may(self, option: int) -> bool:
        """A representative gets only what the client allowed."""
        if self.representative is None or option not in PERMISSION_FOR_OPTION:
            return True
        return bool(getattr(self.representative, PERMISSION_FOR_OPTION[option]))


def identify(session: Session, phone: str) -> Sender:
    """The client with this number, or a representative with it, or nobody."""
    client = session.exec(select(Client).where(Client.phone == phone)).first()
    if client is not None:
        return Sender(client=client)
    representative = session.exec(
        select(Representative).where(Representative.phone == phone).order_by(Representative.id)
    ).first()
    if representative is not None:
        return Sender(session.get(Client, representative.client_id), representative)
    return Sender()


class Conversation:
    """One inbound text being answered."""

    def __init__(self, session: Session, inbound: InboundMessage, sender: Sender, now: datetime):
        self.session, self.inbound, self.sender, self.now = session, inbound, sender, now
        self._contact: Contact | None = None

    @property
    def contact_person(self) -> Contact:
        """The client's contact person today (looked up once per text)."""
        if self._contact is None:
            self._contact = current_contact(self.session, self.sender.client, local_date(self.now))
        return self._contact

    # Composing ----------------------------------------------------------------------

    def say(self, kind: str, **facts) -> str:
        client = self.sender.client
        all_facts = base_facts(
            self.session,
            client,
            self.sender.representative,
            now=self.now,
            contact=self.contact_person,
        )
        all_facts |= {"discreet": False, "menu": self.menu_options(), "asked_next": False} | facts
        return compose(kind, all_facts, self.sender.language, "sms").text

    def menu_options(self) -> list[int]:
        return [n for n in MENU if self.sender.may(n)]

    def mark(self, intent: str, *, needs_answer: bool = False) -> None:
        self.inbound.intent = intent
        if needs_answer:
            self.inbound.needs_answer = True
            staff = self.contact_person.staff
            self.inbound.assigned_staff_id = staff.id if staff else None

    # The conversation ---------------------------------------------------------------

    def answer(self, reading: Reading, opt_out_type: str) -> str:
        if opt_out_type in ("STOP", "START", "HELP"):
            reading = Reading(opt_out_type.lower())
        if reading.intent == "number" and self._choosing_language():
            return self.set_language(reading.number)
        if (
            reading.intent == "number"
            and reading.number in (1, 2, 3)
            and self._answering_feedback()
        ):
            return self.feedback(reading.number)
        if reading.intent == "number" and reading.number in self.menu_options():
            return self.option(reading.number)
        handlers = {
            "help": self.menu,
            "empty": self.menu,
            "number": self.menu,
            "yes": self.confirm,
            "no": self.decline,
            "call": self.call_me,
            "language": self.language_list,
            "stop": lambda: self.stop(twilio_replied=opt_out_type == "STOP"),
            "start": self.start,
            "free_text": self.free_text,
        }
        return handlers[reading.intent]()

    def option(self, number: int) -> str:
        discreet = (
            self.sender.client.privacy == Privacy.DISCREET and self.sender.representative is None
        )
        if discreet and number in (1, 2, 3):
            self.mark(f"option_{number}")
            return self.say("reply_discreet_detail", link=self.overview_link())
        return {
            1: self.next_appointment,
            2: self.missing_documents,
            3: self.latest_decision,
            4: self.call_me,
            5: self.language_list,
            6: self.contact,
            7: self.complaints,
        }[number]()

    def overview_link(self) -> str | None:
        """A fresh overview link for the client (not for a representative)."""
        if self.sender.representative is not None:
            return None
        token = links.create(self.session, self.sender.client, LinkPurpose.OVERVIEW, self.now)
        return links.url(token)

    def menu(self) -> str:
        self.mark("help")
        return self.say("reply_menu", link=self.overview_link())

    def next_appointment(self) -> str:
        self.mark("option_1")
        appointment = client_records.next_appointment(self.session, self.sender.client, self.now)
        if appointment is None:
            return self.say("reply_no_appointment", asked_next=True)
        facts = appointments.facts(self.session, appointment, self.sender.client, self.now)
        return self.say("reply_appointment", **facts)

    def missing_documents(self) -> str:
        self.mark("option_2")
        open_lists = client_records.open_checklists(self.session, self.sender.client)
        if not open_lists:
            return self.say("reply_no_documents")
        facts = checklists.facts(self.session, open_lists[0], self.sender.client, self.now)
        return self.say("reply_documents", **facts)

    def latest_decision(self) -> str:
        self.mark("option_3")
        decision = client_records.latest_decision(self.session, self.sender.client)
        if decision is None:
            return self.say("reply_no_decision")
        facts = decisions.facts(self.session, decision, self.sender.client, self.now)
        return self.say(f"decision_{decision.outcome}", **facts)

    def call_me(self) -> str:
        self.mark("call")
        request = callbacks.request_callback(
            self.session,
            self.sender.client,
            source=CallbackSource.SMS,
            language=self.sender.language,
            confirm=False,
            now=self.now,
        )
        facts = callbacks.facts(self.session, request, self.sender.client, self.now)
        return self.say("callback_confirmation", **facts)

    def language_list(self) -> str:
        self.mark("language")
        choices = [{"number": n, "name": lang.native_name} for n, lang in enumerate(languages(), 1)]
        return self.say("reply_languages", choices=choices)

    def set_language(self, number: int) -> str:
        options = languages()
        if not 1 <= number <= len(options):
            return self.language_list()
        chosen = options[number - 1]
        holder = self.sender.representative or self.sender.client
        holder.language = chosen.code
        self.session.add(holder)
        self.mark("language_set")
        audit.record(
            self.session,
            "language_changed",
            actor_type="client",
            client_id=self.sender.client.id,
            detail=f"to {chosen.code} by SMS",
        )
        return self.say("reply_language_set", chosen_language=chosen.code)

    def contact(self) -> str:
        self.mark("option_6")
        return self.say("reply_contact")

    def complaints(self) -> str:
        self.mark("option_7")
        return self.say("reply_complaints")

    def feedback(self, score: int) -> str:
        # Anonymous: the score is kept without the client, and this text loses its body.
        self.session.add(
            FeedbackAnswer(
                unit_id=self.sender.client.unit_id, score=score, answered_on=local_date(self.now)
            )
        )
        self.inbound.body = None
        self.inbound.intent = "feedback"
        return self.say("reply_feedback_thanks")

    def confirm(self) -> str:
        appointment = client_records.appointment_awaiting_answer(
            self.session, self.sender.client, self.now
        )
        self.mark("yes")
        if appointment is None or not self.sender.may(1):
            return self.say("reply_no_appointment")
        appointments.respond(self.session, appointment, AppointmentResponse.CONFIRMED, now=self.now)
        facts = appointments.facts(self.session, appointment, self.sender.client, self.now)
        return self.say("reply_confirmed", **facts)

    def decline(self) -> str:
        appointment = client_records.appointment_awaiting_answer(
            self.session, self.sender.client, self.now
        )
        if appointment is None or not self.sender.may(1):
            self.mark("no")
            return self.say("reply_no_appointment")
        appointments.respond(self.session, appointment, AppointmentResponse.DECLINED, now=self.now)
        self.mark("no", needs_answer=True)  # a task for staff: find a new time
        facts = appointments.facts(self.session, appointment, self.sender.client, self.now)
        return self.say("reply_declined", **facts)

    def stop(self, *, twilio_replied: bool) -> str:
        holder = self.sender.representative or self.sender.client
        holder.opted_out_at = holder.opted_out_at or self.now
        self.session.add(holder)
        self.mark("stop")
        audit.record(
            self.session,
            "opted_out",
            actor_type="client",
            client_id=self.sender.client.id,
            detail="representative" if self.sender.representative else "client",
        )
        return "" if twilio_replied else self.say("reply_stopped")

    def start(self) -> str:
        holder = self.sender.representative or self.sender.client
        holder.opted_out_at = None
        self.session.add(holder)
        self.mark("start")
        audit.record(self.session, "opted_in", actor_type="client", client_id=self.sender.client.id)
        return self.say("reply_started")

    def free_text(self) -> str:
        self.mark("free_text", needs_answer=True)
        days = current_app.config["CALLBACK_WORKING_DAYS"]
        return self.say("reply_received", by=add_working_days(local_date(self.now), days))

    # Context ------------------------------------------------------------------------

    def _previous_inbound(self) -> InboundMessage | None:
        return self.session.exec(
            select(InboundMessage)
            .where(
                InboundMessage.from_phone == self.inbound.from_phone,
                InboundMessage.id != self.inbound.id,
            )
            .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        ).first()

    def _choosing_language(self) -> bool:
        previous = self._previous_inbound()
        return (
            previous is not None
            and previous.intent == "language"
            and self.now - previous.received_at <= LANGUAGE_MENU_TIME
        )

    def _answering_feedback(self) -> bool:
        if self.sender.representative is not None:
            return False
        asked = self.session.exec(
            select(OutboxMessage.sent_at)
            .where(
                OutboxMessage.client_id == self.sender.client.id,
                OutboxMessage.representative_id.is_(None),
                OutboxMessage.kind == "feedback_request",
                OutboxMessage.status.in_(SENT_STATUSES),
            )
            .order_by(OutboxMessage.sent_at.desc())
        ).first()
        if asked is None or self.now - asked > FEEDBACK_TIME:
            return False
        answered = self.session.exec(
            select(InboundMessage.id).where(
                InboundMessage.from_phone == self.inbound.from_phone,
                InboundMessage.intent == "feedback",
                InboundMessage.received_at >= asked,
            )
        ).first()
        return answered is None


def answer_unknown(session: Session, inbound: InboundMessage, now: datetime) -> str:
    """A stranger gets the unit's number and nothing about anyone; staff see the text."""
    inbound.intent = "unknown_sender"
    inbound.needs_answer = True
    unit = unit_called(session, inbound.to_phone)
    if unit is None:
        return ""
    facts = unit_facts(unit)
    # We cannot know a stranger's language: Swedish, then English (understood from anyone).
    return "\n\n".join(
        compose("reply_unknown_sender", facts, code, "sms").text for code in ("sv", "en")
    )


def respond(
    session: Session, inbound: InboundMessage, *, opt_out_type: str = "", now: datetime
) -> str:
    """Act on an inbound text and return the reply ('' for none)."""
    sender = identify(session, inbound.from_phone)
    inbound.client_id = sender.client.id if sender.client else None
    inbound.representative_id = sender.representative.id if sender.representative else None
    if sender.client is None:
        return answer_unknown(session, inbound, now)
    if sender.representative is None and sender.client.unreachable_at is not None:
        sender.client.unreachable_at = None  # the number works: it just texted us
        session.add(sender.client)
    conversation = Conversation(session, inbound, sender, now)
    reading = read(
        inbound.body or ("" if not inbound.media else "media"), get_language(sender.language)
    )
    # What the answer changes is written once, at the caller's commit: reads on the way
    # need not flush each change first.
    with session.no_autoflush:
        return conversation.answer(reading, opt_out_type.strip().upper())
