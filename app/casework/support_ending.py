"""Support ending meets a plan, not a date: how long before the end a client is told, by
which day to apply again so the support need not stop, and whether a new application is
assessed anew. Each service's values are in messages/catalog/services.toml; what a
service leaves out comes from SUPPORT_ENDING_NOTICE_DAYS and the defaults here."""

from datetime import date, timedelta

from flask import current_app

from app.casework import catalog
from app.casework.deadlines import is_working_day

# Days before the end by which to apply again, so a new decision can be made in time,
# when the service's catalog entry does not say (`apply_days_before`).
APPLY_DAYS_BEFORE = 14


def ending_notice_days(service: str) -> tuple[int, ...]:
    """How many days before a service's support ends the client is told, largest first:
    the service's own `ending_notice_days` in the catalog, else SUPPORT_ENDING_NOTICE_DAYS."""
    own = catalog.entries(catalog.configured_dir(), "services").get(service, {})
    days = own.get("ending_notice_days") or current_app.config["SUPPORT_ENDING_NOTICE_DAYS"]
    return tuple(sorted({int(d) for d in days}, reverse=True))


def apply_by(service: str, valid_to: date) -> date:
    """The last day to apply again so the support need not stop while a new decision is
    made: the service's `apply_days_before` in the catalog (else APPLY_DAYS_BEFORE), moved
    back to a working day, when the client can also call to apply."""
    own = catalog.entries(catalog.configured_dir(), "services").get(service, {})
    day = valid_to - timedelta(days=int(own.get("apply_days_before", APPLY_DAYS_BEFORE)))
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def assessed_again(service: str) -> bool:
    """Whether a new application for the service is assessed anew (LSS): the client should
    know that continuing is not automatic."""
    own = catalog.entries(catalog.configured_dir(), "services").get(service, {})
    return bool(own.get("assessed_again", False))
