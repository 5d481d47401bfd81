"""One round of alerts (the worker's `send-alerts` job): for each staff member who wants
alerts, what is new on their Today, remembered item by item, and a mail when it is due.

Each item is remembered per person (AlertItem, unique by person and key), so it is
counted in one mail at most. A worker claims a person's setting row before it looks, with
the same one-UPDATE claim the outbox sweep uses (FOR UPDATE SKIP LOCKED on PostgreSQL),
so two workers never mail the same person at once; a claim a stopped worker left is taken
over after CLAIM_TIMEOUT_SECONDS. When SMTP fails, the items stay pending and the person
waits 1, 2, 4 ... up to 60 minutes before one mail with everything is tried again: no
storm of mails, nothing lost. (A worker that stops between the server's acceptance and
its commit sends that mail again once, after the claim times out: better twice than never.)
"""

import logging
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, update
from sqlmodel import Session, col, or_, select

from app.alerts import collect, mail, schedule
from app.db import claimable, session_scope
from app.models import (
    AlertItem,
    AlertItemState,
    AlertMode,
    AlertSetting,
    StaffUser,
    Unit,
    utcnow,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_RETRY_DELAY = timedelta(minutes=60)


def retry_delay(failures: int) -> timedelta:
    """Wait 1, 2, 4, 8 ... minutes after each failed mail in a row, at most an hour."""
    return min(timedelta(minutes=2 ** max(0, failures - 1)), MAX_RETRY_DELAY)


@dataclass
class AlertRound:
    """What one round did: mails sent, and mails that failed (to be tried again)."""

    sent: int = 0
    failed: int = 0


def claim(session: Session, now: datetime, timeout: timedelta) -> tuple[str, list[AlertSetting]]:
    """Atomically take the settings of active staff who want alerts and are not waiting to
    retry, unless another worker holds them (a claim older than `timeout` is taken over)."""
    token = uuid.uuid4().hex
    ready = (
        select(AlertSetting.staff_id)
        .join(StaffUser, col(StaffUser.id) == AlertSetting.staff_id)
        .where(
            AlertSetting.mode != AlertMode.OFF,
            col(StaffUser.active).is_(True),
            or_(
                col(AlertSetting.claim_token).is_(None),
                col(AlertSetting.claimed_at) < now - timeout,
            ),
            or_(col(AlertSetting.retry_at).is_(None), col(AlertSetting.retry_at) <= now),
        )
        .order_by(col(AlertSetting.staff_id))
        .limit(BATCH_SIZE)
    )
    session.exec(
        update(AlertSetting)
        .where(col(AlertSetting.staff_id).in_(claimable(session, ready, of=AlertSetting)))
        .values(claim_token=token, claimed_at=now)
    )
    session.commit()
    claimed = session.exec(select(AlertSetting).where(AlertSetting.claim_token == token))
    return token, list(claimed)


def _release(session: Session, staff_id: int, token: str, **values: object) -> bool:
    """Give the claim back (with the new state), only if it is still ours."""
    result = session.exec(
        update(AlertSetting)
        .where(col(AlertSetting.staff_id) == staff_id, col(AlertSetting.claim_token) == token)
        .values(claim_token=None, claimed_at=None, **values)
    )
    return bool(result.rowcount)


def remember(session: Session, setting: AlertSetting, found: list[collect.Found]) -> int:
    """Record what is new since alerts were turned on; items no longer on Today that were
    not yet mailed are let go. Returns how many items are new."""
    kept = utcnow() - timedelta(days=current_app.config["RECORD_RETENTION_DAYS"])
    since = max(setting.since, kept)  # older ones may have been forgotten (forget_old)
    current = {f.key: f for f in found if f.happened_at >= since}
    known = {
        item.item_key: item
        for item in session.exec(
            select(AlertItem).where(
                AlertItem.staff_id == setting.staff_id,
                or_(
                    AlertItem.state == AlertItemState.PENDING,
                    col(AlertItem.item_key).in_(list(current)),
                ),
            )
        )
    }
    for key, item in known.items():
        if item.state == AlertItemState.PENDING and key not in current:
            item.state = AlertItemState.GONE
            session.add(item)
        elif item.state == AlertItemState.PENDING:
            item.urgent = current[key].urgent  # a declined meeting becomes urgent as it nears
            session.add(item)
    new = [f for key, f in current.items() if key not in known]
    for f in new:
        session.add(
            AlertItem(
                staff_id=setting.staff_id,
                item_key=f.key,
                kind=f.kind,
                urgent=f.urgent,
                happened_at=f.happened_at,
            )
        )
    session.flush()
    return len(new)


def _alert_one(session: Session, setting: AlertSetting, token: str, now: datetime) -> str:
    """Bring one person's alerts up to date and mail them if due: 'sent', 'failed' or ''."""
    staff = session.get_one(StaffUser, setting.staff_id)
    unit = session.get_one(Unit, staff.unit_id)
    config = current_app.config
    tz = ZoneInfo(config["TIMEZONE"])
    remember(session, setting, collect.waiting_for(staff))
    pending = list(
        session.exec(
            select(AlertItem).where(
                AlertItem.staff_id == setting.staff_id, AlertItem.state == AlertItemState.PENDING
            )
        )
    )
    try:
        times = schedule.parse_times(setting.digest_times)
    except ValueError:
        times = schedule.parse_times(schedule.SUGGESTED_TIMES[0])
    due = bool(pending) and schedule.mail_due(
        setting.mode,
        times,
        unit,
        min(item.happened_at for item in pending) if pending else now,
        any(item.urgent for item in pending),
        now,
        tz,
        setting.last_sent_at,
    )
    if not due:
        _release(session, setting.staff_id, token)
        session.commit()
        return ""
    counts = Counter(item.kind for item in pending)
    message = mail.compose(staff, setting.language, counts, any(i.urgent for i in pending))
    session.commit()  # what was found stays found, whatever the server says
    try:
        mail.deliver(message, setting.staff_id)
    except mail.MailError as exc:
        failures = setting.failures + 1
        retry_at = now + retry_delay(failures)
        log.warning(
            "Alert mail to staff %s failed (%s); %d waiting items, next try at %s",
            setting.staff_id,
            exc,
            len(pending),
            retry_at.isoformat(timespec="seconds"),
        )
        _release(
            session,
            setting.staff_id,
            token,
            failures=failures,
            retry_at=retry_at,
            last_error=str(exc)[:200],
        )
        session.commit()
        return "failed"
    for item in pending:
        item.state = AlertItemState.SENT
        item.sent_at = now
        session.add(item)
    _release(
        session,
        setting.staff_id,
        token,
        failures=0,
        retry_at=None,
        last_error=None,
        last_sent_at=now,
    )
    session.commit()
    return "sent"


def forget_old(session: Session, now: datetime) -> int:
    """Delete what was mailed (or let go) about things older than the records kept
    (RECORD_RETENTION_DAYS); collect ignores anything that old, so nothing alerts again."""
    cutoff = now - timedelta(days=current_app.config["RECORD_RETENTION_DAYS"])
    result = session.exec(
        delete(AlertItem).where(
            col(AlertItem.state) != AlertItemState.PENDING, col(AlertItem.happened_at) < cutoff
        )
    )
    session.commit()
    return int(result.rowcount)


def send_alerts() -> AlertRound:
    """One round: every staff member who wants alerts, once, by whichever worker claims
    them; nothing when alerts go nowhere (no SMTP_HOST and a real SMS transport)."""
    result = AlertRound()
    config = current_app.config
    if not mail.enabled(config):
        return result
    now = utcnow()
    timeout = timedelta(seconds=config["CLAIM_TIMEOUT_SECONDS"])
    with session_scope() as session:
        forget_old(session, now)
        token, settings = claim(session, now, timeout)
        for setting in settings:
            try:
                outcome = _alert_one(session, setting, token, now)
            except Exception:
                # One person's trouble must not stop the others' alerts; the claim is
                # given back so the next round tries again.
                session.rollback()
                log.exception("Alerts for staff %s failed", setting.staff_id)
                _release(session, setting.staff_id, token)
                session.commit()
                continue
            result.sent += outcome == "sent"
            result.failed += outcome == "failed"
    return result
