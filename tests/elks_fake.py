"""A fake 46elks at the HTTP layer: a requests Session whose adapter records every request
and answers as 46elks would (https://46elks.com/docs/send-sms). Never reaches a network."""

import json
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter


class FakeElksAdapter(BaseAdapter):
    """Answers POST /a1/sms with a new id, or with the queued responses in order; an
    exception in the queue is raised instead (a timeout, a refused connection)."""

    def __init__(self, responses: list | None = None) -> None:
        super().__init__()
        self.requests: list[dict] = []
        self.responses = list(responses or [])

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        parts = urlsplit(request.url)
        self.requests.append(
            {
                "method": request.method,
                "url": f"{parts.scheme}://{parts.netloc}{parts.path}",
                "params": dict(parse_qsl(parts.query)),
                "data": dict(parse_qsl(body)),
                "authorization": request.headers.get("Authorization"),
                "timeout": timeout,
            }
        )
        if self.responses:
            answer = self.responses.pop(0)
            if isinstance(answer, Exception):
                raise answer
            status, content = answer
        else:
            number = len(self.requests)
            status, content = 200, sent_body(f"s{number:032x}")
        return self._response(request, status, content)

    def _response(self, request, status: int, content) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        text = json.dumps(content) if isinstance(content, dict) else str(content)
        response._content = text.encode("utf-8")
        response.headers["Content-Type"] = (
            "application/json" if isinstance(content, dict) else "text/plain"
        )
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to close."""


def fake_session(responses: list | None = None) -> tuple[requests.Session, FakeElksAdapter]:
    """A Session for ELKS_HTTP_SESSION, and its adapter (to read the requests made)."""
    adapter = FakeElksAdapter(responses)
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session, adapter


def sent_body(provider_id: str, to: str = "+46700000001") -> dict:
    """The JSON 46elks answers a sent SMS with."""
    return {
        "status": "created",
        "direction": "outgoing",
        "from": "Ekby",
        "created": "2026-12-07T09:00:00.000000",
        "parts": 1,
        "to": to,
        "cost": 3500,
        "message": "",
        "id": provider_id,
    }


def history(items: list[dict]) -> dict:
    """One page of GET /a1/sms (the last: no `next`)."""
    return {"data": items}
