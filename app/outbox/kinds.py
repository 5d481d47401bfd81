"""Every message kind in one table: what it is about, its SMS budget, who gets copies."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    """A kind of message; its template is messages/<name>.j2.

    `sms_segments` and `ucs2_segments` are what one text message may cost in GSM-7 and in
    UCS-2 (whose segments hold 67 characters, not 153; without its own UCS-2 budget a kind
    gets twice its GSM-7 one). A representative's copy may use one more. Each is set so
    that every language fits all its rows for realistic facts; a message still longer is
    sent as several (app/words/compose.py), and nothing essential is ever left out.
    """

    name: str
    subject_type: str
    sms_segments: int
    copy_category: str | None = None  # which representative permission allows a copy
    urgent: bool = False  # may go out in quiet hours (see the operations stage)
    # Bad news that says "call X": held to the contact's phone hours on working days
    # (app/outbox/phone_hours.py), so it never lands when nobody answers.
    phone_hours: bool = False
    reply: bool = False  # an answer in a conversation, never planned in the outbox
    mixed_scripts: bool = False  # shows text in several scripts, so always UCS-2
    ucs2_segments: int | None = None

    @property
    def ucs2_budget(self) -> int:
        """Segments one UCS-2 message of this kind may use."""
        return self.ucs2_segments or 2 * self.sms_segments


DECISION_OUTCOMES = ("approved", "partly_approved", "refused", "ended", "changed")
# A case worker's ready answers (app/casework/ready_answers.py): each its own kind, answer_<key>,
# translated like every client text, so a client gets staff answers in their language.
STAFF_ANSWERS = (
    "yes",
    "no",
    "papers_received",
    "text_received",
    "call_me",
    "we_call",
    "meeting_moved",
    "bring",
    "interpreter",
    "nothing_to_do",
)

KINDS: dict[str, MessageKind] = {
    kind.name: kind
    for kind in (
        MessageKind("welcome", "client", 3, ucs2_segments=5),
        # To a new representative: whose copies, of what, and how to stop. Written to them
        # (no copy category: it is not a copy, and goes while they are active).
        MessageKind("representative_welcome", "representative", 3, ucs2_segments=6),
        # To a representative: their own overview link (what they may see about the client).
        MessageKind("representative_overview", "representative", 2, ucs2_segments=3),
        MessageKind("appointment_reminder", "appointment", 3, "appointments", ucs2_segments=5),
        MessageKind(
            "appointment_changed", "appointment", 3, "appointments", urgent=True, ucs2_segments=5
        ),
        MessageKind(
            "appointment_cancelled", "appointment", 2, "appointments", urgent=True, ucs2_segments=3
        ),
        MessageKind("feedback_request", "appointment", 2, ucs2_segments=4),
        MessageKind("checklist_request", "checklist", 3, "documents", ucs2_segments=5),
        MessageKind("checklist_reminder", "checklist", 3, "documents", ucs2_segments=5),
        MessageKind("documents_received", "checklist", 2, "documents", ucs2_segments=3),
        MessageKind("checklist_complete", "checklist", 2, "documents", ucs2_segments=3),
        # After the due date with papers missing: help or more time, from whom (never a threat).
        MessageKind("checklist_overdue", "checklist", 3, "documents", ucs2_segments=6),
        MessageKind("checklist_due_moved", "checklist", 3, "documents", ucs2_segments=5),
        # A paper staff sent back: which one, why (the paper-problem catalog), by when.
        MessageKind("document_unclear", "checklist", 3, "documents", ucs2_segments=6),
        # What is being looked at, when the decision comes, and a meeting offered first.
        MessageKind("decision_heads_up", "decision", 3, "decisions", ucs2_segments=5),
        # A summary: outcome, every reason, extent, period, appeal date.
        MessageKind("decision_approved", "decision", 4, "decisions", ucs2_segments=7),
        MessageKind(
            "decision_partly_approved",
            "decision",
            4,
            "decisions",
            ucs2_segments=8,
            phone_hours=True,
        ),
        MessageKind(
            "decision_refused", "decision", 3, "decisions", ucs2_segments=7, phone_hours=True
        ),
        MessageKind(
            "decision_ended", "decision", 4, "decisions", ucs2_segments=7, phone_hours=True
        ),
        MessageKind("decision_changed", "decision", 4, "decisions", ucs2_segments=8),
        # A plan, not a date: apply again by a day, who helps, and for LSS a new assessment.
        MessageKind(
            "support_ending", "decision", 4, "decisions", ucs2_segments=7, phone_hours=True
        ),
        # An application's steps (app/casework/applications.py): copies go where decisions go.
        MessageKind("application_received", "application", 4, "decisions", ucs2_segments=8),
        MessageKind("application_investigating", "application", 3, "decisions", ucs2_segments=6),
        # The investigation to comment on: the day, that it is optional, and three ways.
        MessageKind("application_comment", "application", 4, "decisions", ucs2_segments=7),
        MessageKind("application_comment_reminder", "application", 3, "decisions", ucs2_segments=7),
        MessageKind("support_waiting", "application", 3, "decisions", ucs2_segments=6),
        MessageKind("support_delayed", "application", 3, "decisions", ucs2_segments=6),
        MessageKind("support_started", "application", 2, "decisions", ucs2_segments=5),
        # Told ahead, it names the first day: one segment more than on the day itself.
        MessageKind("handover_permanent", "handover", 3, "handovers", ucs2_segments=5),
        MessageKind("handover_absence", "handover", 2, "handovers", ucs2_segments=4),
        MessageKind("absence_ended", "handover", 2, "handovers", ucs2_segments=3, phone_hours=True),
        MessageKind("callback_confirmation", "callback", 2, urgent=True, ucs2_segments=3),
        # A case worker's own words (up to 320 characters), with greeting and signature:
        # the longest fits one message also around words in another script.
        MessageKind("staff_message", "staff_message", 3, ucs2_segments=7),
        *(
            MessageKind(f"answer_{key}", "staff_message", 3, ucs2_segments=7)
            for key in STAFF_ANSWERS
        ),
        # Answers to what a client texts (app/sms/conversation.py). Two are lists: eight
        # options (and the overview link), and nine languages in five scripts.
        MessageKind("reply_menu", "reply", 3, reply=True),
        MessageKind("reply_languages", "reply", 3, reply=True, mixed_scripts=True, ucs2_segments=3),
        *(
            MessageKind(name, "reply", 2, reply=True)
            for name in (
                "reply_appointment",
                "reply_no_appointment",
                "reply_documents",
                "reply_no_documents",
                "reply_no_decision",
                "reply_discreet_detail",
                "reply_language_set",
                "reply_contact",
                "reply_feedback_thanks",
                "reply_confirmed",
                "reply_declined",
                "reply_stopped",
                "reply_started",
                "reply_received",
                "reply_received_opted_out",
                "reply_unknown_sender",
            )
        ),
        # Where to complain, with the IVO line (essential), and the answers to a complaint
        # and to a request for another case worker: three segments in some languages.
        *(
            MessageKind(name, "reply", 3, reply=True)
            for name in ("reply_complaints", "reply_complaint_received", "reply_new_caseworker")
        ),
        # To CANCEL and its like: cancel the meeting, or stop all texts? (both offered)
        MessageKind("reply_cancel_or_stop", "reply", 3, reply=True),
        # To a number we know in several ways: whose matters? (a list of first names)
        MessageKind("reply_whose", "reply", 3, reply=True),
        # To a number that texts many times quickly: once, then silence (app/sms/floods.py).
        MessageKind("reply_flood", "reply", 2, reply=True),
        # To 9: the support the unit offers, each with its number, and the support page.
        MessageKind("reply_support", "reply", 3, reply=True, ucs2_segments=6),
        # The page with pictures, sent when a client with picture support presses # in the
        # phone menu: while they are on the phone, so at once.
        MessageKind("picture_link", "client", 2, urgent=True, ucs2_segments=3),
    )
}


def get_kind(name: str) -> MessageKind:
    """The kind by name; KeyError names the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"Unknown message kind {name!r}; known: {', '.join(KINDS)}") from None
