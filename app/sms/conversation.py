"""The SMS conversation: what we do and answer when a client, a representative or an
unknown number texts us. Every answer is composed like any other message: in the
sender's language, within its SMS budget, in plain words."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, select

from app import access, audit
from app.access import Role, Topic, Verdict
from app.casework import appointments, callbacks, checklists, current_records, decisions
from app.casework.contacts import Contact, current_contact
from app.casework.deadlines import add_working_days
from app.models import (
    AppointmentResponse,
    CallbackSource,
    Client,
    FeedbackAnswer,
    InboundMessage,
    LinkPurpose,
    OutboxMessage,
    Representative,
    StaffMessage,
    Unit,
)
from app.outbox.facts import base_facts, unit_called, unit_facts
from app.outbox.planner import SENT_STATUSES, local_date
from app.pages import links
from app.sms.keywords import Reading, read
from app.words.compose import compose
from app.words.languages import get_language, languages

log = logging.getLogger(__name__)

LANGUAGE_MENU_TIME = timedelta(minutes=15)  # a number this soon after the list picks a language
FEEDBACK_TIME = timedelta(days=3)  # 1-3 this soon after the question is an answer to it
# Words written this soon after menu option 7 (complain) or 8 (another case worker) are
# for the unit's managers, not the case worker: a complaint often takes several texts, so
# each one written after it counts too, until this has passed since the last of them.
COMPLAINT_TIME = timedelta(hours=24)
# A reply within this long to a manager's answer to such a text goes to the managers too.
ANSWER_THREAD_TIME = timedelta(days=14)
# What the managers' texts are understood as: the option chosen, then the words after it.
FOR_MANAGERS = {"option_7": "complaint", "option_8": "new_caseworker"}
# Someone known in several ways (a representative of two clients, a client of two units)
# answers the list "whose?" with a number this soon after it; the choice then holds while
# they keep texting, until they are quiet this long (or text 0 to choose again).
WHOSE_TIME = timedelta(minutes=30)
CHOOSE_AGAIN = 0


@dataclass
class Sender:
    """Who texted or called: one role (a client, or a representative of one), every role
    their number has in the unit reached, or nobody we know."""

    role: Role | None = None
    candidates: tuple[Role, ...] = ()

    @property
    def client(self) -> Client | None:
        return self.role.client if self.role else None

    @property
    def representative(self) -> Representative | None:
        return self.role.representative if self.role else None

    @property
    def language(self) -> str:
        if self.role is not None:
            return self.role.language
        return self.candidates[0].language if self.candidates else "sv"

    @property
    def undecided(self) -> bool:
        """Known in several ways, and not yet said which one this is about."""
        return self.role is None and len(self.candidates) > 1


def identify(session: Session, phone: str, reached: str, chosen: str | None = None) -> Sender:
    """Who the number `phone` is in the unit(s) whose number `reached` was texted or
    called. With one role, that one; with several, the one named by `chosen` (a role key,
    checked against the number's real roles), or none yet."""
    candidates = tuple(access.roles(session, phone, reached))
    if len(candidates) == 1:
        return Sender(candidates[0], candidates)
    return Sender(access.role_by_key(list(candidates), chosen), candidates)


def whose_choices(sender: Sender) -> list[dict]:
    """The list "whose?" as messages show it: a number and the person's first name."""
    return [{"number": n, "name": role.name} for n, role in enumerate(sender.candidates, 1)]


def holder_name(sender: Sender) -> str:
    """The name of the person holding the phone, for the greeting."""
    role = sender.role or (sender.candidates[0] if sender.candidates else None)
    if role is None:
        return ""
    return role.representative.name if role.representative else role.client.first_name


class Conversation:
    """One inbound text being answered, for one role of the sender."""

    def __init__(self, session: Session, inbound: InboundMessage, sender: Sender, now: datetime):
        self.session, self.inbound, self.sender, self.now = session, inbound, sender, now
        self._contact: Contact | None = None

    @property
    def contact_person(self) -> Contact:
        """The client's contact person today (looked up once per text)."""
        if self._contact is None:
            self._contact = current_contact(self.session, self.sender.client, local_date(self.now))
        return self._contact

    def verdict(self, topic: Topic) -> Verdict:
        """The one access rule, asked for this sender by SMS."""
        return access.decide(self.sender.role, topic, access.Channel.SMS)

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
        if all_facts["copy"] is not None:  # an answer to the representative, about the client
            all_facts["copy"] = all_facts["copy"] | {"reply": True}
        all_facts |= {
            "discreet": False,
            # A discreet client's answers repeat no date, time or place (the access rule).
            "hide_details": self.verdict(Topic.APPOINTMENTS) == Verdict.DISCREET,
            "menu": self.menu_options(),
            "asked_next": False,
            "choose_again": len(self.sender.candidates) > 1,
        } | facts
        return compose(kind, all_facts, self.sender.language, "sms").text

    def menu_options(self) -> list[int]:
        return access.menu(self.sender.role)

    def mark(self, intent: str, *, needs_answer: bool = False) -> None:
        self.inbound.intent = intent
        if needs_answer:
            self.inbound.needs_answer = True
            staff = self.contact_person.staff
            self.inbound.assigned_staff_id = staff.id if staff else None

    # The conversation ---------------------------------------------------------------

    def answer(self, reading: Reading) -> str:
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
            "free_text": self.free_text,
            "cancel": self.cancel_or_stop,
        }
        return handlers[reading.intent]()

    def option(self, number: int) -> str:
        if self.verdict(access.MENU[number]) == Verdict.DISCREET:
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
            8: self.new_caseworker,
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
        appointment = current_records.next_appointment(self.session, self.sender.client, self.now)
        if appointment is None:
            return self.say("reply_no_appointment", asked_next=True)
        facts = appointments.facts(self.session, appointment, self.sender.client, self.now)
        return self.say("reply_appointment", **facts)

    def missing_documents(self) -> str:
        self.mark("option_2")
        open_lists = current_records.open_checklists(self.session, self.sender.client)
        if not open_lists:
            return self.say("reply_no_documents")
        facts = checklists.facts(self.session, open_lists[0], self.sender.client, self.now)
        return self.say("reply_documents", **facts)

    def latest_decision(self) -> str:
        self.mark("option_3")
        decision = current_records.latest_decision(self.session, self.sender.client)
        if decision is None:
            return self.say("reply_no_decision")
        facts = decisions.facts(self.session, decision, self.sender.client, self.now)
        return self.say(f"decision_{decision.outcome}", **facts)

    def call_me(self) -> str:
        writing_to = self._writing_to_managers()
        if writing_to is not None:
            # "Call me" in the middle of a complaint is for the managers to call back, not
            # a callback request in the case worker's list.
            return self.to_managers(writing_to)
        self.mark("call")
        representative = self.sender.representative
        request = callbacks.request_callback(
            self.session,
            self.sender.client,
            source=CallbackSource.SMS,
            language=self.sender.language,
            from_phone=representative.phone if representative else None,
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
            detail=f"to {chosen.code} by SMS"
            + (" (representative)" if self.sender.representative else ""),
        )
        return self.say("reply_language_set", chosen_language=chosen.code)

    def contact(self) -> str:
        self.mark("option_6")
        return self.say("reply_contact")

    def for_managers(self, intent: str, *, needs_answer: bool) -> None:
        """Mark the text as the unit's managers' (the access rule shows it to nobody else),
        in no case worker's inbox."""
        self.inbound.intent = intent
        self.inbound.for_managers = True
        self.inbound.needs_answer = self.inbound.needs_answer or needs_answer
        self.inbound.assigned_staff_id = None

    def answered_by(self):
        """The working day the managers answer by (as for every text: CALLBACK_WORKING_DAYS)."""
        return add_working_days(local_date(self.now), current_app.config["CALLBACK_WORKING_DAYS"])

    def complaints(self) -> str:
        self.for_managers("option_7", needs_answer=False)
        return self.say("reply_complaints", by=self.answered_by())

    def new_caseworker(self) -> str:
        self.for_managers("option_8", needs_answer=True)
        return self.say("reply_new_caseworker", by=self.answered_by())

    def to_managers(self, intent: str) -> str:
        """Words written after option 7 or 8: a complaint, or why another case worker."""
        self.for_managers(intent, needs_answer=True)
        return self.say("reply_complaint_received", by=self.answered_by())

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
        appointment = current_records.appointment_to_answer(
            self.session, self.sender.client, self.now
        )
        self.mark("yes")
        if appointment is None or self.verdict(Topic.APPOINTMENTS) == Verdict.DENY:
            return self.say("reply_no_appointment")
        declined_at = (
            appointment.responded_at
            if appointment.response == AppointmentResponse.DECLINED
            else None
        )
        appointments.respond(
            self.session, appointment, AppointmentResponse.CONFIRMED, now=self.now, by="sms"
        )
        if declined_at is not None:
            self._clear_new_time_tasks(declined_at)
        facts = appointments.facts(self.session, appointment, self.sender.client, self.now)
        return self.say("reply_confirmed", **facts)

    def _clear_new_time_tasks(self, declined_at: datetime) -> None:
        """The client said NEJ, then JA after all: the "find a new time" task their NEJ
        gave staff is done (Today shows the changed answer instead)."""
        tasks = self.session.exec(
            select(InboundMessage).where(
                InboundMessage.client_id == self.sender.client.id,
                InboundMessage.intent == "no",
                InboundMessage.handled_at.is_(None),
                InboundMessage.received_at >= declined_at,
                InboundMessage.id != self.inbound.id,
            )
        )
        for task in tasks:
            task.handled_at = self.now
            self.session.add(task)
            audit.record(
                self.session,
                "inbound_handled",
                actor_type="client",
                client_id=self.sender.client.id,
                subject_type="inbound_message",
                subject_id=task.id,
                detail="the client confirmed the meeting again",
            )

    def decline(self) -> str:
        appointment = current_records.appointment_to_answer(
            self.session, self.sender.client, self.now
        )
        if appointment is None or self.verdict(Topic.APPOINTMENTS) == Verdict.DENY:
            self.mark("no")
            return self.say("reply_no_appointment")
        appointments.respond(
            self.session, appointment, AppointmentResponse.DECLINED, now=self.now, by="sms"
        )
        self.mark("no", needs_answer=True)  # a task for staff: find a new time
        facts = appointments.facts(self.session, appointment, self.sender.client, self.now)
        return self.say("reply_declined", **facts)

    def cancel_or_stop(self) -> str:
        """A word such as CANCEL or لغو may mean "cancel my meeting" as well as "no more
        texts": ask which, switch nothing off, and let a person read it too."""
        appointment = None
        if self.verdict(Topic.APPOINTMENTS) != Verdict.DENY:
            appointment = current_records.appointment_to_answer(
                self.session, self.sender.client, self.now
            )
        self.mark("cancel", needs_answer=True)
        facts = (
            appointments.facts(self.session, appointment, self.sender.client, self.now)
            if appointment is not None
            else {"appointment": None}
        )
        days = current_app.config["CALLBACK_WORKING_DAYS"]
        by = add_working_days(local_date(self.now), days)
        return self.say("reply_cancel_or_stop", **facts, by=by)

    def free_text(self) -> str:
        writing_to = self._writing_to_managers()
        if writing_to is not None:
            return self.to_managers(writing_to)
        self.mark("free_text", needs_answer=True)
        if self.sender.client.opted_out_at is not None and self.sender.representative is None:
            # A person reads it, but no answer can come by SMS: say how to switch texts on.
            return self.say("reply_received_opted_out")
        days = current_app.config["CALLBACK_WORKING_DAYS"]
        return self.say("reply_received", by=add_working_days(local_date(self.now), days))

    # Context ------------------------------------------------------------------------

    def _choosing_language(self) -> bool:
        previous = previous_inbound(self.session, self.inbound)
        return (
            previous is not None
            and previous.intent == "language"
            and self.now - previous.received_at <= LANGUAGE_MENU_TIME
        )

    def _writing_to_managers(self) -> str | None:
        """'complaint' or 'new_caseworker' when this text continues a thread with the
        managers: option 7 or 8, or words for the managers, from this role within
        COMPLAINT_TIME (a look at the menu in between does not end it); or the last
        message staff sent is a manager's answer to this role's text for them, within
        ANSWER_THREAD_TIME. Once the case worker writes again, texts are theirs."""
        role = self.sender.role
        writer = role.representative.id if role.representative else None
        thread = self.session.exec(
            select(InboundMessage.intent, InboundMessage.received_at)
            .where(
                InboundMessage.client_id == role.client.id,
                InboundMessage.representative_id == writer
                if writer
                else InboundMessage.representative_id.is_(None),
                InboundMessage.id != self.inbound.id,
                InboundMessage.for_managers.is_(True),
                InboundMessage.intent.in_([*FOR_MANAGERS, *FOR_MANAGERS.values()]),
            )
            .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        ).first()
        last_sent = self.session.exec(
            select(StaffMessage.created_at, InboundMessage)
            .outerjoin(InboundMessage, InboundMessage.id == StaffMessage.in_reply_to_id)
            .where(StaffMessage.client_id == role.client.id)
            .order_by(StaffMessage.created_at.desc(), StaffMessage.id.desc())
        ).first()
        sent_at, answered = last_sent or (None, None)
        managers_answer = (
            answered is not None and answered.for_managers and answered.representative_id == writer
        )
        if sent_at is not None and not managers_answer:
            if thread is None or sent_at > thread.received_at:
                return None  # the case worker has written since
        if thread is not None and self.now - thread.received_at <= COMPLAINT_TIME:
            return FOR_MANAGERS.get(thread.intent, thread.intent)
        if managers_answer and self.now - sent_at <= ANSWER_THREAD_TIME:
            return FOR_MANAGERS.get(answered.intent, answered.intent)
        return None

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


def previous_inbound(session: Session, inbound: InboundMessage) -> InboundMessage | None:
    """The text this number sent to the same number of ours just before this one."""
    return session.exec(
        select(InboundMessage)
        .where(
            InboundMessage.from_phone == inbound.from_phone,
            InboundMessage.to_phone == inbound.to_phone,
            InboundMessage.id != inbound.id,
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    ).first()


def answer_unknown(session: Session, inbound: InboundMessage, now: datetime) -> str:
    """A stranger gets the unit's number and nothing about anyone; staff of the unit whose
    number was texted see the text."""
    inbound.intent = "unknown_sender"
    inbound.needs_answer = True
    unit = unit_called(session, inbound.to_phone)
    if unit is None:
        return ""
    inbound.unit_id = unit.id
    return to_stranger("reply_unknown_sender", unit)


def to_stranger(kind: str, unit: Unit) -> str:
    """An answer to a number we do not know: about the unit only, and since we cannot know
    a stranger's language, in Swedish, then English (understood from anyone)."""
    return "\n\n".join(compose(kind, unit_facts(unit), code, "sms").text for code in ("sv", "en"))


def reply_to(session: Session, inbound: InboundMessage, kind: str, now: datetime) -> str:
    """An answer of `kind` to a stored text, for whoever sent it as `respond` read them:
    the client, the representative (greeted by name, about the client) or a stranger."""
    if inbound.client_id is None:
        unit = session.get(Unit, inbound.unit_id) if inbound.unit_id else None
        unit = unit or unit_called(session, inbound.to_phone)
        return to_stranger(kind, unit) if unit else ""
    client = session.get(Client, inbound.client_id)
    representative = (
        session.get(Representative, inbound.representative_id)
        if inbound.representative_id
        else None
    )
    sender = Sender(Role(client, representative))
    return Conversation(session, inbound, sender, now).say(kind)


def _opt_out(
    session: Session, inbound: InboundMessage, holders: list, action: str, now: datetime
) -> None:
    """STOP and START reach every role of the number: one phone, one switch."""
    for holder in holders:
        holder.opted_out_at = (holder.opted_out_at or now) if action == "stop" else None
        session.add(holder)
        client_id = holder.id if isinstance(holder, Client) else holder.client_id
        audit.record(
            session,
            "opted_out" if action == "stop" else "opted_in",
            actor_type="client",
            client_id=client_id,
            detail="representative" if isinstance(holder, Representative) else "client",
        )
    inbound.intent = action


def _switch(session: Session, inbound: InboundMessage, sender: Sender, reading: Reading, now):
    """STOP or START, for every role the number has (and, for START, representatives who
    had opted out themselves). Returns the answer, or None when it is neither."""
    if reading.intent not in ("stop", "start"):
        return None
    roles = list(sender.candidates)
    if reading.intent == "start":
        roles += access.roles(session, inbound.from_phone, inbound.to_phone, opted_out=True)
    if not roles:
        return None
    holders = [role.representative or role.client for role in roles]
    _opt_out(session, inbound, holders, reading.intent, now)
    first = roles[0]
    inbound.client_id = first.client.id
    inbound.unit_id = first.client.unit_id
    inbound.representative_id = first.representative.id if first.representative else None
    conversation = Conversation(session, inbound, Sender(first, tuple(roles)), now)
    return "reply_stopped" if reading.intent == "stop" else "reply_started", conversation


def _whose(session: Session, inbound: InboundMessage, sender: Sender, now: datetime) -> str:
    """Ask someone known in several ways whose matters this is about."""
    inbound.intent = "whose"
    first = sender.candidates[0]
    inbound.unit_id = first.client.unit_id
    facts = unit_facts(session.get(Unit, first.client.unit_id)) | {
        "holder": holder_name(sender),
        "choices": whose_choices(sender),
    }
    return compose("reply_whose", facts, sender.language, "sms").text


def _chosen_role(session: Session, inbound: InboundMessage, sender: Sender, reading: Reading):
    """For a number known in several ways: the role this text is about, from the answer
    to "whose?" or from the texts just before; None when we must ask."""
    previous = previous_inbound(session, inbound)
    if previous is None or inbound.received_at - previous.received_at > WHOSE_TIME:
        return None
    if previous.intent == "whose":
        if reading.intent == "number" and 1 <= (reading.number or 0) <= len(sender.candidates):
            return sender.candidates[reading.number - 1], True
        return None
    if reading.intent == "number" and reading.number == CHOOSE_AGAIN:
        return None
    key = (
        f"r{previous.representative_id}"
        if previous.representative_id
        else (f"c{previous.client_id}" if previous.client_id else None)
    )
    role = access.role_by_key(list(sender.candidates), key)
    return (role, False) if role else None


def respond(
    session: Session, inbound: InboundMessage, *, opt_out_type: str = "", now: datetime
) -> str:
    """Act on an inbound text and return the reply ('' for none)."""
    sender = identify(session, inbound.from_phone, inbound.to_phone)
    opt_out_type = opt_out_type.strip().upper()
    language = get_language(sender.language)
    reading = read(inbound.body or ("" if not inbound.media else "media"), language)
    if opt_out_type in ("STOP", "START", "HELP"):
        reading = Reading(opt_out_type.lower())
    # What the answer changes is written once, at the caller's commit: reads on the way
    # need not flush each change first.
    with session.no_autoflush:
        switched = _switch(session, inbound, sender, reading, now)
        if switched is not None:
            kind, conversation = switched
            if kind == "reply_stopped" and opt_out_type == "STOP":
                return ""  # Twilio has answered already
            return conversation.say(kind)
        if not sender.candidates:
            return answer_unknown(session, inbound, now)
        if sender.undecided:
            chosen = _chosen_role(session, inbound, sender, reading)
            if chosen is None:
                if reading.intent in ("free_text", "yes", "no", "cancel"):
                    # Not acted on for anyone, but a person reads it.
                    inbound.needs_answer = True
                return _whose(session, inbound, sender, now)
            role, just_chosen = chosen
            sender = Sender(role, sender.candidates)
            if just_chosen:
                reading = Reading("help")
        role = sender.role
        inbound.client_id = role.client.id
        inbound.unit_id = role.client.unit_id
        inbound.representative_id = role.representative.id if role.representative else None
        if role.representative is None and role.client.unreachable_at is not None:
            role.client.unreachable_at = None  # the number works: it just texted us
            session.add(role.client)
        return Conversation(session, inbound, sender, now).answer(reading)
