"""The README's curl example works as written: the same requests, the same answers."""

import json
import re
from datetime import UTC, datetime

import time_machine

from app.config import PROJECT_ROOT

CALL = re.compile(
    r"curl -sS (?:-X (?P<method>\w+) )?\"\$API(?P<path>[^\"]+)\"(?P<rest>.*?)(?=\n\n|\n#|\Z)",
    re.S,
)


def readme_calls() -> list[tuple[str, str, dict | None]]:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    example = text.split("### Example: a client and a meeting", 1)[1].split("```", 2)[1]
    calls = []
    for match in CALL.finditer(example):
        body = re.search(r"-d '(.*?)'", match["rest"], re.S)
        calls.append(
            (match["method"] or "GET", match["path"], json.loads(body[1]) if body else None)
        )
    return calls


def test_the_readme_example_creates_a_client_and_a_meeting(api):
    calls = readme_calls()
    assert [method for method, _path, _body in calls] == ["PUT", "PUT", "PUT", "GET"]
    statuses = []
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        for method, path, body in calls:
            response = api.web.open(
                f"/api/v1{path}", method=method, json=body, headers=api.headers()
            )
            statuses.append(response.status_code)
            if path.startswith("/appointments"):
                meeting = response.get_json()
    assert statuses == [201, 201, 200, 200]
    assert meeting["previous_starts_at"] == "2027-03-10T13:00:00Z"
    assert "appointment_changed" in [m["kind"] for m in meeting["messages"]]
