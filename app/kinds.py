"""Every message kind in one table: what it is about, its SMS budget, who gets copies."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    """A kind of message; its template is messages/<name>.j2.

    `sms_segments` is the budget in GSM-7 languages (UCS-2 languages get half as many again
    of their shorter segments, rounded up; a representative's copy may use one more).
    """

    name: str
    subject_type: str
    sms_segments: int
    copy_category: str | None = None  # which representative permission allows a copy
    urgent: bool = False  # may go out in quiet hours (see the operations stage)
    reply: bool = False  # an answer in a conversation, never planned in the outbox
    mixed_scripts: bool = False  # shows text in several scripts, so always UCS-2


DECISION_OUTCOMES = ("approved", "partly_approved", "refused", "ended", "changed")

KINDS: dict[str, MessageKind] = {
    kind.name: kind
    for kind in (
        MessageKind("welcome", "client", 3),
        MessageKind("appointment_reminder", "appointment", 2, "appointments"),
        MessageKind("appointment_changed", "appointment", 2, "appointments", urgent=True),
        MessageKind("appointment_cancelled", "appointment", 2, "appointments", urgent=True),
        MessageKind("feedback_request", "appointment", 2),
        MessageKind("checklist_request", "checklist", 3, "documents"),
        MessageKind("checklist_reminder", "checklist", 3, "documents"),
        MessageKind("documents_received", "checklist", 2, "documents"),
        MessageKind("checklist_complete", "checklist", 2, "documents"),
        MessageKind("decision_heads_up", "decision", 2, "decisions"),
        *(
            MessageKind(f"decision_{outcome}", "decision", 3, "decisions")
            for outcome in DECISION_OUTCOMES
        ),
        MessageKind("support_ending", "decision", 2, "decisions"),
        MessageKind("handover_permanent", "handover", 2, "handovers"),
        MessageKind("handover_absence", "handover", 2, "handovers"),
        MessageKind("absence_ended", "handover", 2, "handovers"),
        MessageKind("callback_confirmation", "callback", 2, urgent=True),
        # A case worker's own words (up to 320 characters), with greeting and signature.
        MessageKind("staff_message", "staff_message", 3),
        # Answers to what a client texts (app/conversation.py). Two are lists: seven
        # options (and the overview link), and nine languages in five scripts.
        MessageKind("reply_menu", "reply", 3, reply=True),
        MessageKind("reply_languages", "reply", 3, reply=True, mixed_scripts=True),
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
                "reply_complaints",
                "reply_feedback_thanks",
                "reply_confirmed",
                "reply_declined",
                "reply_stopped",
                "reply_started",
                "reply_received",
                "reply_unknown_sender",
            )
        ),
        # To a number we know in several ways: whose matters? (a list of first names)
        MessageKind("reply_whose", "reply", 3, reply=True),
        # To a number that texts many times quickly: once, then silence (app/floods.py).
        MessageKind("reply_flood", "reply", 2, reply=True),
    )
}


def get_kind(name: str) -> MessageKind:
    """The kind by name; KeyError names the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"Unknown message kind {name!r}; known: {', '.join(KINDS)}") from None
