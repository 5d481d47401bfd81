"""The console transport: one JSON line per message, and logs without numbers or texts."""

import json
import logging

from app.transports.console import ConsoleTransport
from tests.transports.outgoing import BODY, outgoing


def test_console_appends_one_json_line_per_message(tmp_path):
    path = tmp_path / "sub" / "outbox.jsonl"
    transport = ConsoleTransport(str(path))
    first = transport.send(outgoing())
    transport.send(outgoing(message_id=8, to="+46700000002", language="en"))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 2
    assert lines[0] | {"at": None} == {
        "id": first.provider_id,
        "message_id": 7,
        "at": None,
        "to": "+46700000001",
        "channel": "sms",
        "kind": "appointment_reminder",
        "language": "sv",
        "encoding": "GSM-7",
        "segments": 1,
        "body": BODY,
    }
    assert lines[1]["to"] == "+46700000002"


def test_console_logs_neither_the_number_nor_the_text(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    ConsoleTransport(str(tmp_path / "o.jsonl")).send(outgoing())
    assert "appointment_reminder" in caplog.text
    assert "+46700000001" not in caplog.text
    assert "0700000001" not in caplog.text
    assert "Sara" not in caplog.text
