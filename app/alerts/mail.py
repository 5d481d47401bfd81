"""The alert mail: how many of each kind wait, in the staff member's language, with links
to Tydligt, sent by SMTP (the standard library) or, with the console transport and no
SMTP server, written to CONSOLE_MAIL_FILE and the log as the console SMS transport does.

A mail never carries a client's name, number or words: e-mail is not a safe channel for
them. It is built from counts and fixed staff words only, so there is nothing to leak.
"""

import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from app import smtp
from app.alerts.collect import KINDS
from app.errors import N_
from app.models import StaffUser, utcnow

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = smtp.TIMEOUT_SECONDS


class MailError(RuntimeError):
    """The mail could not be handed to the SMTP server; try again later. The message names
    the kind of failure only (no addresses)."""


@dataclass(frozen=True)
class StaffWords:
    """The staff interface's words in one staff language, outside any request (the worker
    writes mails in each person's own language)."""

    language: str

    def _catalog(self) -> dict:
        return current_app.extensions["tydligt.staff_words"].get(self.language, {})

    def gettext(self, text: str, **variables: object) -> str:
        """The text in this language, with %(name)s variables filled in."""
        translated = self._catalog().get(text, text)
        if isinstance(translated, tuple):
            translated = translated[0]
        return translated % variables if variables else translated

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for `n`, with %(num)d filled in."""
        forms = self._catalog().get(singular)
        if isinstance(forms, tuple) and len(forms) == 2:
            text = forms[0] if n == 1 else forms[1]
        else:
            text = singular if n == 1 else plural
        return text % {"num": n}


def count_line(words: StaffWords, kind: str, n: int) -> str:
    """'3 new texts' for the kind, in the staff language."""
    if kind == "text":
        return words.ngettext("%(num)d new text", "%(num)d new texts", n)
    if kind == "for_managers":
        return words.ngettext(
            "%(num)d complaint or request for the managers",
            "%(num)d complaints or requests for the managers",
            n,
        )
    if kind == "callback":
        return words.ngettext(
            "%(num)d request to be called back", "%(num)d requests to be called back", n
        )
    if kind == "declined":
        return words.ngettext(
            "%(num)d meeting the client declined", "%(num)d meetings clients declined", n
        )
    if kind == "failed":
        return words.ngettext(
            "%(num)d message that could not be delivered",
            "%(num)d messages that could not be delivered",
            n,
        )
    return words.ngettext("%(num)d locked PIN", "%(num)d locked PINs", n)


def admin_link(endpoint: str) -> str:
    """The public address of an admin page (PUBLIC_BASE_URL), outside any request."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, force_external=True)


def compose(staff: StaffUser, language: str, counts: Counter[str], urgent: bool) -> EmailMessage:
    """The mail to one staff member about what waits: counts by kind, never any content."""
    words = StaffWords(language)
    lines = [count_line(words, kind, counts[kind]) for kind in KINDS if counts[kind]]
    summary = ", ".join(lines)
    subject = (
        words.gettext(N_("Tydligt, urgent: %(summary)s"), summary=summary)
        if urgent
        else words.gettext(N_("Tydligt: %(summary)s"), summary=summary)
    )
    body = [words.gettext(N_("Hello,")), "", words.gettext(N_("This waits for you in Tydligt:"))]
    body += [f"- {line}" for line in lines]
    if urgent:
        body += [
            "",
            words.gettext(
                N_(
                    "Something among them is urgent: a meeting within a day that the client "
                    "declined, or a changed or cancelled meeting the client was not told of."
                )
            ),
        ]
    body += [
        "",
        words.gettext(N_("Open Today in Tydligt: %(link)s"), link=admin_link("admin.today")),
        "",
        words.gettext(
            N_(
                "This e-mail says only how many. Names, numbers and messages stay in "
                "Tydligt: e-mail is not a safe channel for them."
            )
        ),
        words.gettext(
            N_("Change or turn off your alerts: %(link)s"), link=admin_link("admin.my_alerts")
        ),
    ]
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_FROM"] or "tydligt@localhost"
    message["To"] = staff.email
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid("alert", domain=_domain(message["From"]))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office answers
    message.set_content("\n".join(body) + "\n")
    return message


def _domain(sender: str) -> str:
    _name, address = parseaddr(sender)
    return address.rpartition("@")[2] or "localhost"


def enabled(config: dict) -> bool:
    """Whether alerts go anywhere: to an SMTP server, or with the console transport to the
    console (so `make run` shows them)."""
    return bool(config["SMTP_HOST"]) or config["SMS_TRANSPORT"] == "console"


def deliver(message: EmailMessage, staff_id: int) -> None:
    """Hand the mail to SMTP_HOST, or to the console without one; MailError if it failed."""
    config = current_app.config
    if config["SMTP_HOST"]:
        _send_smtp(config, message)
        log.info("Alert mail to staff %s accepted by the SMTP server", staff_id)
    else:
        _write_console(Path(config["CONSOLE_MAIL_FILE"]), message, staff_id)


def _send_smtp(config: dict, message: EmailMessage) -> None:
    try:
        smtp.send(config, message, timeout=SMTP_TIMEOUT_SECONDS)
    except smtp.SmtpFailure as exc:
        raise MailError(str(exc)) from None


def _write_console(path: Path, message: EmailMessage, staff_id: int) -> None:
    body = message.get_content()
    record = {
        "at": utcnow().isoformat(timespec="seconds"),
        "to": message["To"],
        "from": message["From"],
        "subject": message["Subject"],
        "body": body,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    # The subject holds only counts; the body stays in the file, as no body is ever logged.
    log.info("Console alert mail to staff %s: %s (in %s)", staff_id, message["Subject"], path)
