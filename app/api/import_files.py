"""Reading a caseload file for `flask import`: CSV (comma or semicolon, as Excel writes it
in Sweden) or JSON, into rows of client fields and an optional appointment."""

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import click

CLIENT_COLUMNS = ("source_id", "first_name", "last_name", "phone", "language", "channel",
                  "privacy", "picture_support", "caseworker_email", "consent_method",
                  "consent_date")  # fmt: skip
APPOINTMENT_COLUMNS = ("source_id", "starts_at", "duration_minutes", "mode", "location",
                       "purpose", "bring", "staff_email")  # fmt: skip
YES = {"ja": "true", "nej": "false", "j": "true", "n": "false"}


@dataclass
class Row:
    """One client of the file, where it is, and what is wrong with it."""

    where: str  # "line 3" (CSV) or "item 3" (JSON)
    data: dict
    appointment: dict | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)


def csv_rows(text: str) -> list[Row]:
    """The rows of a CSV text: client cells, and appointment_* cells as the appointment."""
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # Excel in Sweden
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = set(CLIENT_COLUMNS) | {f"appointment_{c}" for c in APPOINTMENT_COLUMNS}
    unknown = [c for c in reader.fieldnames or [] if c and c.strip() not in columns]
    if unknown:
        raise click.ClickException(f"Unknown columns: {', '.join(unknown)}.")
    rows = []
    for record in reader:
        cells = {k.strip(): (v or "").strip() for k, v in record.items() if k and k.strip()}
        data = {k: v for k, v in cells.items() if k in CLIENT_COLUMNS and v}
        if "picture_support" in data:
            data["picture_support"] = YES.get(
                data["picture_support"].lower(), data["picture_support"]
            )
        meeting = {
            k.removeprefix("appointment_"): v
            for k, v in cells.items()
            if k.startswith("appointment_") and v
        }
        if "bring" in meeting:
            meeting["bring"] = [
                d.strip() for d in meeting["bring"].replace("|", ",").split(",") if d.strip()
            ]
        rows.append(Row(f"line {reader.line_num}", data, meeting or None))
    return rows


def json_rows(text: str) -> list[Row]:
    """The rows of a JSON text: a list of clients, or {"clients": [...]}."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"The file is not valid JSON: {exc}.") from None
    if isinstance(items, dict):
        items = items.get("clients")
    if not isinstance(items, list):
        raise click.ClickException('Give a list of clients, or {"clients": [...]}.')
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(
                Row(f"item {number}", {}, errors=[("row", "Give the client as an object.")])
            )
            continue
        item = dict(item)
        meeting = item.pop("appointment", None)
        rows.append(Row(f"item {number}", item, meeting))
    return rows


def read_rows(path: Path) -> list[Row]:
    """The rows of a .csv or .json file."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        return json_rows(text)
    if path.suffix.lower() == ".csv":
        return csv_rows(text)
    raise click.ClickException("Give a .csv or a .json file.")
