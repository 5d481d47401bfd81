"""Copies by e-mail: a client who chose it (Client.email_copies, with an address) gets each
planned message also as an e-mail, next to the SMS or call, never instead of it.

The planner adds the e-mail as a row of its own (channel `email`, the message's dedupe key
with ":email"), about the same record and version, so it lives as every message does: a
changed or withdrawn record cancels it, opt-out (STOP) and missing consent stop it, the
sending window holds it, retention blanks its text. The client's consent to messages
covers the e-mail: staff record the address and the choice with the client, as they record
the channel. What never goes by e-mail: answers in a conversation (never planned), a
representative's copy (copies go by SMS), and a question that wants a text back (the
feedback question).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import object_session

from app.models import Client, OutboxChannel, OutboxMessage
from app.outbox.kinds import get_kind

NOT_BY_EMAIL = frozenset({"feedback_request"})  # "answer 1, 2 or 3": by text only
KEY_SUFFIX = ":email"


def enabled(config: dict) -> bool:
    """Whether e-mail can go anywhere: an SMTP server, or the console in development."""
    return bool(config["SMTP_HOST"]) or config["SMS_TRANSPORT"] == "console"


def wanted(client: Client, kind: str) -> bool:
    """Whether a message of this kind to the client is also planned as an e-mail."""
    return (
        client.email_copies
        and bool(client.email)
        and not get_kind(kind).reply
        and kind not in NOT_BY_EMAIL
        and enabled(current_app.config)
    )


def dedupe_key(key: str) -> str:
    """The e-mail row's key, from the key of the message it copies."""
    return f"{key}{KEY_SUFFIX}"


def held_back(client: Client) -> str | None:
    """Why an e-mail to the client does not go now (its row is skipped), or None. Checked
    when it is sent, as opt-out and consent are: the choice may have changed since."""
    if not client.email_copies or not client.email:
        return "e-mail no longer chosen"
    if client.email_unreachable_at is not None:
        return "e-mail address unreachable"
    return None


def address_refused(message: OutboxMessage, now: datetime) -> None:
    """The mail server refused the client's address for good: mark the address (not the
    phone) unreachable, so no more e-mails are tried until staff give a new one."""
    if message.channel != OutboxChannel.EMAIL or message.representative_id:
        return
    session = object_session(message)
    client = session.get(Client, message.client_id) if session is not None else None
    if client is not None and client.email_unreachable_at is None:
        client.email_unreachable_at = now
        session.add(client)  # type: ignore[union-attr]  # found through the session
