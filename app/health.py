"""GET /healthz: the app answers and the database can be reached."""

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import get_session

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    """200 with {"status": "ok"} when the database answers, 503 otherwise."""
    try:
        get_session().scalars(text("SELECT 1")).one()
    except SQLAlchemyError as exc:
        log.error("Health check: database unreachable (%s)", type(exc).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
