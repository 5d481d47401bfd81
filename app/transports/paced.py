"""Keeping to the provider's pace: at most SEND_RATE_PER_SECOND hand-overs per second from
one worker process (Twilio takes about 10 messages a second per sender abroad)."""

import threading
import time

from app.transports.base import Accepted, Outgoing, Transport


class PacedTransport:
    """Wraps a transport; each send waits for its slot. Lookups are not paced."""

    def __init__(self, transport: Transport, per_second: float) -> None:
        self.transport = transport
        self.name = transport.name
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> Accepted:
        """Wait for the next free slot, then send."""
        if self.interval:
            with self._lock:
                now = time.monotonic()
                wait = self._next - now
                self._next = max(now, self._next) + self.interval
            if wait > 0:
                time.sleep(wait)
        return self.transport.send(outgoing)

    def find_sent(self, *args, **kwargs) -> list[str]:
        return self.transport.find_sent(*args, **kwargs)
