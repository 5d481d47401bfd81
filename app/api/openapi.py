"""The OpenAPI 3.1 document at /api/v1/openapi.json, built from the declared operations
(app/api/operations.py) and the pydantic models the API validates with."""

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.api import idempotency, problems, rate_limits, subscriptions
from app.api.operations import OPERATIONS, Operation, json_response, operation
from app.api.schemas import SOURCE_ID_PATTERN, ProblemDetails

REF = "#/components/schemas/{model}"
VERSION = "1.0.0"
DESCRIPTION = """\
Case-management systems write clients and their records to Tydligt, and poll what was
sent and received. Every write plans the same messages as the staff admin page.

- **Keys**: `Authorization: Bearer <key>`. An administrator makes keys on the admin page
  (API keys), each for one connected system and one unit, with the scope `read` or
  `read,write`. A key sees and writes only its unit's clients. Each operation names the
  scope it needs (`x-scope`): webhook subscriptions need only `read`.
- **Ids**: records are named by your system's own id in the path (`source_id`); the
  answers also give Tydligt's `id`.
- **Idempotency**: send `Idempotency-Key` on writes. A retry with the same key and the
  same request gets the first answer again (`Idempotent-Replayed: true`) and changes
  nothing; the same key with another request is a 422. Answers are kept 24 hours.
- **Errors**: `application/problem+json` (RFC 9457), with `errors[]` naming each field
  (`in`, `path` as a JSON Pointer into the body, `detail`).
- **Feeds**: `/outbox`, `/inbound` and `/callbacks` return `{items, next, has_more}`;
  pass `next` as `after` to get only what is new.
- **Closed clients**: a client closed as no longer a client (by you, POST
  `/clients/{source_id}/close`, or by staff) has `closed_at` set on GET; every write
  about them answers 409 (`urn:tydligt:problem:conflict`) until reopened. When the
  retention periods have run from `closed_at`, everything about them is deleted and GET
  answers 404: a 404 for a client you know means they were deleted.
- **Rate limits**: each key may make 3,000 requests a minute unless an administrator set
  another number for it (shown with the key on the admin page). The minute is a calendar
  minute (UTC), counted across all of Tydligt's servers. Every answer to a call with a
  working key says `RateLimit-Limit` (requests a minute), `RateLimit-Remaining` (left in
  this minute) and `RateLimit-Reset` (seconds until the next minute). Over the limit the
  answer is 429 with `Retry-After` (seconds): nothing was done, send the request again then.
- **Webhooks**: instead of polling, register an https address and the events you want
  (`POST /subscriptions`): Tydligt's worker pushes each event as JSON, signed as Standard
  Webhooks asks (headers `webhook-id`, `webhook-timestamp`, `webhook-signature`), with ids
  and statuses only, never words or phone numbers. The events and the signing are under
  `webhooks` in this document.
"""

# Which problems an operation can answer with, and why.
ERRORS = {
    400: "The body is not valid JSON",
    401: "No key, an unknown key, or a revoked key",
    403: "The key lacks the scope this needs",
    404: "Your unit has no such record",
    409: "A request with the same Idempotency-Key is still running, or another request "
    "changed the same record at the same moment: try again. Or (type "
    "`urn:tydligt:problem:conflict`) the client was closed as no longer a client: nothing "
    "about them is written until they are reopened",
    413: "The body is larger than 256 KB",
    415: "The body is not sent as application/json",
    422: "Some fields are not right: `errors` names each",
    429: "The key made more requests this minute than its limit: nothing was done; wait "
    "`Retry-After` seconds and send it again",
    500: "An error on Tydligt's side: nothing was saved",
}


def _error_statuses(op: Operation) -> list[int]:
    statuses = {401, 429, 500}
    if op.writes:
        statuses |= {403, 409, 422}
    if op.body is not None:
        statuses |= {400, 413, 415, 422}
    if op.path_params:
        statuses |= {404, 422}
    if op.query is not None:
        statuses |= {422}
    return sorted(statuses)


def _integer_header(description: str) -> dict:
    return {"description": description, "schema": {"type": "integer", "minimum": 0}}


RATE_LIMIT_HEADERS = {
    rate_limits.LIMIT_HEADER: _integer_header("Requests the key may make a minute"),
    rate_limits.REMAINING_HEADER: _integer_header("Requests the key has left this minute"),
    rate_limits.RESET_HEADER: _integer_header("Seconds until the next minute starts"),
}
RETRY_AFTER_HEADER = {"Retry-After": _integer_header("Seconds to wait before trying again")}


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ProblemDetails, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        for model, _text in op.responses.values():
            if model is not None:
                wanted.append((model, "serialization"))
    return list(dict.fromkeys(wanted))


def _parameters(op: Operation) -> list[dict]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": "Your system's own id of the record",
            "schema": {"type": "string", "pattern": SOURCE_ID_PATTERN, "maxLength": 120},
        }
        for name in op.path_params
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        for name, field in schema["properties"].items():
            field = dict(field)
            description = field.pop("description", "")
            field.pop("title", None)
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": description,
                    "schema": field,
                }  # fmt: skip
            )
    if op.writes:
        parameters.append(
            {
                "name": idempotency.HEADER,
                "in": "header",
                "required": False,
                "description": "Any unique value per request (a UUID); a retry sends the same",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200,
                    "pattern": "^[\\x21-\\x7e]+$",
                },  # fmt: skip
            }
        )
    return parameters


def _operation(op: Operation, refs: dict) -> dict:
    problem = {problems.MEDIA_TYPE: {"schema": refs[(ProblemDetails, "serialization")]}}
    responses = {}
    for status, (model, text) in sorted(op.responses.items()):
        schema = refs[(model, "serialization")] if model is not None else {"type": "object"}
        responses[str(status)] = {
            "description": text,
            "content": {"application/json": {"schema": schema}},
        }
    if op.scope is not None:
        for status in _error_statuses(op):
            responses[str(status)] = {"description": ERRORS[status], "content": problem}
        # Every answer to a call with a working key says its rate limit (a 401 has none).
        for code, answer in responses.items():
            if code != "401":
                answer["headers"] = RATE_LIMIT_HEADERS | (
                    RETRY_AFTER_HEADER if code == "429" else {}
                )
    result = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": op.summary,
        "description": " ".join(op.description.split()),
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": responses,
        "security": [{"bearerAuth": []}] if op.scope is not None else [],
    }
    if op.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    if op.scope is not None:
        result["x-scope"] = op.scope
    return result


def document(base_url: str) -> dict:
    """The whole OpenAPI document, with the server at `base_url` + /api/v1."""
    refs, definitions = models_json_schema(_models(), ref_template=REF)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tydligt integration API",
            "version": VERSION,
            "description": DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": base_url.rstrip("/") + "/api/v1"}],
        "paths": paths,
        "webhooks": subscriptions.openapi_webhooks(),
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key from the admin page: `Authorization: Bearer tyd_…`",
                }
            },
        },
    }


_cache: dict[str, dict] = {}


@operation(
    "GET",
    "/openapi.json",
    summary="This document",
    tag="Meta",
    scope=None,
    responses={200: (None, "The OpenAPI 3.1 document")},
)
def openapi_document():
    """The OpenAPI 3.1 document of this API (no key needed)."""
    base_url = current_app.config["PUBLIC_BASE_URL"]
    if base_url not in _cache:  # the operations are fixed once the app is built
        _cache[base_url] = document(base_url)
    return json_response(_cache[base_url])
