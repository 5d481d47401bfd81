"""`flask --app app import FILE`: a first caseload from a CSV or JSON file, checked row by
row with the API's own models and the domain's rules, and saved all at once or not at all.

Each row is a client (and, optionally, their next appointment), written exactly as
`PUT /api/v1/clients/{source_id}` and `PUT /api/v1/appointments/{source_id}` write them.
The format is in the README ("Importing a first caseload").
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.api import problems
from app.api.appointments import put_appointment
from app.api.auth import Caller
from app.api.clients import FIELDS as CLIENT_FIELDS
from app.api.clients import put_client
from app.api.import_files import Row, read_rows
from app.api.problems import Problem
from app.api.schemas import SOURCE_ID_PATTERN, AppointmentIn, ClientIn
from app.db import get_engine
from app.errors import InvalidInput
from app.models import ApiKey, Unit, saved_id, utcnow
from app.outbox.planner import local_zone
from app.phone import InvalidPhoneNumber, normalise_phone

REQUIRED = ("source_id", "first_name", "phone")
APPOINTMENT_FIELDS = {"staff_id": "/staff_email", "client_id": "/client_source_id"}
ID_RULE = "Use 1 to 120 letters, digits and . _ : - (starting with a letter or digit)."


@dataclass
class Report:
    """What an import did (or would do)."""

    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        """Every problem found, as 'line 3, phone: …'."""
        return [
            f"{row.where}, {name}: {detail}" for row in self.rows for name, detail in row.errors
        ]


def _local(value):
    # A spreadsheet writes local time ("2026-03-10 14:00"): it is the unit's time zone.
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=local_zone()).isoformat()
    return value


def _validate(model, data: dict, prefix: str, from_csv: bool):
    """The row's part as the API's model, or its errors as (column, detail)."""
    try:
        if from_csv:
            return model.model_validate(data, strict=False), []
        return model.model_validate_json(json.dumps(data)), []
    except ValidationError as exc:
        found = problems.from_validation(exc).errors or []
        return None, [(_column(prefix, e["path"]), e["detail"]) for e in found]


def _column(prefix: str, path: str) -> str:
    name = path.strip("/").replace("/", ".")
    return f"{prefix}{name}" if name else (prefix.rstrip("_.") or "row")


def _valid_id(value) -> bool:
    return isinstance(value, str) and re.fullmatch(SOURCE_ID_PATTERN.strip("^$"), value) is not None


def _check_row(row: Row, from_csv: bool):
    """The row's client and appointment as the API takes them; errors go on the row."""
    prefix = "appointment_" if from_csv else "appointment."
    if row.errors:  # not even an object
        return None, None, None
    data = dict(row.data)
    source_id = data.pop("source_id", None)
    for name in REQUIRED:
        if not row.data.get(name):
            row.errors.append((name, "Fill this in."))
    if source_id is not None and not _valid_id(source_id):
        row.errors.append(("source_id", ID_RULE))
    client, errors = _validate(ClientIn, data, "", from_csv)
    row.errors += [e for e in errors if e[0] not in REQUIRED or e[0] in row.data]
    meeting = None
    if row.appointment is not None:
        values = dict(row.appointment)
        meeting_id = values.pop("source_id", None)
        if not meeting_id:
            row.errors.append((f"{prefix}source_id", "Fill this in."))
        elif not _valid_id(meeting_id):
            row.errors.append((f"{prefix}source_id", ID_RULE))
        values["client_source_id"] = source_id if _valid_id(source_id) else "x"  # named above
        values["starts_at"] = _local(values.get("starts_at"))
        meeting, errors = _validate(AppointmentIn, values, prefix, from_csv)
        row.errors += errors
        meeting = (meeting_id, meeting)
    return source_id, client, meeting


def _problem_errors(
    exc: InvalidInput | Problem, prefix: str, fields: dict
) -> list[tuple[str, str]]:
    problem = problems.from_domain(exc, fields) if isinstance(exc, InvalidInput) else exc
    if not problem.errors:  # a problem about the whole row, like an id another unit has
        return [(_column(prefix, ""), problem.detail)]
    return [(_column(prefix, e["path"]), e["detail"]) for e in problem.errors]


def _write(session: Session, who: Caller, row: Row, checked, counts: dict, from_csv: bool):
    source_id, client, meeting = checked
    now = utcnow()
    try:
        _saved, created = put_client(session, who, source_id, client, now)
    except (InvalidInput, Problem) as exc:
        row.errors += _problem_errors(exc, "", CLIENT_FIELDS)
        return
    counts["clients created" if created else "clients updated"] += 1
    if meeting is not None:
        prefix = "appointment_" if from_csv else "appointment."
        try:
            _booked, new = put_appointment(session, who, meeting[0], meeting[1], now)
        except (InvalidInput, Problem) as exc:
            row.errors += _problem_errors(exc, prefix, APPOINTMENT_FIELDS)
            return
        counts["appointments booked" if new else "appointments updated"] += 1


def _duplicates(rows: list[Row], checked: list) -> None:
    seen: dict[tuple[str, str], str] = {}
    for row, (source_id, client, meeting) in zip(rows, checked, strict=True):
        keys = [("source_id", source_id)]
        if client is not None:
            try:
                keys.append(("phone", normalise_phone(client.phone)))
            except InvalidPhoneNumber:
                pass
        if meeting is not None and meeting[0]:
            keys.append(("appointment source_id", meeting[0]))
        for name, value in keys:
            if value and (name, value) in seen:
                row.errors.append((name, f"The same as on {seen[(name, value)]}."))
            elif value:
                seen[(name, value)] = row.where


def run_import(path: Path, who: Caller, *, dry_run: bool) -> Report:
    """Check every row (each alone, then against the others); unless it is a dry run and
    if no row is wrong, save them all in one transaction."""
    rows = read_rows(path)
    from_csv = path.suffix.lower() == ".csv"
    checked = [_check_row(row, from_csv) for row in rows]
    _duplicates(rows, checked)
    counts = dict.fromkeys(("clients created", "clients updated", "appointments booked",
                            "appointments updated"), 0)  # fmt: skip
    for row, parts in zip(rows, checked, strict=True):
        if row.errors:
            continue
        with Session(get_engine(), expire_on_commit=False) as session:  # each row alone
            _write(session, who, row, parts, dict(counts), from_csv)
            session.rollback()
    report = Report(rows, counts)
    if dry_run or report.errors:
        for row, parts in zip(rows, checked, strict=True):
            if not row.errors:
                _count(counts, parts)
        return report
    with Session(get_engine(), expire_on_commit=False) as session:
        for row, parts in zip(rows, checked, strict=True):
            _write(session, who, row, parts, counts, from_csv)
        if report.errors:
            session.rollback()
            return report
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            rows[0].errors.append(
                ("file", "Someone changed the same records meanwhile; run again.")
            )
    return report


def _count(counts: dict, parts) -> None:
    counts["clients checked"] = counts.get("clients checked", 0) + 1
    if parts[2] is not None:
        counts["appointments checked"] = counts.get("appointments checked", 0) + 1


def _caller(session: Session, key_name: str | None, unit_name: str | None, path: Path) -> Caller:
    unit = None
    if unit_name:
        unit = session.exec(select(Unit).where(Unit.name == unit_name)).first()
        if unit is None:
            raise click.ClickException(f"No unit is called '{unit_name}'.")
    if key_name:
        query = select(ApiKey).where(ApiKey.name == key_name, col(ApiKey.revoked_at).is_(None))
        if unit is not None:
            query = query.where(ApiKey.unit_id == unit.id)
        units = {key.unit_id for key in session.exec(query)}
        if not units:
            raise click.ClickException(f"No working API key is named '{key_name}'.")
        if len(units) > 1:
            raise click.ClickException(
                f"Keys named '{key_name}' belong to several units: give --unit."
            )
        return Caller(unit_id=units.pop(), system=key_name, actor_type="system",
                      actor_name=f"import {path.name}")  # fmt: skip
    if unit is None:
        raise click.ClickException("Give --key-name (the connected system) or --unit.")
    return Caller(unit_id=saved_id(unit), system="import", actor_type="system",
                  actor_name=f"import {path.name}")  # fmt: skip


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; save nothing.")
@click.option("--key-name", help="The connected system (an API key's name): its unit and ids.")
@click.option("--unit", "unit_name", help="The unit's name (needed with no key, or to choose).")
def import_command(file: Path, dry_run: bool, key_name: str | None, unit_name: str | None) -> None:
    """Import a first caseload: clients (and their next appointment) from CSV or JSON."""
    with Session(get_engine()) as session:
        who = _caller(session, key_name, unit_name, file)
    report = run_import(file, who, dry_run=dry_run)
    for line in report.errors:
        click.echo(line, err=True)
    if report.errors:
        bad_rows = len({row.where for row in report.rows if row.errors})
        click.echo(
            f"{len(report.errors)} problems in {bad_rows} rows; nothing was saved.", err=True
        )
        raise SystemExit(1)
    done = ", ".join(f"{n} {what}" for what, n in report.counts.items() if n)
    if dry_run:
        click.echo(f"Dry run: every row is fine ({done or 'no rows'}); nothing was saved.")
    else:
        click.echo(f"Imported: {done or 'nothing'}.")
