"""Every message kind in one table: its template, what it is about, and its SMS budget."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    """A kind of message. `sms_segments` is the budget in GSM-7 languages."""

    name: str
    subject_type: str | None
    sms_segments: int
    copy_category: str | None = None  # which representative permission allows a copy


KINDS: dict[str, MessageKind] = {
    kind.name: kind
    for kind in (MessageKind("appointment_reminder", "appointment", 2, "appointments"),)
}


def get_kind(name: str) -> MessageKind:
    """The kind by name; KeyError names the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"Unknown message kind {name!r}; known: {', '.join(KINDS)}") from None
