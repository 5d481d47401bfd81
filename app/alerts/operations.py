"""Operations alerts: an e-mail to the administrators when reminders stop going out.

Four conditions, each checked from the database:

- `worker_silent`: the worker has not run the sweep within three WORKER_INTERVAL_SECONDS
  (the same rule as /healthz, app/health.py).
- `sweep_failing`: the sweep runs but ended in an error three runs in a row (the same
  rule as /healthz).
- `failure_rate`: of one unit's messages that reached an end in the last hour, more than
  OPS_FAILURE_RATE_PERCENT failed (when at least OPS_FAILURE_MIN_MESSAGES did). Judged
  per unit: one unit's bad numbers are not hidden by another unit's many good ones.
- `provider_refusing`: messages wait because the provider refused to take them (HTTP 429,
  our credentials refused, or 46elks refusing the account: no credit, blocked): the sweep
  marks such rows (sweep.REFUSED_PREFIX).
- `sms_failover`: SMS go through the secondary provider because the primary is down
  (app/transports/failover.py): texts still go out, so it explains no late message.
- `messages_late`: a message not yet sent was first due longer ago than
  HEALTH_MAX_DUE_AGE_MINUTES (as /healthz says) while none of the conditions above that
  concern the whole installation holds: the catch-all for what they do not explain (a
  sweep that crashes on a message now and then, a row left in `sending`), without a
  second mail about a silent worker or a refusing provider.

Who is mailed: the worker, the sweep, the provider and lateness concern the whole
installation, so
every active administrator with an e-mail address (of every unit) hears of them; a
failure rate goes to the administrators of that unit (to every administrator when that
unit has none with an address, so that someone hears of it).

Who checks: a worker cannot report its own death, so the check runs in three places, and
the database makes them agree: the worker's `ops-check` job every minute, the web on
/healthz (in the background, at most once a minute per process), and `flask ops-check`
for cron. An incident is one OperationsAlert row, open while the condition holds (its
unique `open_key`, the condition and for a unit's failure rate the unit, lets only one
process open it) and resolved once it has been clear for CLEAR_FOR (a condition that
comes and goes stays one incident): one mail when it starts and one when it is resolved,
in each person's staff language (app/alerts/operations_mail.py). Who gets a mail is
listed once per incident (OperationsAlertMail, a row per administrator), and each row is
sent on its own: a mail the SMTP server did not take for one person is tried again for
that person at the next check, for up to MAIL_GIVE_UP, while the others are not mailed
twice. The end goes to those who were told of the start. Every mail is audited. No mail
says anything about a client: it names the condition, counts and times.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from sqlalchemy import case, delete, func, or_, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from app import audit, health
from app.alerts import mail, operations_mail
from app.alerts.operations_mail import ADVICE
from app.db import session_scope
from app.errors import N_
from app.models import (
    Client,
    MailEvent,
    OperationsAlert,
    OperationsAlertMail,
    OperationsCondition,
    OutboxMessage,
    OutboxStatus,
    saved_id,
    utcnow,
)
from app.models.providers import SmsProviderHealth

log = logging.getLogger(__name__)

FAILURE_WINDOW = timedelta(hours=1)
# A refused row waits THROTTLE_PAUSE and is tried again: one refused this recently and still
# waiting means the provider still refuses (older ones belong to a worker that stopped).
REFUSAL_WINDOW = timedelta(minutes=10)
CHECK_EVERY = 60.0  # seconds between the web's checks, per process
# An incident ends once its condition has not held for this long: a provider that throttles
# every few minutes, or a failure rate hovering at the threshold, is one incident.
CLEAR_FOR = timedelta(minutes=10)
# An operations mail no server took within this long is given up (it would come too late).
MAIL_GIVE_UP = timedelta(hours=24)
ENDED = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.UNDELIVERED, OutboxStatus.FAILED)
FAILED = (OutboxStatus.UNDELIVERED, OutboxStatus.FAILED)


@dataclass(frozen=True)
class Finding:
    """A condition that holds now: an English line for the log and audit, and the staff
    msgid (with its values) the mail says it with."""

    condition: str
    detail: str
    staff_text: str
    values: dict = field(default_factory=dict)
    unit_id: int | None = None  # a unit's failure rate; None: the whole installation

    @property
    def key(self) -> str:
        """The incident's open_key: one open incident per condition (and unit)."""
        return self.condition if self.unit_id is None else f"{self.condition}:{self.unit_id}"


def _from_health(code: str, session: Session, config: dict, now: datetime) -> list[Finding]:
    return [
        Finding(OperationsCondition(code), reason.text, reason.staff_text, reason.values)
        for reason in health.check(session, config, now).reasons
        if reason.code == code
    ]


def worker_silent(session: Session, config: dict, now: datetime) -> list[Finding]:
    """The sweep has not run within three intervals (as /healthz says)."""
    return _from_health(OperationsCondition.WORKER_SILENT, session, config, now)


def sweep_failing(session: Session, config: dict, now: datetime) -> list[Finding]:
    """The sweep ended in an error run after run (as /healthz says)."""
    return _from_health(OperationsCondition.SWEEP_FAILING, session, config, now)


def failure_rate(session: Session, config: dict, now: datetime) -> list[Finding]:
    """Each unit where too many of the messages that ended in the last hour failed."""
    ended_at = func.coalesce(OutboxMessage.final_at, OutboxMessage.sent_at)
    failed = func.sum(case((col(OutboxMessage.status).in_(FAILED), 1), else_=0))
    rows = session.exec(
        select(Client.unit_id, func.count(), failed)
        .join(Client, col(Client.id) == OutboxMessage.client_id)
        .where(col(OutboxMessage.status).in_(ENDED), ended_at >= now - FAILURE_WINDOW)
        .group_by(col(Client.unit_id))
        .order_by(col(Client.unit_id))
    ).all()
    findings = []
    for unit_id, total, failures in rows:
        failures = int(failures or 0)
        if total < config["OPS_FAILURE_MIN_MESSAGES"]:
            continue
        if failures * 100 <= config["OPS_FAILURE_RATE_PERCENT"] * total:
            continue
        percent = round(100 * failures / total)
        findings.append(
            Finding(
                OperationsCondition.FAILURE_RATE,
                f"unit {unit_id}: {failures} of {total} messages in the last hour failed "
                f"({percent} %)",
                N_(
                    "Messages that could not be delivered in the last hour: "
                    "%(failures)s of %(total)s."
                ),
                {"failures": failures, "total": total},
                unit_id=unit_id,
            )
        )
    return findings


def provider_refusing(session: Session, config: dict, now: datetime) -> list[Finding]:
    """Messages wait because the provider refused them within REFUSAL_WINDOW."""
    from app.outbox.sweep import REFUSED_PREFIX  # the sweep imports the worker's neighbours

    errors = session.exec(
        select(OutboxMessage.last_error, func.count())
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            col(OutboxMessage.last_error).startswith(REFUSED_PREFIX),
            col(OutboxMessage.due_at) >= now - REFUSAL_WINDOW,
        )
        .group_by(OutboxMessage.last_error)
    ).all()
    waiting = sum(count for _, count in errors)
    if not waiting:
        return []
    # With two SMS providers, say which one refuses: each names itself in its error.
    named = {name for name in REFUSING_PROVIDERS for error, _ in errors if name in (error or "")}
    provider = ", ".join(sorted(named)) or "?"
    return [
        Finding(
            OperationsCondition.PROVIDER_REFUSING,
            f"{waiting} messages wait: the provider {provider} refused them "
            "(HTTP 429, credentials, or the account: no credit or blocked)",
            N_(
                "The SMS provider %(provider)s refused to take messages: too many at once, "
                "Tydligt's credentials were refused, or the account has no credit left or is "
                "blocked. Waiting now: %(count)s."
            ),
            {"count": waiting, "provider": provider},
        )
    ]


# How each provider's errors name it (app/transports/twilio.py, elks.py).
REFUSING_PROVIDERS = ("Twilio", "46elks")


def messages_late(session: Session, config: dict, now: datetime) -> list[Finding]:
    """A message has been late too long (as /healthz says)."""
    return [
        Finding(OperationsCondition.MESSAGES_LATE, reason.text, reason.staff_text, reason.values)
        for reason in health.check(session, config, now).reasons
        if reason.code == "oldest_due"
    ]


def sms_failover(session: Session, config: dict, now: datetime) -> list[Finding]:
    """SMS go through the secondary provider because the primary is down (failover.py):
    texts still go out, but operations should know, once per incident."""
    transport = current_app.extensions.get("tydligt.provider")
    primary = getattr(transport, "primary", None)
    secondary = getattr(transport, "secondary", None)
    if primary is None or secondary is None:
        return []
    state = session.get(SmsProviderHealth, primary.name)
    if state is None or state.down_since is None:
        return []
    tz = ZoneInfo(config["TIMEZONE"])
    since = state.down_since.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return [
        Finding(
            OperationsCondition.SMS_FAILOVER,
            f"SMS go through {secondary.name} since {state.down_since.isoformat()}: "
            f"{primary.name} is failing",
            N_(
                "SMS go through %(secondary)s since %(since)s: the SMS provider %(primary)s "
                "is failing. Clients still get their texts."
            ),
            {"primary": primary.name, "secondary": secondary.name, "since": since},
        )
    ]


CHECKS = (worker_silent, sweep_failing, failure_rate, provider_refusing, sms_failover)
# Texts still go out while failed over: that does not explain messages that are late.
EXPLAINS_NOTHING_LATE = frozenset({OperationsCondition.SMS_FAILOVER})


@dataclass
class CheckResult:
    """What one check did: conditions that started, that cleared, and mails sent."""

    opened: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    mailed: int = 0


def check_all(now: datetime | None = None) -> CheckResult:
    """Open an incident for each condition that holds, resolve the ones that cleared, and
    mail what has not been mailed. Safe to run in several processes at once."""
    now = now or utcnow()
    config = current_app.config
    result = CheckResult()
    with session_scope() as session:
        findings = [f for check in CHECKS for f in check(session, config, now)]
        if not any(  # nothing else explains it
            f.unit_id is None and f.condition not in EXPLAINS_NOTHING_LATE for f in findings
        ):
            findings += messages_late(session, config, now)
        found = {f.key: f for f in findings}
        open_now = {
            alert.open_key: alert
            for alert in session.exec(
                select(OperationsAlert)
                .where(col(OperationsAlert.open_key).is_not(None))
                .order_by(col(OperationsAlert.id))
            )
        }
        for key in list(found) + [k for k in open_now if k not in found]:
            alert = open_now.get(key)
            if key in found and alert is None:
                if _open(session, found[key], now):
                    result.opened.append(found[key].condition)
            elif key in found and alert is not None:
                _still(session, alert, now)
            elif alert is not None and now - alert.last_seen_at >= CLEAR_FOR:
                _resolve(session, alert, now)
                result.resolved.append(alert.condition)
        result.mailed = _mail_pending(session, found, now)
    return result


def _open(session: Session, finding: Finding, now: datetime) -> bool:
    session.add(
        OperationsAlert(
            condition=finding.condition,
            unit_id=finding.unit_id,
            open_key=finding.key,
            detail=finding.detail[:300],
            started_at=now,
            last_seen_at=now,
        )
    )
    audit.record(
        session, "operations_alert_opened", detail=f"{finding.condition}: {finding.detail}"
    )
    try:
        session.commit()
    except IntegrityError:  # another process opened this incident a moment ago
        session.rollback()
        return False
    log.warning("Operations alert: %s (%s)", finding.condition, finding.detail)
    return True


def _still(session: Session, alert: OperationsAlert, now: datetime) -> None:
    session.execute(
        update(OperationsAlert).where(col(OperationsAlert.id) == alert.id).values(last_seen_at=now)
    )
    session.commit()


def _resolve(session: Session, alert: OperationsAlert, now: datetime) -> None:
    alert.open_key = None
    alert.resolved_at = now
    session.add(alert)
    audit.record(session, "operations_alert_resolved", detail=alert.condition)
    session.commit()
    log.warning("Operations alert resolved: %s", alert.condition)


def _list_recipients(session: Session, now: datetime) -> None:
    """Note who is to be mailed about each incident that started and each that ended, once
    per incident: the listing and the claim that only this process lists it (`mailed_at`,
    `resolved_mailed_at`) are one commit."""
    starts = session.exec(
        select(OperationsAlert).where(
            col(OperationsAlert.open_key).is_not(None), col(OperationsAlert.mailed_at).is_(None)
        )
    ).all()
    for alert in starts:
        people = operations_mail.recipients(session, alert)
        staff_ids = [saved_id(staff) for staff, _language in people]
        _list(session, alert, "mailed_at", MailEvent.STARTED, now, staff_ids)
    ends = session.exec(
        select(OperationsAlert).where(
            col(OperationsAlert.resolved_at).is_not(None),
            col(OperationsAlert.mailed_at).is_not(None),
            col(OperationsAlert.resolved_mailed_at).is_(None),
        )
    ).all()
    for alert in ends:
        told = session.exec(  # those who were told it began
            select(OperationsAlertMail.staff_id).where(
                OperationsAlertMail.alert_id == alert.id,
                OperationsAlertMail.event == MailEvent.STARTED,
                col(OperationsAlertMail.sent_at).is_not(None),
            )
        ).all()
        _list(session, alert, "resolved_mailed_at", MailEvent.RESOLVED, now, list(told))


def _list(
    session: Session,
    alert: OperationsAlert,
    column: str,
    event: MailEvent,
    now: datetime,
    staff_ids: list[int],
) -> None:
    claimed = session.execute(
        update(OperationsAlert)
        .where(col(OperationsAlert.id) == alert.id, getattr(OperationsAlert, column).is_(None))
        .values({column: now})
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        session.rollback()  # another process listed them
        return
    for staff_id in staff_ids:
        session.add(
            OperationsAlertMail(
                alert_id=saved_id(alert), staff_id=staff_id, event=event, created_at=now
            )
        )
    session.commit()


def _mail_pending(session: Session, found: dict[str, Finding], now: datetime) -> int:
    """Send every operations mail not yet sent: a start while its incident is open (an
    incident that cleared before a person's first mail went out is not mailed to them at
    all), an end at any time, each for up to MAIL_GIVE_UP. Returns how many the server
    took."""
    config = current_app.config
    if not mail.enabled(config):
        return 0
    _list_recipients(session, now)
    stale = now - timedelta(seconds=config["CLAIM_TIMEOUT_SECONDS"])
    unsent = session.exec(
        select(OperationsAlertMail, OperationsAlert)
        .join(OperationsAlert, col(OperationsAlert.id) == OperationsAlertMail.alert_id)
        .where(
            col(OperationsAlertMail.sent_at).is_(None),
            col(OperationsAlertMail.created_at) >= now - MAIL_GIVE_UP,
            or_(
                col(OperationsAlertMail.claimed_at).is_(None),
                col(OperationsAlertMail.claimed_at) < stale,
            ),
            or_(
                col(OperationsAlertMail.event) == MailEvent.RESOLVED,
                col(OperationsAlert.open_key).is_not(None),
            ),
        )
        .order_by(col(OperationsAlertMail.id))
    ).all()
    delivered: dict[tuple[int, str], int] = {}
    alerts: dict[int, OperationsAlert] = {}
    for row, alert in unsent:
        if not _claim(session, row, stale, now):
            continue  # another process sends it
        resolved = row.event == MailEvent.RESOLVED
        finding = None if resolved else found.get(alert.open_key or "")
        problem = (finding.staff_text, finding.values) if finding else None
        sent = operations_mail.mail_one(session, row.staff_id, alert, problem, resolved)
        if sent is None:  # no longer an administrator with an address: nobody to mail
            session.execute(
                delete(OperationsAlertMail).where(col(OperationsAlertMail.id) == row.id)
            )
            session.commit()
            continue
        session.execute(
            update(OperationsAlertMail)
            .where(col(OperationsAlertMail.id) == row.id)
            .values(
                sent_at=now if sent else None,
                claimed_at=now if sent else None,
                attempts=OperationsAlertMail.attempts + 1,
            )
        )
        session.commit()
        if sent:
            key = (saved_id(alert), row.event)
            delivered[key] = delivered.get(key, 0) + 1
            alerts[key[0]] = alert
    for (alert_id, event), count in delivered.items():
        alert = alerts[alert_id]
        where = f" (unit {alert.unit_id})" if alert.unit_id is not None else ""
        audit.record(
            session,
            "operations_alert_mailed",
            detail=f"{alert.condition}{where} {event}: mailed to {count} administrators",
        )
    session.commit()
    return sum(delivered.values())


def _claim(session: Session, row: OperationsAlertMail, stale: datetime, now: datetime) -> bool:
    """Take one person's mail for this process alone (or one a stopped process left)."""
    claimed = session.execute(
        update(OperationsAlertMail)
        .where(
            col(OperationsAlertMail.id) == row.id,
            col(OperationsAlertMail.sent_at).is_(None),
            or_(
                col(OperationsAlertMail.claimed_at).is_(None),
                col(OperationsAlertMail.claimed_at) < stale,
            ),
        )
        .values(claimed_at=now)
    )
    session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _check_in(app: Flask) -> None:
    with app.app_context():
        try:
            check_all()
        except Exception:  # never let a background check disturb the web
            log.exception("Operations check failed")


def check_soon(app: Flask) -> threading.Thread | None:
    """Run check_all in the background unless this process did within CHECK_EVERY seconds
    (asked on /healthz: the web notices a stopped worker). Returns the thread started."""
    if app.testing and not app.config.get("OPS_CHECK_ON_HEALTHZ"):
        # The test suite disposes each test's engine as the test ends: a thread still at
        # work would leave a connection open. Tests of this check ask for it.
        return None
    state = app.extensions.setdefault("tydligt.ops_check", {"at": None, "lock": threading.Lock()})
    with state["lock"]:
        if state["at"] is not None and time.monotonic() - state["at"] < CHECK_EVERY:
            return None
        state["at"] = time.monotonic()
    thread = threading.Thread(target=_check_in, args=(app,), name="ops-check", daemon=True)
    thread.start()
    state["thread"] = thread
    return thread


@click.command("ops-check")
def ops_check_command() -> None:
    """Check the worker, the sweep, each unit's failure rate and the provider once, and
    mail administrators about what started or ended (for cron, beside the worker's own
    check)."""
    try:
        result = check_all()
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"the database cannot be reached ({type(exc).__name__})"
        ) from None
    click.echo(
        f"Started: {', '.join(result.opened) or 'none'}; "
        f"resolved: {', '.join(result.resolved) or 'none'}; mails sent: {result.mailed}."
    )


# What Today says of an open incident that /healthz does not already give as a reason.
TODAY_TITLES = {
    OperationsCondition.FAILURE_RATE: N_(
        "Many messages could not be delivered in the last hour (since %(since)s)."
    ),
    OperationsCondition.PROVIDER_REFUSING: N_(
        "The SMS provider refuses to take messages (since %(since)s)."
    ),
    OperationsCondition.SMS_FAILOVER: N_("SMS go through the backup provider (since %(since)s)."),
}


@dataclass(frozen=True)
class SendingState:
    """What an administrator's Today says about sending: each problem as a staff msgid
    with its values, and the advice for the first kind of problem."""

    problems: tuple[tuple[str, dict], ...]
    advice: str = ""

    @property
    def degraded(self) -> bool:
        return bool(self.problems)


def sending_state(
    session: Session, config: dict, now: datetime | None = None, *, unit_id: int | None = None
) -> SendingState:
    """The state /healthz reports, with its reasons, and the open incidents of the other
    conditions (the ones the administrators were mailed about): those of the whole
    installation and those of `unit_id` (an administrator's own unit)."""
    now = now or utcnow()
    reasons = health.check(session, config, now).reasons
    problems = [(r.staff_text, r.values) for r in reasons]
    # The advice for the first reason.
    advice = ""
    if reasons:
        code = reasons[0].code
        late = code == "oldest_due"
        advice = ADVICE[OperationsCondition.MESSAGES_LATE if late else OperationsCondition(code)]
    tz = ZoneInfo(config["TIMEZONE"])
    incidents = session.exec(
        select(OperationsAlert)
        .where(
            col(OperationsAlert.open_key).is_not(None),
            or_(col(OperationsAlert.unit_id).is_(None), col(OperationsAlert.unit_id) == unit_id),
        )
        .order_by(col(OperationsAlert.started_at))
    )
    for alert in incidents:
        title = TODAY_TITLES.get(OperationsCondition(alert.condition))
        if title:
            since = alert.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            problems.append((title, {"since": since}))
            advice = advice or ADVICE[OperationsCondition(alert.condition)]
    return SendingState(tuple(problems), advice)
