"""Errors as application/problem+json (RFC 9457), with the paths of the fields at fault.

Every error the API gives has the same shape: `type`, `title`, `status`, `detail`, and for
bad input `errors`, one entry per field: where it is (`in`: body, query, path or header),
which field (`path`: a JSON Pointer into the body, or the parameter's name) and what is wrong.
"""

import json
import logging

from flask import Response, g, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from app.db import get_session
from app.errors import InvalidInput

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
# Problem types beyond the plain HTTP status (whose type is about:blank).
INVALID_INPUT = "urn:tydligt:problem:invalid-input"
MALFORMED = "urn:tydligt:problem:malformed-request"
IDEMPOTENCY_MISMATCH = "urn:tydligt:problem:idempotency-key-reused"
IN_PROGRESS = "urn:tydligt:problem:request-in-progress"
CONFLICT = "urn:tydligt:problem:conflict"
TYPES = ("about:blank", INVALID_INPUT, MALFORMED, IDEMPOTENCY_MISMATCH, IN_PROGRESS, CONFLICT)

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
}
DETAILS = {
    401: "Send your API key in the header 'Authorization: Bearer <key>'.",
    403: "This key may not do this.",
    404: "There is no such record for your unit.",
    405: "This method is not allowed here.",
    413: "The request body is larger than the 256 KB allowed.",
    415: "Send the body as JSON with 'Content-Type: application/json'.",
    429: "Too many requests. Wait a little and try again.",
    500: "Something went wrong on our side. Nothing was saved; try again later.",
}


class Problem(Exception):
    """An error answer an API view raises: status, title, detail and field errors."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        type: str = "about:blank",  # the RFC 9457 member name
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or TITLES.get(status, ""))
        self.status = status
        self.detail = detail or DETAILS.get(status, TITLES.get(status, "Error"))
        self.type = type
        self.errors = errors
        self.headers = headers or {}


def response(problem: Problem) -> Response:
    """The problem as an HTTP response."""
    body = {
        "type": problem.type,
        "title": TITLES.get(problem.status, "Error"),
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    result = Response(text, problem.status, mimetype=MEDIA_TYPE)
    result.headers.update(problem.headers)
    return result


def field_error(path: str, detail: str, where: str = "body") -> dict:
    """One entry of `errors`."""
    return {"in": where, "path": path, "detail": detail}


def pointer(location: tuple | list) -> str:
    """A JSON Pointer (RFC 6901) for a location like ('bring', 0): '/bring/0'."""
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in location]
    return "/" + "/".join(parts) if parts else ""


def invalid(errors: list[dict], detail: str = "Some fields are not right.") -> Problem:
    """A 422 problem listing every field that is wrong."""
    return Problem(422, detail, type=INVALID_INPUT, errors=errors)


def from_validation(exc: ValidationError, where: str = "body", prefix: tuple = ()) -> Problem:
    """Pydantic's errors as a problem; JSON that does not parse is a 400."""
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        if error["type"] == "json_invalid":
            return Problem(400, "The body is not valid JSON.", type=MALFORMED)
        location = prefix + tuple(error["loc"])
        path = pointer(location) if where == "body" else ".".join(str(p) for p in location)
        message = error["msg"].removeprefix("Value error, ")  # our own validators' words
        errors.append(field_error(path, message, where))
    return invalid(errors)


def from_domain(exc: InvalidInput, fields: dict[str, str] | None = None) -> Problem:
    """A domain error (field -> message) as a problem; `fields` names the body's field for a
    domain field where they differ ('caseworker_id' -> '/caseworker_email')."""
    fields = fields or {}
    errors = [
        field_error(fields.get(name, pointer((name,))), message)
        for name, message in exc.errors.items()
    ]
    return invalid(errors)


def _rollback() -> None:
    # Nothing half-done may be committed later in the request (the audit of the call is).
    try:
        get_session().rollback()
    except Exception:  # the session may be unusable; the teardown closes it
        log.warning("Could not roll back the request's session", exc_info=True)


def handle_problem(problem: Problem) -> Response:
    """A Problem raised in a view."""
    _rollback()
    return response(problem)


def handle_http(error: HTTPException) -> Response:
    """Werkzeug's errors (404, 405, 413 …) in the API's shape."""
    _rollback()
    status = error.code or 500
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() in ("allow", "www-authenticate", "retry-after")
    }
    detail = DETAILS.get(status) or TITLES.get(status) or "Error"
    if status == 400:
        detail = "The request cannot be read."
    return response(Problem(status if status in TITLES else 400, detail, headers=headers))


def handle_unexpected(error: Exception) -> Response:
    """Any other exception in an API view: logged with its traceback, answered as a 500."""
    _rollback()
    log.exception(
        "API request %s %s failed (key %s)",
        request.method,
        request.path,
        getattr(g.get("api_key"), "id", None),
    )
    return response(Problem(500))
