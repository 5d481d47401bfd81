"""Second factors for signing in with a password: an authenticator app (TOTP, RFC 6238:
30-second steps, 6 digits, one step either side accepted, no code accepted twice) and ten
one-time recovery codes, stored only as hashes.

Required for administrators and, when the unit says so, for everyone in it; anyone may turn
one on. Single sign-on asks for none: the identity provider does."""

import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from werkzeug.security import check_password_hash

from app import audit
from app.models import (
    AuditEvent,
    StaffRecoveryCode,
    StaffRole,
    StaffSecondFactor,
    StaffUser,
    SubjectType,
    Unit,
)
from app.security import hash_secret
from app.sms.digits import normalise_digits

ISSUER = "Tydligt"
STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side: a phone's clock a little off, or a code typed slowly
RECOVERY_CODE_COUNT = 10
# Letters and digits no one mixes up when reading them off paper (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10  # about 49 bits: with the sign-in lockout, beyond guessing
REPLAY = -1
# Beyond the sign-in lockout (5 wrong tries, 15 minutes): three lockouts' worth of wrong
# codes in a day close the code step until the day has passed. Only someone with the
# password (or a signed-in browser) can type a code, so this cannot be used to shut out a
# person whose password is safe; it cuts guessing from ~480 codes a day to 15.
MAX_WRONG_CODES_PER_DAY = 15
WRONG_CODE = "second_factor_code_wrong"
_SEPARATORS = re.compile(r"[\s-]+")


class Check(StrEnum):
    """What became of a code typed at sign-in."""

    CODE = "code"  # a right authenticator code
    RECOVERY = "recovery"  # an unused recovery code, now used
    USED = "used"  # an authenticator code accepted before
    WRONG = "wrong"


class SetUp(StrEnum):
    """What became of a code typed to confirm a new authenticator."""

    DONE = "done"  # in use now
    WRONG = "wrong"
    TAKEN = "taken"  # one was confirmed meanwhile, in another browser


def required_for(db: Session, staff: StaffUser) -> bool:
    """Whether this person must have a second factor to sign in with a password."""
    if staff.role == StaffRole.ADMIN:
        return True
    unit = db.get(Unit, staff.unit_id)
    return bool(unit and unit.two_factor_required)


def factor_of(db: Session, staff_id: int) -> StaffSecondFactor | None:
    """This person's authenticator (one not confirmed can only be left over from an earlier
    version, which kept set-ups here)."""
    return db.exec(select(StaffSecondFactor).where(StaffSecondFactor.staff_id == staff_id)).first()


def in_use(db: Session, staff_id: int) -> bool:
    """Whether this person has a confirmed authenticator."""
    factor = factor_of(db, staff_id)
    return factor is not None and factor.confirmed_at is not None


def new_secret() -> str:
    """A fresh secret for one set-up. It is kept with the browser it is shown to (the signed
    session) and stored here only once a code confirms it, so a secret one browser saw never
    becomes the one another browser confirms."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_address(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_code(address: str) -> Markup:
    """The address as a QR code in inline SVG (dark on white, so it scans on dark screens).
    Hidden from screen readers: the page gives the same secret as text."""
    svg = segno.make(address, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def wrong_codes_today(db: Session, staff_id: int, now: datetime) -> int:
    """Wrong codes typed for this person's authenticator in the last 24 hours (since it was
    set up, so a reset and a new set-up start afresh)."""
    factor = factor_of(db, staff_id)
    since = now - timedelta(days=1)
    if factor is not None and factor.confirmed_at is not None:
        since = max(since, factor.confirmed_at)
    return db.exec(
        select(func.count(col(AuditEvent.id))).where(
            AuditEvent.action == WRONG_CODE,
            AuditEvent.actor_id == staff_id,
            col(AuditEvent.at) >= since,
        )
    ).one()


def note_wrong_code(db: Session, staff: StaffUser, where: str) -> None:
    """Keep a wrong code in the audit log (never the code): it counts toward the day's
    limit, and tells administrators someone with the password is guessing. The caller
    commits."""
    audit.record(
        db,
        WRONG_CODE,
        actor_type="staff",
        actor_id=staff.id,
        actor_name=staff.name,
        subject_type=SubjectType.STAFF,
        subject_id=staff.id,
        detail=where,
    )


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _totp_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The step a right code belongs to (REPLAY when that step was used), or None if wrong."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = _step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step if last_step is None or step > last_step else REPLAY
    return None


def _clean(code: str) -> str:
    return _SEPARATORS.sub("", normalise_digits(code)).lower()


def check(db: Session, staff: StaffUser, typed: str, now: datetime) -> Check:
    """Check a code typed at sign-in: an authenticator code (kept as the last one used) or
    an unused recovery code (used up). The caller commits."""
    factor = factor_of(db, staff.id or 0)
    if factor is None or factor.confirmed_at is None:
        return Check.WRONG
    code = _clean(typed)
    if code.isdigit() and len(code) == DIGITS:
        step = _totp_step(factor.secret, code, factor.last_step, now)
        if step is None:
            return Check.WRONG
        if step == REPLAY or not _taken(db, factor, step):
            return Check.USED
        return Check.CODE
    if len(code) == RECOVERY_LENGTH:
        for row in unused_recovery_codes(db, factor.staff_id):
            if check_password_hash(row.code_hash, code):
                # Used up in one statement: two browsers sending it at once get it once.
                used = db.exec(
                    update(StaffRecoveryCode)
                    .where(
                        col(StaffRecoveryCode.id) == row.id,
                        col(StaffRecoveryCode.used_at).is_(None),
                    )
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                )
                return Check.RECOVERY if used.rowcount == 1 else Check.WRONG
    return Check.WRONG


def _taken(db: Session, factor: StaffSecondFactor, step: int) -> bool:
    """Keep `step` as the last one used, unless a later or the same one was accepted
    meanwhile (two browsers sending one code at once get it once)."""
    taken = db.exec(
        update(StaffSecondFactor)
        .where(
            col(StaffSecondFactor.id) == factor.id,
            or_(
                col(StaffSecondFactor.last_step).is_(None),
                col(StaffSecondFactor.last_step) < step,
            ),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.refresh(factor)
    return taken.rowcount == 1


def confirm(db: Session, staff_id: int, secret: str, typed: str, now: datetime) -> SetUp:
    """Take the authenticator with `secret` (shown to this browser alone) into use when the
    code shows the app has it. Any other secret not confirmed is thrown away. TAKEN when
    this person has one in use already, confirmed meanwhile elsewhere (then the
    transaction is rolled back). The caller commits."""
    if in_use(db, staff_id):
        return SetUp.TAKEN
    step = _totp_step(secret, _clean(typed), None, now)
    if step is None:
        return SetUp.WRONG
    db.execute(
        delete(StaffSecondFactor).where(
            col(StaffSecondFactor.staff_id) == staff_id,
            col(StaffSecondFactor.confirmed_at).is_(None),
        )
    )
    db.add(
        StaffSecondFactor(
            staff_id=staff_id, secret=secret, confirmed_at=now, last_step=step, created_at=now
        )
    )
    try:
        db.flush()
    except IntegrityError:  # another browser confirmed its own secret at the same moment
        db.rollback()
        return SetUp.TAKEN
    return SetUp.DONE


def unused_recovery_codes(db: Session, staff_id: int) -> list[StaffRecoveryCode]:
    """This person's recovery codes not yet used."""
    return list(
        db.exec(
            select(StaffRecoveryCode).where(
                StaffRecoveryCode.staff_id == staff_id, col(StaffRecoveryCode.used_at).is_(None)
            )
        )
    )


def new_recovery_codes(db: Session, staff_id: int, now: datetime) -> list[str]:
    """Ten new recovery codes, replacing every earlier one; the codes in clear, to be shown
    once (only their hashes are kept)."""
    db.execute(delete(StaffRecoveryCode).where(col(StaffRecoveryCode.staff_id) == staff_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.add(StaffRecoveryCode(staff_id=staff_id, code_hash=hash_secret(code), created_at=now))
        codes.append(f"{code[:5]}-{code[5:]}")
    return codes


def remove(db: Session, staff_id: int) -> bool:
    """Remove a person's authenticator and recovery codes; whether there was one."""
    had = factor_of(db, staff_id) is not None
    db.execute(delete(StaffRecoveryCode).where(col(StaffRecoveryCode.staff_id) == staff_id))
    db.execute(delete(StaffSecondFactor).where(col(StaffSecondFactor.staff_id) == staff_id))
    return had
