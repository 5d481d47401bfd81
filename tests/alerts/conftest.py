"""Alert fixtures: a unit with a working day, a case worker with a client (fictional, with
a name, a number and words that must never reach an e-mail), and a real SMTP server on
loopback (aiosmtpd) that keeps what it receives."""

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from app.models import AlertMode, AlertSetting, utcnow
from tests.factories import create_client, create_staff, create_unit

SMTP_USER, SMTP_SECRET = "tydligt", "smtp-test-secret"


class Mailbox:
    """What the server received: each envelope's raw bytes, sender and recipients."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.logins: list[bytes] = []

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def raw(self, index: int = -1) -> bytes:
        content = self.envelopes[index].original_content or b""
        return content if isinstance(content, bytes) else content.encode()

    def message(self, index: int = -1) -> EmailMessage:
        parsed = message_from_bytes(self.raw(index), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def __len__(self) -> int:
        return len(self.envelopes)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started again on its port."""

    def __init__(self, *, auth: bool = False) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.auth = auth
        self.controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_SECRET.encode(),
        )
        if ok:
            self.mailbox.logins.append(auth_data.login)
        return AuthResult(success=ok)

    def start(self) -> None:
        extra = (
            {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
            if self.auth
            else {}
        )
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    return smtp_server.mailbox


@pytest.fixture
def config(config: dict, smtp_server: SmtpServer) -> dict:
    """The test configuration with alerts by SMTP to the loopback server (plain SMTP on
    loopback: the server has no certificate)."""
    return config | {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "Tydligt <tydligt@ekby.example>",
    }


@pytest.fixture
def unit(session):
    """A unit working Monday to Friday, 08:00-17:00."""
    return create_unit(session, office_hours="mon-fri 09:00-12:00", sending_window="08:00-17:00")


@pytest.fixture
def caseworker(session, unit):
    return create_staff(session, unit, email="lina.berg@ekby.example", name="Lina Berg")


@pytest.fixture
def colleague(session, unit):
    return create_staff(session, unit, email="omar.haddad@ekby.example", name="Omar Haddad")


@pytest.fixture
def sara(session, caseworker):
    """Lina's client, whose name, number and words must never be in a mail."""
    return create_client(
        session, caseworker, first_name="Saralinnea", last_name="Lindqvist", phone="+46701234567"
    )


def wants_alerts(session, staff, mode=AlertMode.AT_ONCE, times="08:00,13:00", since=None,
                 language="sv") -> AlertSetting:  # fmt: skip
    """The staff member's alerts turned on (since a day before now, unless told)."""
    from datetime import timedelta

    setting = AlertSetting(
        staff_id=staff.id,
        mode=mode,
        digest_times=times,
        language=language,
        since=since or utcnow() - timedelta(days=1),
    )
    session.add(setting)
    session.commit()
    return setting
