"""API keys: made on the admin page, shown once, stored as a SHA-256 hash, revoked there.

A key looks like `tyd_` followed by 43 URL-safe characters (32 random bytes). Its first
12 characters are kept as the prefix, so staff can tell keys apart without the secret.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from app.api import rate_limits
from app.errors import N_, InvalidInput
from app.models import ApiKey, ApiScope, utcnow

KEY_PREFIX = "tyd_"
SHOWN_PREFIX_LENGTH = 12
SCOPE_CHOICES = {
    "read": (ApiScope.READ,),
    "read,write": (ApiScope.READ, ApiScope.WRITE),
}
MAX_NAME_LENGTH = 60


def hash_key(secret: str) -> str:
    """The stored form of a key: hex SHA-256. A 32-byte random key needs no slow hash."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create(
    session: Session,
    *,
    unit_id: int,
    name: str,
    scopes: str,
    created_by_id: int | None = None,
    rate_limit: int = rate_limits.DEFAULT_LIMIT,
) -> tuple[ApiKey, str]:
    """Make a key for a connected system; returns the record and the secret (shown once,
    never stored). The name is the system's: records it writes carry it as source_system,
    so a new key with the same name (to rotate keys) writes the same records."""
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = N_("Give the name of the system, like Lifecare.")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = N_("This is too long.")
    if scopes not in SCOPE_CHOICES:
        errors["scopes"] = N_("Choose one of the options.")
    if not rate_limits.MINIMUM <= rate_limit <= rate_limits.MAXIMUM:
        errors["rate_limit"] = N_("Give a whole number from 1 to 100000.")
    if errors:
        raise InvalidInput(errors)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        unit_id=unit_id,
        name=name,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_key(secret),
        scopes=",".join(SCOPE_CHOICES[scopes]),
        created_by_id=created_by_id,
        rate_limit=rate_limit,
    )
    session.add(key)
    session.flush()
    return key, secret


def find(session: Session, secret: str) -> ApiKey | None:
    """The key with this secret (revoked or not), or None."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    wanted = hash_key(secret)
    # populate_existing: a revocation counts at once, even in a session that saw the key.
    query = (
        select(ApiKey).where(ApiKey.key_hash == wanted).execution_options(populate_existing=True)
    )
    key = session.exec(query).first()
    # The lookup is by hash already; comparing again in constant time costs nothing.
    if key is None or not hmac.compare_digest(key.key_hash, wanted):
        return None
    return key


def revoke(session: Session, key: ApiKey, now: datetime | None = None) -> ApiKey:
    """Stop a key at once. Revoking twice keeps the first time."""
    if key.revoked_at is None:
        key.revoked_at = now or utcnow()
        session.add(key)
    return key


def set_rate_limit(session: Session, key: ApiKey, rate_limit: int) -> ApiKey:
    """Let the key make `rate_limit` requests a minute, from its next request on."""
    if not rate_limits.MINIMUM <= rate_limit <= rate_limits.MAXIMUM:
        raise InvalidInput({"rate_limit": N_("Give a whole number from 1 to 100000.")})
    key.rate_limit = rate_limit
    session.add(key)
    return key


def of_unit(session: Session, unit_id: int) -> list[ApiKey]:
    """The unit's keys: working ones first, newest first."""
    return list(
        session.exec(
            select(ApiKey)
            .where(ApiKey.unit_id == unit_id)
            .order_by(
                col(ApiKey.revoked_at).is_not(None),
                col(ApiKey.created_at).desc(),
                col(ApiKey.id).desc(),
            )
        )
    )
