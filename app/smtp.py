"""The SMTP connection staff alerts (app/alerts/mail.py) and clients' e-mail copies
(app/transports/email.py) share: SMTP_HOST and SMTP_PORT, TLS from the first byte on port
465 and STARTTLS (never falling back to plain text) elsewhere, and a login when
SMTP_USERNAME is set.

A failure names its kind and the server's reply code only: the exception texts of smtplib
may name the recipient, and an address is personal data that never goes into a log.
"""

import smtplib
import ssl
from email.message import EmailMessage

TIMEOUT_SECONDS = 30
SMTPS_PORT = 465  # TLS from the first byte (RFC 8314); other ports upgrade with STARTTLS


class SmtpFailure(RuntimeError):
    """The server did not take the mail. `code` is its reply code when it gave one;
    `recipient` says the reply was about the recipient's address (RCPT TO)."""

    def __init__(self, what: str, *, code: int | None = None, recipient: bool = False) -> None:
        super().__init__(f"{what} {code}" if code is not None else what)
        self.code = code
        self.recipient = recipient

    @property
    def permanent(self) -> bool:
        """A 5xx reply: the same mail will be refused again (a 4xx or no reply: try later)."""
        return self.code is not None and 500 <= self.code < 600


def send(config: dict, message: EmailMessage, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Hand one mail to SMTP_HOST; raises SmtpFailure when it was not accepted."""
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    context = ssl.create_default_context()
    try:
        if port == SMTPS_PORT:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if port != SMTPS_PORT and config["SMTP_STARTTLS"]:
                # Raises when the server offers no STARTTLS: never fall back to plain text.
                smtp.starttls(context=context)
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmtpFailure(
            type(exc).__name__, code=_first_code(exc.recipients), recipient=True
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise SmtpFailure(type(exc).__name__, code=exc.smtp_code) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SmtpFailure(type(exc).__name__) from None
    if refused:  # some of several recipients refused (one recipient refused raises above)
        raise SmtpFailure("SMTPRecipientsRefused", code=_first_code(refused), recipient=True)


def _first_code(refused: dict) -> int | None:
    for reply in refused.values():
        return int(reply[0])
    return None
