"""The console transport: appends each message as one JSON line to a file (development, tests)."""

import json
import logging
import os
import threading
import uuid
from datetime import datetime
from pathlib import Path

from app.models import utcnow
from app.phone import mask_phone
from app.transports.base import Accepted, Outgoing, StoredFile, StoredFileGone

log = logging.getLogger(__name__)


class ConsoleTransport:
    """Writes to CONSOLE_OUTBOX_FILE (default instance/outbox.jsonl); never reaches a network."""

    name = "console"

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> Accepted:
        """Append the message as JSON and log a summary without number or text."""
        provider_id = "CONSOLE" + uuid.uuid4().hex
        record = {
            "id": provider_id,
            "message_id": outgoing.message_id,
            "at": utcnow().isoformat(timespec="seconds"),
            "to": outgoing.to,
            "channel": outgoing.channel,
            "kind": outgoing.kind,
            "language": outgoing.language,
            "encoding": outgoing.encoding,
            "segments": outgoing.segments,
            "body": outgoing.body,
        }
        self.append(record)
        log.info(
            "Console %s %s to %s (%s, %d segments)",
            outgoing.channel,
            outgoing.kind,
            mask_phone(outgoing.to),
            outgoing.encoding,
            outgoing.segments,
        )
        return Accepted(provider_id)

    def append(self, record: dict) -> None:
        """Append one record to the file as a JSON line (also the e-mail copies' record,
        app/transports/email.py)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            # One write() of one line in append mode: concurrent workers do not interleave.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)

    def find_sent(self, message_id: int, to: str, channel: str, since: datetime) -> list[str]:
        """Exact: the file records our message id with each line."""
        if not self.path.exists():
            return []
        found = []
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash was never a complete send
                if record.get("message_id") == message_id:
                    found.append(record["id"])
        return found

    def delete_stored(self, item: str, ref: str) -> None:
        """Nothing is kept anywhere but the outbox file: only say what would be deleted."""
        log.info("Console: nothing to delete at a provider for a %s", item)

    def fetch_stored(self, item: str, ref: str) -> StoredFile:
        """The console keeps no pictures or recordings."""
        raise StoredFileGone(item)
