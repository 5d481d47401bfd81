"""The integration API at /api/v1/: case-management systems (Lifecare, Treserva, Viva,
Procapita …) write clients and their records, and poll what was sent and received.

Every write goes through the same domain functions as the admin page, so it plans the
same messages. See the README's "Integration API" section and /api/v1/openapi.json.
"""

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from app.api import problems
from app.api.operations import bp

API_PREFIX = "/api/"


def _outside_views(error: HTTPException):
    """404 and 405 for /api/ paths no route matched, in the API's shape; others untouched."""
    if request.path.startswith(API_PREFIX) and request.blueprint is None:
        return problems.handle_http(error)
    return error


def init_app(app: Flask) -> None:
    """Register the API, its error answers and the `import` command."""
    from app.api import (  # noqa: F401 - each module adds its operations to bp
        applications,
        appointments,
        auth,
        catalog,
        checklists,
        clients,
        decisions,
        feeds,
        handovers,
        importer,
        openapi,
        representatives,
        sign_language,
        subscriptions,
        support_offers,
    )

    app.register_blueprint(bp)
    for status in (404, 405):  # what routing answers before any API view is found
        app.register_error_handler(status, _outside_views)
    app.cli.add_command(importer.import_command)
