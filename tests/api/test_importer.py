"""`flask import FILE`: a first caseload from CSV or JSON, every bad row reported with its
line and column, and saved all at once or not at all."""

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from app.models import Appointment, AuditEvent, Client, OutboxMessage

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

HEADER = (
    "source_id;first_name;last_name;phone;language;channel;privacy;picture_support;"
    "caseworker_email;consent_method;consent_date;appointment_source_id;"
    "appointment_starts_at;appointment_location;appointment_bring"
)
GOOD = [
    "C-1;Sara;Lind;070-000 00 01;sv;sms;full;ja;lina.berg@ekby.example;written;2026-02-20;"
    "A-1;2026-03-10 14:00;Storgatan 12, Ekby;hyresavi|kontoutdrag",
    "C-2;Amina;Yusuf;+46700000002;so;both;discreet;nej;;verbal;;;;;",
    "C-3;Jon;;0700000003;en;;;;;;;;;;",
]

pytestmark = [pytest.mark.frozen_at(NOW), pytest.mark.usefixtures("caseworker")]


def write_csv(tmp_path, lines: list[str], name: str = "caseload.csv"):
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([HEADER, *lines]) + "\n", encoding="utf-8")  # Excel's BOM
    return path


def count(session, model) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def run(runner, path, *options):
    return runner.invoke(args=["import", str(path), "--key-name", "Lifecare", *options])


def test_a_caseload_is_imported_with_appointments_and_welcomes(
    session, runner, tmp_path, write_key
):
    result = run(runner, write_csv(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert "3 clients created, 1 appointments booked" in result.output
    clients = {c.source_id: c for c in session.exec(select(Client))}
    sara = clients["C-1"]
    assert (sara.phone, sara.picture_support, sara.source_system) == (
        "+46700000001",
        True,
        "Lifecare",
    )
    assert sara.consent_at.date().isoformat() == "2026-02-20"
    assert (clients["C-2"].privacy, clients["C-2"].channel) == ("discreet", "both")
    assert clients["C-3"].consent_at is None
    meeting = session.exec(select(Appointment)).one()
    assert meeting.starts_at == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 14.00 in Stockholm
    assert meeting.bring_keys == ["hyresavi", "kontoutdrag"] and meeting.source_id == "A-1"
    kinds = [
        m.kind
        for m in session.exec(
            select(OutboxMessage).where(OutboxMessage.representative_id.is_(None))
        )
    ]
    assert kinds.count("welcome") == 2 and "appointment_reminder" in kinds
    actors = {e.actor_name for e in session.exec(select(AuditEvent))}
    assert actors == {"import caseload.csv"}


def test_importing_again_updates_and_creates_nothing_twice(session, runner, tmp_path, write_key):
    path = write_csv(tmp_path, GOOD)
    run(runner, path)
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "3 clients updated, 1 appointments updated" in result.output
    assert count(session, Client) == 3 and count(session, Appointment) == 1


def test_a_dry_run_reports_every_bad_row_and_saves_nothing(session, runner, tmp_path, write_key):
    lines = GOOD + [
        "C-4;;Ek;12345;xx;fax;;kanske;nobody@ekby.example;;;;;;",
        "C-1;Sara;Igen;0700000009;sv;;;;;;;;;;",
        "C 6;Ali;;0700000001;sv;;;;;;;A-9;2020-01-01 10:00;;",
    ]
    result = run(runner, write_csv(tmp_path, lines), "--dry-run")
    assert result.exit_code == 1
    output = result.output
    for expected in (
        "line 5, first_name: Fill this in.",
        "line 5, channel:",
        "line 5, picture_support:",
        "line 6, source_id: The same as on line 2.",
        "line 7, source_id: Use 1 to 120",
        "line 7, phone: The same as on line 2.",
    ):
        assert expected in output, output
    assert "line 2," not in output and "line 3," not in output
    assert "client_source_id" not in output
    assert "nothing was saved" in output
    assert count(session, Client) == 0 and count(session, OutboxMessage) == 0


def test_domain_errors_are_found_in_a_dry_run_too(session, runner, tmp_path, write_key):
    lines = ["C-1;Sara;Lind;12345;xx;;;;nobody@ekby.example;;2099-01-01;;;;"]
    result = run(runner, write_csv(tmp_path, lines), "--dry-run")
    assert result.exit_code == 1
    assert "line 2, consent_date: Give consent_method with consent_date." in result.output
    lines = ["C-1;Sara;Lind;12345;xx;;;;nobody@ekby.example;;;A-1;2026-03-01 10:00;Storgatan 1;"]
    result = run(runner, write_csv(tmp_path, lines), "--dry-run")
    assert "line 2, caseworker_email: No active staff member" in result.output
    lines = ["C-1;Sara;Lind;12345;xx;;;;;;;A-1;2026-03-01 10:00;Storgatan 1;"]
    result = run(runner, write_csv(tmp_path, lines), "--dry-run")
    assert "line 2, phone: This is not a phone number" in result.output
    assert "line 2, language: Choose a supported language." in result.output


def test_a_clean_dry_run_says_so_and_saves_nothing(session, runner, tmp_path, write_key):
    result = run(runner, write_csv(tmp_path, GOOD), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: every row is fine (3 clients checked, 1 appointments checked)" in result.output
    assert count(session, Client) == 0


def test_one_bad_row_saves_nothing_at_all(session, runner, tmp_path, write_key):
    result = run(
        runner,
        write_csv(
            tmp_path, GOOD + ["C-9;Bo;;0700000009;sv;;;;;;;A-9;2020-01-01 10:00;Storgatan 1;"]
        ),
    )
    assert result.exit_code == 1
    assert "line 5, appointment_starts_at: The meeting must be in the future." in result.output
    assert count(session, Client) == 0 and count(session, OutboxMessage) == 0


def test_a_json_file_takes_the_api_s_shapes(session, runner, tmp_path, write_key):
    path = tmp_path / "caseload.json"
    path.write_text(
        json.dumps(
            [
                {
                    "source_id": "C-1",
                    "first_name": "Sara",
                    "phone": "0700000001",
                    "consent_method": "verbal",
                    "appointment": {
                        "source_id": "A-1",
                        "starts_at": "2026-03-10T14:00:00+01:00",
                        "location": "Storgatan 12, Ekby",
                    },
                },
                {
                    "source_id": "C-2",
                    "first_name": "Amina",
                    "phone": "0700000002",
                    "picture_support": "yes",
                },
                "not a client",
            ]
        )
    )
    result = run(runner, path, "--dry-run")
    assert result.exit_code == 1
    assert "item 2, picture_support: Input should be a valid boolean" in result.output
    assert "item 3, row: Give the client as an object." in result.output
    data = json.loads(path.read_text())[:1]
    path.write_text(json.dumps({"clients": data}))
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert count(session, Appointment) == 1


def test_without_a_key_the_unit_is_named(session, runner, tmp_path, unit, caseworker):
    path = write_csv(tmp_path, GOOD[:1])
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "--key-name" in result.output
    result = runner.invoke(args=["import", str(path), "--unit", unit.name])
    assert result.exit_code == 0, result.output
    assert session.exec(select(Client)).one().source_system == "import"
    result = runner.invoke(args=["import", str(path), "--key-name", "Viva"])
    assert "No working API key is named 'Viva'" in result.output


def test_an_unknown_column_or_file_type_is_refused(runner, tmp_path, write_key):
    path = tmp_path / "caseload.csv"
    path.write_text("source_id,first_name,phone,personnummer\nC-1,Sara,0700000001,x\n")
    result = run(runner, path)
    assert result.exit_code != 0 and "Unknown columns: personnummer" in result.output
    other = tmp_path / "caseload.xlsx"
    other.write_text("x")
    assert "Give a .csv or a .json file." in run(runner, other).output
