"""A delivery connects to the very address that was checked: a name that resolves to a
public address when checked and to a loopback one a moment later (DNS rebinding) never
reaches the loopback, and the receiver still sees its own host name."""

import socket
import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import OutboxMessage, WebhookAttempt
from app.webhooks import subscriptions
from app.webhooks.delivery import deliver_due

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.frozen_at(NOW)
PUBLIC = "93.184.216.34"
HOST = "hooks.lifecare.example"


class Rebinding:
    """A resolver we control: HOST is public the first time it is asked and loopback
    after; the public address itself cannot be reached (no network in tests)."""

    def __init__(self, real):
        self.real = real
        self.asked: list[str] = []

    def __call__(self, host, port, *args, **kwargs):
        self.asked.append(str(host))
        if host == HOST:
            answer = PUBLIC if self.asked.count(HOST) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, int(port or 443)))]
        if host == PUBLIC:
            raise socket.gaierror(socket.EAI_NONAME, "unreachable in tests")
        return self.real(host, port, *args, **kwargs)


@pytest.fixture
def loopback():
    """A bare loopback listener that counts the connections it gets."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join()
    listener.close()


def plan(session, client) -> None:
    session.add(
        OutboxMessage(
            kind="staff_message", client_id=client.id, to_phone=client.phone, dedupe_key="p",
            due_at=NOW,
        )
    )  # fmt: skip
    session.commit()


def test_a_name_rebound_to_loopback_after_the_check_is_never_reached(
    app, session, key, sara, loopback, monkeypatch
):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    port, accepted = loopback
    subscriptions.create(
        session, key, f"https://{HOST}:{port}/tydligt", ["outbox.status"], allow_private=False
    )
    session.commit()
    plan(session, sara)
    resolver = Rebinding(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    deliver_due()

    assert accepted == []
    assert resolver.asked.count(HOST) == 1  # checked once; connected to what was checked
    assert PUBLIC in resolver.asked
    attempt = session.exec(select(WebhookAttempt)).one()
    assert (attempt.status_code, attempt.error) == (None, "connection")


def test_a_pinned_delivery_keeps_the_host_name_in_its_host_header(
    session, key, sara, receiver, monkeypatch
):
    port = receiver.url.split(":")[2].split("/")[0]
    subscriptions.create(
        session, key, f"http://localhost:{port}/tydligt", ["outbox.status"], allow_private=True
    )
    session.commit()
    plan(session, sara)
    real = socket.getaddrinfo
    asked: list[str] = []

    def once(host, *args, **kwargs):
        asked.append(str(host))
        if host == "localhost" and asked.count("localhost") > 1:
            raise AssertionError("localhost resolved a second time")
        return real("127.0.0.1" if host == "localhost" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", once)

    result = deliver_due()

    assert result.delivered == 1
    [got] = receiver.requests
    assert got.headers["host"] == f"localhost:{port}"
    assert asked.count("localhost") == 1


@pytest.fixture
def tls_loopback(tmp_path):
    """A loopback TLS server with a self-signed certificate for HOST that records the
    server name (SNI) each client asks for."""
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(private, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    asked: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    context.sni_callback = lambda _sock, server_name, _ctx: asked.append(server_name)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(connection, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], asked
    stop.set()
    thread.join()
    listener.close()


def test_a_pinned_https_delivery_sends_the_host_name_and_checks_the_certificate(
    session, key, sara, tls_loopback, monkeypatch
):
    port, server_names = tls_loopback
    subscriptions.create(
        session, key, f"https://{HOST}:{port}/tydligt", ["outbox.status"], allow_private=True
    )
    session.commit()
    plan(session, sara)
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == HOST else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    result = deliver_due()

    assert server_names == [HOST]  # SNI names the host, though the address was connected to
    assert result.delivered == 0  # a certificate no authority signed is refused
    attempt = session.exec(select(WebhookAttempt)).one()
    assert attempt.error in {"SSLError", "connection"}
