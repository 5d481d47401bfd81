"""The paced transport keeps to its rate (app/transports/paced.py)."""

import time

from app.transports import Accepted, Outgoing
from app.transports.paced import PacedTransport


class RecordingTransport:
    """Accepts everything and keeps what it was given."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    def send(self, outgoing):
        self.sent.append(outgoing)
        return Accepted(f"SM{len(self.sent):032d}")


def test_the_pace_keeps_to_the_rate():
    inner = RecordingTransport()
    paced = PacedTransport(inner, per_second=50)
    outgoing = Outgoing(1, "+46700000001", "sms", "welcome", "x", "sv", "GSM7", 1)
    started = time.monotonic()
    for _ in range(11):
        paced.send(outgoing)
    assert time.monotonic() - started >= 0.19  # 10 intervals of 20 ms after the first
    assert len(inner.sent) == 11
