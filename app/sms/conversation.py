"""The SMS conversation: what we do and answer when a client, a representative or an
unknown number texts us. Every answer is composed like any other message: in the
sender's language, within its SMS budget, in plain words."""

import logging
from datetime import datetime

from flask import current_app
from sqlmodel import Session, col, select

from app import access, audit
from app.access import Role, Topic, Verdict
from app.casework import (
    appointments,
    callbacks,
    checklists,
    current_records,
    decisions,
    support_offers,
)
from app.casework.contacts import Contact, current_contact
from app.casework.deadlines import add_working_days
from app.models import (
    AppointmentResponse,
    CallbackSource,
    Client,
    FeedbackAnswer,
    InboundMessage,
    Intent,
    LinkPurpose,
    SubjectType,
)
from app.outbox.facts import base_facts
from app.outbox.planner import local_date
from app.pages import links
from app.senders import Sender
from app.sms import threads
from app.sms.keywords import Reading
from app.words.compose import compose
from app.words.languages import languages

log = logging.getLogger(__name__)


class Conversation:
    """One inbound text being answered, for one role of the sender."""

    def __init__(self, session: Session, inbound: InboundMessage, sender: Sender, now: datetime):
        if sender.role is None:
            raise ValueError("A conversation is with one role of the sender: decide it first")
        self.session, self.inbound, self.sender, self.now = session, inbound, sender, now
        self.role: Role = sender.role
        self.client: Client = sender.role.client
        self._contact: Contact | None = None

    @property
    def contact_person(self) -> Contact:
        """The client's contact person today (looked up once per text)."""
        if self._contact is None:
            self._contact = current_contact(self.session, self.client, local_date(self.now))
        return self._contact

    def verdict(self, topic: Topic) -> Verdict:
        """The one access rule, asked for this sender by SMS."""
        return access.decide(self.role, topic, access.Channel.SMS)

    # Composing ----------------------------------------------------------------------

    def say(self, kind: str, **facts) -> str:
        client = self.client
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
        return access.menu(self.role)

    def writing_to_managers(self) -> str | None:
        """'complaint' or 'new_caseworker' while this sender writes to the managers."""
        return threads.writing_to_managers(self.session, self.role, self.inbound, self.now)

    def mark(self, intent: str, *, needs_answer: bool = False) -> None:
        self.inbound.intent = intent
        if needs_answer:
            self.inbound.needs_answer = True
            staff = self.contact_person.staff
            self.inbound.assigned_staff_id = staff.id if staff else None

    # The conversation ---------------------------------------------------------------

    def answer(self, reading: Reading) -> str:
        number = reading.number if reading.intent == Intent.NUMBER else None
        if number is not None and threads.choosing_language(self.session, self.inbound, self.now):
            return self.set_language(number)
        if number in (1, 2, 3) and threads.answering_feedback(
            self.session, self.role, self.inbound, self.now
        ):
            return self.feedback(number)
        if number is not None and number in self.menu_options():
            return self.option(number)
        handlers = {
            Intent.HELP: self.menu,
            Intent.EMPTY: self.menu,
            Intent.NUMBER: self.menu,
            Intent.YES: self.confirm,
            Intent.NO: self.decline,
            Intent.CALL: self.call_me,
            Intent.LANGUAGE: self.language_list,
            Intent.FREE_TEXT: self.free_text,
            Intent.CANCEL: self.cancel_or_stop,
        }
        return handlers[reading.intent]()

    def option(self, number: int) -> str:
        if self.verdict(access.MENU[number]) == Verdict.DISCREET:
            self.mark(Intent.option(number))
            return self.discreet_detail(access.MENU[number])
        return {
            1: self.next_appointment,
            2: self.missing_documents,
            3: self.latest_decision,
            4: self.call_me,
            5: self.language_list,
            6: self.contact,
            7: self.complaints,
            8: self.new_caseworker,
            9: self.support,
        }[number]()

    def discreet_detail(self, topic: Topic) -> str:
        """To a discreet sender: not by SMS, only how to hear it by phone or read it on the
        page, both after the PIN (for support: that there is a list, and its page)."""
        link = self.overview_link()
        if topic == Topic.SUPPORT:
            return self.say(
                "reply_discreet_detail", about="support", link=f"{link}/support" if link else None
            )
        return self.say("reply_discreet_detail", link=link)

    def overview_link(self) -> str | None:
        """A fresh overview link for the client (not for a representative)."""
        if self.sender.representative is not None:
            return None
        token = links.create(self.session, self.client, LinkPurpose.OVERVIEW, self.now)
        return links.url(token)

    def menu(self) -> str:
        self.mark(Intent.HELP)
        return self.say("reply_menu", link=self.overview_link())

    def next_appointment(self) -> str:
        self.mark(Intent.OPTION_1)
        appointment = current_records.next_appointment(self.session, self.client, self.now)
        if appointment is None:
            return self.say("reply_no_appointment", asked_next=True)
        facts = appointments.facts(self.session, appointment, self.client, self.now)
        return self.say("reply_appointment", **facts)

    def missing_documents(self) -> str:
        self.mark(Intent.OPTION_2)
        open_lists = current_records.open_checklists(self.session, self.client)
        if not open_lists:
            return self.say("reply_no_documents")
        facts = checklists.facts(self.session, open_lists[0], self.client, self.now)
        return self.say("reply_documents", **facts)

    def latest_decision(self) -> str:
        self.mark(Intent.OPTION_3)
        decision = current_records.latest_decision(self.session, self.client)
        if decision is None:
            return self.say("reply_no_decision")
        facts = decisions.facts(self.session, decision, self.client, self.now)
        return self.say(f"decision_{decision.outcome}", **facts)

    def call_me(self) -> str:
        writing_to = threads.writing_to_managers(self.session, self.role, self.inbound, self.now)
        if writing_to is not None:
            # "Call me" in the middle of a complaint is for the managers to call back, not
            # a callback request in the case worker's list.
            return self.to_managers(writing_to)
        self.mark(Intent.CALL)
        representative = self.sender.representative
        request = callbacks.request_callback(
            self.session,
            self.client,
            source=CallbackSource.SMS,
            language=self.sender.language,
            from_phone=representative.phone if representative else None,
            confirm=False,
            now=self.now,
        )
        facts = callbacks.facts(self.session, request, self.client, self.now)
        return self.say("callback_confirmation", **facts)

    def language_list(self) -> str:
        self.mark(Intent.LANGUAGE)
        choices = [{"number": n, "name": lang.native_name} for n, lang in enumerate(languages(), 1)]
        return self.say("reply_languages", choices=choices)

    def set_language(self, number: int) -> str:
        options = languages()
        if not 1 <= number <= len(options):
            return self.language_list()
        chosen = options[number - 1]
        holder = self.sender.representative or self.client
        holder.language = chosen.code
        self.session.add(holder)
        self.mark(Intent.LANGUAGE_SET)
        audit.record(
            self.session,
            "language_changed",
            **audit.sender_actor(self.sender.representative),
            client_id=self.client.id,
            detail=f"to {chosen.code} by SMS"
            + (" (representative)" if self.sender.representative else ""),
        )
        return self.say("reply_language_set", chosen_language=chosen.code)

    def contact(self) -> str:
        self.mark(Intent.OPTION_6)
        return self.say("reply_contact")

    def support(self) -> str:
        """Option 9: the support the unit offers, as the access rule lets this sender hear
        of it, with the support page for the client."""
        self.mark(Intent.OPTION_9)
        offers = support_offers.facts(self.session, self.role)
        link = self.overview_link() if offers["offers"] else None
        return self.say("reply_support", link=f"{link}/support" if link else None, **offers)

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
        self.for_managers(Intent.OPTION_7, needs_answer=False)
        return self.say("reply_complaints", by=self.answered_by())

    def new_caseworker(self) -> str:
        self.for_managers(Intent.OPTION_8, needs_answer=True)
        return self.say("reply_new_caseworker", by=self.answered_by())

    def to_managers(self, intent: str) -> str:
        """Words written after option 7 or 8: a complaint, or why another case worker."""
        self.for_managers(intent, needs_answer=True)
        return self.say("reply_complaint_received", by=self.answered_by())

    def feedback(self, score: int) -> str:
        # Anonymous: the score is kept without the client, and this text loses its body.
        self.session.add(
            FeedbackAnswer(
                unit_id=self.client.unit_id, score=score, answered_on=local_date(self.now)
            )
        )
        self.inbound.body = None
        self.inbound.intent = Intent.FEEDBACK
        return self.say("reply_feedback_thanks")

    def confirm(self) -> str:
        appointment = current_records.appointment_to_answer(self.session, self.client, self.now)
        self.mark(Intent.YES)
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
        facts = appointments.facts(self.session, appointment, self.client, self.now)
        return self.say("reply_confirmed", **facts)

    def _clear_new_time_tasks(self, declined_at: datetime) -> None:
        """The client said NEJ, then JA after all: the "find a new time" task their NEJ
        gave staff is done (Today shows the changed answer instead)."""
        tasks = self.session.exec(
            select(InboundMessage).where(
                InboundMessage.client_id == self.client.id,
                InboundMessage.intent == Intent.NO,
                col(InboundMessage.handled_at).is_(None),
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
                client_id=self.client.id,
                subject_type=SubjectType.INBOUND_MESSAGE,
                subject_id=task.id,
                detail="the client confirmed the meeting again",
            )

    def decline(self) -> str:
        appointment = current_records.appointment_to_answer(self.session, self.client, self.now)
        if appointment is None or self.verdict(Topic.APPOINTMENTS) == Verdict.DENY:
            self.mark(Intent.NO)
            return self.say("reply_no_appointment")
        appointments.respond(
            self.session, appointment, AppointmentResponse.DECLINED, now=self.now, by="sms"
        )
        self.mark(Intent.NO, needs_answer=True)  # a task for staff: find a new time
        facts = appointments.facts(self.session, appointment, self.client, self.now)
        return self.say("reply_declined", **facts)

    def cancel_or_stop(self) -> str:
        """A word such as CANCEL or لغو may mean "cancel my meeting" as well as "no more
        texts": ask which, switch nothing off, and let a person read it too."""
        appointment = None
        if self.verdict(Topic.APPOINTMENTS) != Verdict.DENY:
            appointment = current_records.appointment_to_answer(self.session, self.client, self.now)
        self.mark(Intent.CANCEL, needs_answer=True)
        facts = (
            appointments.facts(self.session, appointment, self.client, self.now)
            if appointment is not None
            else {"appointment": None}
        )
        days = current_app.config["CALLBACK_WORKING_DAYS"]
        by = add_working_days(local_date(self.now), days)
        return self.say("reply_cancel_or_stop", **facts, by=by)

    def free_text(self) -> str:
        writing_to = threads.writing_to_managers(self.session, self.role, self.inbound, self.now)
        if writing_to is not None:
            return self.to_managers(writing_to)
        self.mark(Intent.FREE_TEXT, needs_answer=True)
        if self.client.opted_out_at is not None and self.sender.representative is None:
            # A person reads it, but no answer can come by SMS: say how to switch texts on.
            return self.say("reply_received_opted_out")
        days = current_app.config["CALLBACK_WORKING_DAYS"]
        return self.say("reply_received", by=add_working_days(local_date(self.now), days))
