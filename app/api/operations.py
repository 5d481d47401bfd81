"""One decorator declares an API operation: its route, the scope it needs, the model its
body must match and the models it answers with. The same declaration registers the Flask
route, validates the request and builds the OpenAPI document, so the three cannot drift.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from app.api import problems
from app.api.problems import field_error
from app.api.schemas import SOURCE_ID_PATTERN, Input
from app.models import ApiScope

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(problems.Problem, problems.handle_problem)
bp.register_error_handler(HTTPException, problems.handle_http)
bp.register_error_handler(Exception, problems.handle_unexpected)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BY_METHOD = "by method"  # `operation`'s default scope: write for write methods, else read
_SOURCE_ID = re.compile(SOURCE_ID_PATTERN.removesuffix("$") + r"\Z")


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one route."""

    method: str
    path: str  # in OpenAPI form: /clients/{source_id}
    endpoint: str
    summary: str
    description: str
    tag: str
    scope: str | None  # None: public (the OpenAPI document itself)
    body: type[Input] | None
    responses: dict[int, tuple[type[BaseModel] | None, str]]
    query: type[BaseModel] | None = None
    path_params: tuple[str, ...] = field(default=())

    @property
    def writes(self) -> bool:
        """Whether it changes something (and so takes an Idempotency-Key)."""
        return self.method in WRITE_METHODS


OPERATIONS: list[Operation] = []


def json_response(model: BaseModel | dict, status: int = 200) -> Response:
    """A model (or a plain dict) as a JSON response."""
    if isinstance(model, BaseModel):
        text = model.model_dump_json(by_alias=True)
    else:
        text = json.dumps(model, ensure_ascii=False)
    return Response(text, status, mimetype="application/json")


def _check_path(values: dict[str, str]) -> None:
    errors = [
        field_error(
            name,
            "Use 1 to 120 letters, digits and . _ : - (starting with a letter or digit).",
            "path",
        )  # fmt: skip
        for name, value in values.items()
        if name.endswith("source_id") and not _SOURCE_ID.match(value)
    ]
    if errors:
        raise problems.invalid(errors)


def _body(model: type[Input]) -> Input:
    try:
        return model.model_validate_json(request.get_data(cache=True) or b"")
    except ValidationError as exc:
        raise problems.from_validation(exc) from None


def _query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict(), strict=False)
    except ValidationError as exc:
        raise problems.from_validation(exc, where="query") from None


def operation(
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    responses: dict[int, tuple[type[BaseModel] | None, str]],
    body: type[Input] | None = None,
    query: type[BaseModel] | None = None,
    scope: str | None = BY_METHOD,
) -> Callable:
    """Declare an API operation. The view gets the path values, `body` (the validated
    model) and `query` when declared, and returns (model, status). By default a write
    method needs the write scope and any other the read scope; a route may name its own
    (None: public)."""

    def decorator(view: Callable) -> Callable:
        """Register the view as the declared operation."""
        path_params = tuple(re.findall(r"{(\w+)}", path))
        needs = scope
        if scope == BY_METHOD:
            needs = ApiScope.WRITE if method in WRITE_METHODS else ApiScope.READ
        op = Operation(
            method=method,
            path=path,
            endpoint=f"api.{view.__name__}",
            summary=summary,
            description=(view.__doc__ or "").strip(),
            tag=tag,
            scope=needs,
            body=body,
            responses=responses,
            query=query,
            path_params=path_params,
        )

        @wraps(view)
        def wrapped(**values):
            """Check path values, validate body and query, and answer with the model."""
            _check_path(values)
            if body is not None:
                values["body"] = _body(body)
            if query is not None:
                values["query"] = _query(query)
            result = view(**values)
            if isinstance(result, Response):
                return result
            model, status = result
            return json_response(model, status)

        OPERATIONS.append(op)
        bp.add_url_rule(re.sub(r"{(\w+)}", r"<\1>", path), view.__name__, wrapped, methods=[method])
        return wrapped

    return decorator


def operation_for(endpoint: str | None) -> Operation | None:
    """The declared operation of a Flask endpoint."""
    return next((op for op in OPERATIONS if op.endpoint == endpoint), None)
