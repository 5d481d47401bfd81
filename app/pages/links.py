"""Page links sent to clients: random tokens (128 bits), stored only as a hash, expiring.

A message page link lives MESSAGE_LINK_DAYS; an overview link OVERVIEW_LINK_DAYS, and every
message that carries the overview gets a fresh one (the overview rotates). A link sent to a
representative is theirs (`representative_id`): the page shows what their permissions allow
and stops working once they are removed or opt out. Staff can revoke any link.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.models import Client, LinkPurpose, LinkToken, OutboxMessage

TOKEN_BYTES = 16  # 128 bits, as 22 URL-safe characters
# The kinds whose link is to the overview rather than to the message's own page.
OVERVIEW_KINDS = frozenset({"welcome", "representative_overview", "picture_link"})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(
    client: Client, purpose: str, now: datetime, message: OutboxMessage | None = None
) -> tuple[str, dict]:
    """A new link token and its row's columns, not yet saved: the sweep saves the links
    of a whole batch at once (save_all), before any message that carries one goes out. A
    message to a representative gives a link of theirs."""
    days = current_app.config[
        "MESSAGE_LINK_DAYS" if purpose == LinkPurpose.MESSAGE else "OVERVIEW_LINK_DAYS"
    ]
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = {
        "token_hash": _hash(token),
        "client_id": client.id,
        "outbox_message_id": message.id if message else None,
        "representative_id": message.representative_id if message else None,
        "purpose": purpose,
        "created_at": now,
        "expires_at": now + timedelta(days=days),
    }
    return token, row


def create(
    session: Session,
    client: Client,
    purpose: str,
    now: datetime,
    message: OutboxMessage | None = None,
) -> str:
    """A new link token for a client's message page or overview; returns the token."""
    token, row = issue(client, purpose, now, message)
    session.add(LinkToken(**row))
    return token


def save_all(session: Session, rows: list[dict]) -> None:
    """Save issued links in one statement (the caller commits). NULLs are written as
    values, so links to clients and to representatives share one statement (otherwise the
    ORM groups rows by the columns they set and alternating rows become one INSERT each)."""
    if rows:
        session.execute(insert(LinkToken), rows, execution_options={"render_nulls": True})


def discard(session: Session, rows: list[dict]) -> None:
    """Remove saved links whose messages were not sent after all (never seen by anyone)."""
    if rows:
        hashes = [row["token_hash"] for row in rows]
        session.execute(delete(LinkToken).where(col(LinkToken.token_hash).in_(hashes)))


def url(token: str) -> str:
    """The public address of a page link."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/p/{token}"


def resolve(session: Session, token: str, now: datetime) -> LinkToken | None:
    """The link for a token, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 64:
        return None
    link = session.exec(select(LinkToken).where(LinkToken.token_hash == _hash(token))).first()
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    return link


def client_of(session: Session, token: str) -> Client | None:
    """The client a token was given for, whatever the link's state (expired, revoked):
    the page says so calmly to someone who is no longer a client."""
    if not token or len(token) > 64:
        return None
    link = session.exec(select(LinkToken).where(LinkToken.token_hash == _hash(token))).first()
    return session.get(Client, link.client_id) if link is not None else None


def revoke(session: Session, link: LinkToken, now: datetime) -> None:
    """Stop a link from working (staff, for example when a phone is lost)."""
    link.revoked_at = now
    session.add(link)


def revoke_representatives(session: Session, representative_id: int, now: datetime) -> int:
    """Stop every link sent to one representative (removed, or their number corrected: the
    old number's owner must not read on); returns how many."""
    links = session.exec(
        select(LinkToken).where(
            LinkToken.representative_id == representative_id, col(LinkToken.revoked_at).is_(None)
        )
    ).all()
    for link in links:
        revoke(session, link, now)
    return len(links)


def revoke_all(session: Session, client: Client, now: datetime) -> int:
    """Stop every link of a client; returns how many."""
    links = session.exec(
        select(LinkToken).where(
            LinkToken.client_id == client.id, col(LinkToken.revoked_at).is_(None)
        )
    ).all()
    for link in links:
        revoke(session, link, now)
    return len(links)
