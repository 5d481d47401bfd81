"""Who a person signing in by single sign-on is in Tydligt: matched by the provider's
subject once known, else by e-mail (or a configured claim); role and unit from claims
when configured; unknown people join only a unit that lets them. Every refusal, link and
join is audited (the caller commits).

Names and addresses are compared here in Python, never with SQL's lower(): SQLite's, and
PostgreSQL's under the C locale, change only A-Z, so "Östra LSS" would never match."""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app import audit
from app.admin import auth
from app.models import StaffRole, StaffUser, SubjectType, Unit, saved_id

ACTOR_NAME = "single sign-on"
# Why a person is refused: each has its own page (app/admin/sso.py).
UNKNOWN = "unknown"
DEACTIVATED = "deactivated"
UNVERIFIED = "unverified"
TAKEN = "taken"
NO_ADDRESS = "no_address"
UNKNOWN_UNIT = "unknown_unit"


@dataclass(frozen=True)
class Rules:
    """How the provider's claims are read (the OIDC_* settings)."""

    issuer: str
    email_claim: str = "email"
    match_claim: str = ""
    role_claim: str = ""
    admin_values: tuple[str, ...] = ()
    unit_claim: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Rules":
        """The rules the app is configured with."""
        return cls(
            issuer=config["OIDC_ISSUER"],
            email_claim=config["OIDC_EMAIL_CLAIM"],
            match_claim=config["OIDC_MATCH_CLAIM"],
            role_claim=config["OIDC_ROLE_CLAIM"],
            admin_values=tuple(config["OIDC_ADMIN_ROLE_VALUES"]),
            unit_claim=config["OIDC_UNIT_CLAIM"],
        )


@dataclass(frozen=True)
class Refusal:
    """Why the person may not sign in (`reason`, one of the names above), and the address
    the provider gave for them, which the page shows so they know what to ask for."""

    reason: str
    address: str = ""


def claim(claims: Mapping[str, Any], name: str) -> Any:
    """A claim by its name, or by a dotted path into nested claims (Keycloak's
    realm_access.roles); a name that is itself a key wins (Entra's claim names are URLs)."""
    if not name:
        return None
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def claim_text(claims: Mapping[str, Any], name: str) -> str:
    """A claim as one text: the first of a list, stripped; empty when missing."""
    value = claim(claims, name)
    if isinstance(value, list | tuple):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return value.strip() if isinstance(value, str) else ""


def claim_values(claims: Mapping[str, Any], name: str) -> set[str]:
    """A claim's values, from a list or one text (space or comma separated), case-folded."""
    value = claim(claims, name)
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple):
        return set()
    return {v.strip().casefold() for v in value if isinstance(v, str) and v.strip()}


def _unverified(claims: Mapping[str, Any]) -> bool:
    # Some providers send the flag as text.
    return claims.get("email_verified") in (False, "false", "False")


def _audit(db: Session, action: str, staff: StaffUser | None, detail: str, name: str) -> None:
    audit.record(
        db,
        action,
        actor_type="staff",
        actor_id=staff.id if staff else None,
        actor_name=staff.name if staff else name[:120],
        subject_type=SubjectType.STAFF if staff else None,
        subject_id=staff.id if staff else None,
        detail=f"{detail} ({ACTOR_NAME})",
    )


def display_name(claims: Mapping[str, Any], address: str) -> str:
    """The person's name as the provider gives it, else the start of their address."""
    name = claim_text(claims, "name")
    if not name:
        name = " ".join(
            part
            for part in (claim_text(claims, "given_name"), claim_text(claims, "family_name"))
            if part
        )
    return (name or address.partition("@")[0])[:120]


def folded(text: str) -> str:
    """`text` as compared regardless of letter case (Å and å alike) and of how its letters
    are encoded (Ö as one character or as O and two dots): Unicode's canonical caseless
    form."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text.strip()).casefold())


def _unit_of(db: Session, rules: Rules, claims: Mapping[str, Any]) -> Unit | Refusal | None:
    """The unit the unit claim names (by the unit's name, in any letter case; the exact
    spelling first); None when no unit claim is configured or the provider sent none."""
    name = claim_text(claims, rules.unit_claim) if rules.unit_claim else ""
    if not name:
        return None
    units = db.exec(select(Unit).order_by(col(Unit.id))).all()
    unit = next((unit for unit in units if unit.name == name), None) or next(
        (unit for unit in units if folded(unit.name) == folded(name)), None
    )
    return unit if unit is not None else Refusal(UNKNOWN_UNIT)


def _account_with_address(db: Session, address: str) -> StaffUser | None:
    """The staff account with this e-mail address in any letter case. Tydligt stores
    addresses in lower case, so the exact match nearly always finds it; older accounts
    written otherwise are compared one by one."""
    staff = db.exec(select(StaffUser).where(StaffUser.email == address)).first()
    if staff is not None:
        return staff
    wanted = folded(address)
    accounts = db.exec(select(StaffUser.id, StaffUser.email).order_by(col(StaffUser.id))).all()
    found = next((staff_id for staff_id, email in accounts if folded(email) == wanted), None)
    return db.get(StaffUser, found) if found is not None else None


def _joining_unit(db: Session, rules: Rules, claimed: Unit | None) -> Unit | None:
    """The unit an unknown person joins: the claimed one if it lets staff join; without a
    unit claim, the one unit that does (with several, nobody can tell which)."""
    if claimed is not None:
        return claimed if claimed.sso_lets_staff_join else None
    if rules.unit_claim:
        return None
    open_units = db.exec(select(Unit).where(col(Unit.sso_lets_staff_join).is_(True))).all()
    return open_units[0] if len(open_units) == 1 else None


def _role(rules: Rules, claims: Mapping[str, Any]) -> str | None:
    """The role the role claim gives; None when no role claim is configured."""
    if not rules.role_claim:
        return None
    admin = {value.casefold() for value in rules.admin_values}
    return (
        StaffRole.ADMIN if claim_values(claims, rules.role_claim) & admin else StaffRole.CASEWORKER
    )


def _by_address(
    db: Session, rules: Rules, claims: Mapping[str, Any], sub: str
) -> StaffUser | Refusal:
    """First sign-in by single sign-on: the account with the provider's address, linked to
    the subject from now on; else a new account in a unit that lets staff join."""
    if not rules.match_claim and _unverified(claims):
        address = claim_text(claims, rules.email_claim).lower()
        _audit(db, "sso_refused", None, f"{UNVERIFIED}: {address}", address)
        return Refusal(UNVERIFIED, address)
    address = claim_text(claims, rules.match_claim or rules.email_claim).lower()
    if not address or len(address) > 200:
        _audit(db, "sso_refused", None, NO_ADDRESS, display_name(claims, ""))
        return Refusal(NO_ADDRESS)
    staff = _account_with_address(db, address)
    if staff is not None:
        if not staff.active:
            _audit(db, "sso_refused", staff, DEACTIVATED, staff.name)
            return Refusal(DEACTIVATED, address)
        if staff.sso_issuer == rules.issuer and staff.sso_subject:
            # Someone else at the provider now has this address: never hand them the account.
            _audit(db, "sso_refused", staff, f"{TAKEN}: another subject has this address", "")
            return Refusal(TAKEN, address)
        staff.sso_issuer, staff.sso_subject = rules.issuer, sub
        _audit(db, "sso_linked", staff, "linked by e-mail", "")
        return staff
    claimed = _unit_of(db, rules, claims)
    if isinstance(claimed, Refusal):
        _audit(db, "sso_refused", None, f"{UNKNOWN_UNIT}: {address}", address)
        return Refusal(UNKNOWN_UNIT, address)
    unit = _joining_unit(db, rules, claimed)
    if unit is None or "@" not in address:
        _audit(db, "sso_refused", None, f"{UNKNOWN}: {address}", display_name(claims, address))
        return Refusal(UNKNOWN, address)
    staff = StaffUser(
        unit_id=saved_id(unit),
        email=address,
        name=display_name(claims, address),
        role=_role(rules, claims) or StaffRole.CASEWORKER,
        sso_issuer=rules.issuer,
        sso_subject=sub,
    )
    db.add(staff)
    db.flush()
    _audit(db, "staff_joined", staff, f"unit={unit.name!r}; role={staff.role}", "")
    return staff


def _follow_claims(
    db: Session, rules: Rules, claims: Mapping[str, Any], staff: StaffUser
) -> Refusal | None:
    """Role and unit as the provider says, when their claims are configured and sent. A
    change ends the person's sessions everywhere, as a change on the Staff page does: a
    session begun with a password alone must not go on as an administrator's, nor in the
    old unit (the browser signing in now gets a fresh session after this)."""
    changes = []
    role = _role(rules, claims)
    if role is not None and role != staff.role:
        staff.role = role
        changes.append(f"role={role}")
    unit = _unit_of(db, rules, claims)
    if isinstance(unit, Refusal):
        _audit(db, "sso_refused", staff, UNKNOWN_UNIT, "")
        return Refusal(UNKNOWN_UNIT, staff.email)
    if unit is not None and unit.id != staff.unit_id:
        staff.unit_id = saved_id(unit)
        changes.append(f"unit={unit.name!r}")
    if changes:
        _audit(db, "staff_changed", staff, "; ".join(changes), "")
        auth.sign_out_everywhere(db, staff)
    return None


def match(db: Session, rules: Rules, claims: Mapping[str, Any]) -> StaffUser | Refusal:
    """The active staff member these verified claims belong to, or why there is none. The
    provider's subject, once linked, wins over any address: a changed or reused e-mail at
    the provider never hands an account to someone else."""
    sub = str(claims["sub"])
    staff = db.exec(
        select(StaffUser).where(StaffUser.sso_issuer == rules.issuer, StaffUser.sso_subject == sub)
    ).first()
    if staff is None:
        found = _by_address(db, rules, claims, sub)
        if isinstance(found, Refusal):
            return found
        staff = found
    elif not staff.active:
        _audit(db, "sso_refused", staff, DEACTIVATED, "")
        return Refusal(DEACTIVATED, staff.email)
    refused = _follow_claims(db, rules, claims, staff)
    if refused is not None:
        return refused
    db.add(staff)
    return staff
