"""A fake twilio HttpClient: records every REST request and answers like Twilio would."""

import json

from twilio.http import HttpClient
from twilio.http.response import Response


class FakeTwilioHttp(HttpClient):
    """Give it to twilio.rest.Client(http_client=...). Never reaches a network."""

    def __init__(self, responses: list[tuple[int, dict]] | None = None) -> None:
        super().__init__(logger=None, is_async=False)
        self.requests: list[dict] = []
        self.responses = list(responses or [])

    def request(
        self,
        method,
        uri,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ):
        self.requests.append(
            {
                "method": method,
                "uri": uri,
                "params": dict(params or {}),
                "data": dict(data or {}),
                "auth": auth,
            }
        )
        if self.responses:
            status, body = self.responses.pop(0)
        else:
            number = len(self.requests)
            prefix = "CA" if uri.endswith("/Calls.json") else "SM"
            status, body = 201, {"sid": f"{prefix}{number:032d}", "status": "queued"}
        return Response(status, json.dumps(body))


def error_body(code: int, status: int, message: str = "refused") -> dict:
    """The JSON Twilio sends with an error response."""
    return {"code": code, "message": message, "more_info": "", "status": status}


def listing(key: str, items: list[dict]) -> dict:
    """One page of a list answer ("messages" or "calls"), the last page."""
    return {key: items, "next_page_uri": None, "page": 0, "page_size": 20}
