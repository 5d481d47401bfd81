"""The operations alert mail (app/alerts/operations.py): to the active administrators with
an e-mail address who should hear of an incident (every unit's for what concerns the whole
installation; the unit's own for its failure rate), in their staff language, about one
incident starting or ending.

It names the condition, since when, and what to ask IT operations to look at: never a
client, a number or a message (e-mail is not a safe channel for them).
"""

import logging
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from sqlmodel import Session, col, select

from app.alerts import mail
from app.errors import N_
from app.models import (
    AlertSetting,
    OperationsAlert,
    OperationsCondition,
    StaffRole,
    StaffUser,
    utcnow,
)

log = logging.getLogger(__name__)

# A problem as a staff msgid with its values.
Problem = tuple[str, dict]

# What each condition's mails say (staff msgids), and what to look at.
SUBJECTS = {
    OperationsCondition.WORKER_SILENT: N_("Tydligt: reminders are not going out"),
    OperationsCondition.FAILURE_RATE: N_("Tydligt: many messages could not be delivered"),
    OperationsCondition.PROVIDER_REFUSING: N_("Tydligt: the SMS provider refuses messages"),
    OperationsCondition.SWEEP_FAILING: N_("Tydligt: sending messages fails"),
    OperationsCondition.MESSAGES_LATE: N_("Tydligt: messages are late"),
    OperationsCondition.SMS_FAILOVER: N_("Tydligt: SMS go through the backup provider"),
}
RESOLVED_SUBJECTS = {
    OperationsCondition.WORKER_SILENT: N_("Resolved: Tydligt sends reminders again"),
    OperationsCondition.FAILURE_RATE: N_("Resolved: messages are delivered again"),
    OperationsCondition.PROVIDER_REFUSING: N_("Resolved: the SMS provider takes messages again"),
    OperationsCondition.SWEEP_FAILING: N_("Resolved: Tydligt sends messages again"),
    OperationsCondition.MESSAGES_LATE: N_("Resolved: messages go out on time again"),
    OperationsCondition.SMS_FAILOVER: N_("Resolved: SMS go through the usual provider again"),
}
ADVICE = {
    OperationsCondition.WORKER_SILENT: N_(
        "Ask your IT operations to check that the Tydligt worker process is running."
    ),
    OperationsCondition.FAILURE_RATE: N_(
        "Ask your IT operations to check the SMS provider's status and Tydligt's log."
    ),
    OperationsCondition.PROVIDER_REFUSING: N_(
        "Ask your IT operations to check the SMS provider account: its credentials, its "
        "balance and its sending limits."
    ),
    OperationsCondition.SWEEP_FAILING: N_(
        "Ask your IT operations to look for the error in the Tydligt worker's log."
    ),
    OperationsCondition.MESSAGES_LATE: N_(
        "Ask your IT operations to check the Tydligt worker's log and the SMS provider's status."
    ),
    OperationsCondition.SMS_FAILOVER: N_(
        "Ask your IT operations to check the usual SMS provider's status. Tydligt goes back "
        "to it by itself when it works again."
    ),
}


def administrators(session: Session, unit_id: int | None = None) -> list[tuple[StaffUser, str]]:
    """The active administrators with an e-mail address (of `unit_id`, or of every unit),
    with their staff language (their alert setting's, else Swedish)."""
    query = (
        select(StaffUser, AlertSetting.language)
        .outerjoin(AlertSetting, col(AlertSetting.staff_id) == StaffUser.id)
        .where(
            StaffUser.role == StaffRole.ADMIN,
            col(StaffUser.active).is_(True),
            col(StaffUser.email) != "",
        )
        .order_by(col(StaffUser.unit_id), col(StaffUser.id))
    )
    if unit_id is not None:
        query = query.where(StaffUser.unit_id == unit_id)
    return [(staff, language or "sv") for staff, language in session.exec(query)]


def recipients(session: Session, alert: OperationsAlert) -> list[tuple[StaffUser, str]]:
    """Who hears of an incident: a unit's administrators of its failure rate (every
    administrator when that unit has none with an address); every unit's administrators
    of the rest, which concern the whole installation."""
    people = administrators(session, alert.unit_id) if alert.unit_id is not None else []
    people = people or administrators(session)
    if not people:
        log.warning("Operations alert %s: no administrator has an e-mail address", alert.condition)
    return people


def mail_one(
    session: Session,
    staff_id: int,
    alert: OperationsAlert,
    problem: Problem | None,
    resolved: bool,
) -> bool | None:
    """Mail one administrator about an incident starting or ending. False when the server
    did not take it (it is tried again later); None when the person is no longer an
    active administrator with an address (nothing to send)."""
    staff = session.get(StaffUser, staff_id)
    if staff is None or not staff.active or not staff.email or staff.role != StaffRole.ADMIN:
        return None
    setting = session.exec(select(AlertSetting).where(AlertSetting.staff_id == staff_id)).first()
    message = compose(staff, setting.language if setting else "sv", alert, problem, resolved)
    try:
        mail.deliver(message, staff_id)
    except mail.MailError as exc:
        log.warning("Operations alert mail to staff %s failed (%s)", staff_id, exc)
        return False
    return True


def compose(
    staff: StaffUser,
    language: str,
    alert: OperationsAlert,
    problem: Problem | None,
    resolved: bool,
) -> EmailMessage:
    """The mail about one incident to one administrator: the condition, since when, what
    to do. Nothing about any client."""
    words = mail.StaffWords(language)
    condition = OperationsCondition(alert.condition)
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    since = alert.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if resolved:
        subject = words.gettext(RESOLVED_SUBJECTS[condition])
        assert alert.resolved_at is not None
        body = [
            words.gettext(N_("Hello,")),
            "",
            words.gettext(
                N_("The problem that began at %(since)s is over since %(until)s."),
                since=since,
                until=alert.resolved_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            ),
        ]
    else:
        subject = words.gettext(SUBJECTS[condition])
        body = [words.gettext(N_("Hello,")), ""]
        if problem is not None:
            text, values = problem
            body.append(words.gettext(text, **values))
        body += [
            words.gettext(N_("This began at %(since)s."), since=since),
            "",
            words.gettext(ADVICE[condition]),
            words.gettext(N_("You get one more e-mail when it is over.")),
        ]
    body += [
        "",
        words.gettext(N_("Open Today in Tydligt: %(link)s"), link=mail.admin_link("admin.today")),
        "",
        words.gettext(
            N_(
                "You get this e-mail because you are an administrator in Tydligt. It says "
                "nothing about any client."
            )
        ),
    ]
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"] or "tydligt@localhost"
    message["To"] = staff.email
    message["Date"] = format_datetime(utcnow())
    _name, sender = parseaddr(message["From"])
    message["Message-ID"] = make_msgid("ops", domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(body) + "\n")
    return message
