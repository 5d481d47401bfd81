"""Settings: the unit's sender, numbers, hours, sending window and reminder offsets, and
the language review status. Run on a copy of locales/ (the real review.toml stays as it is)."""

import shutil
import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.config import PROJECT_ROOT
from app.models import AuditEvent, OutboxMessage, Unit
from app.outbox.planner import reminder_offsets
from tests.admin.conftest import post
from tests.factories import book_appointment, create_client

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MEETING = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)  # friday 20 march 14.00 in Stockholm

VALID = {
    "sender_name": "Ekby",
    "phone": "08-465 004 10",
    "phone_menu_number": "08-465 004 11",
    "address": "Torget 1, Ekby",
    "first_day": "mon",
    "last_day": "thu",
    "opens": "08:30",
    "closes": "11:00",
    "window_start": "09:00",
    "window_end": "19:00",
    "reminder_offsets": "2d, 3h",
    "handover_notice_days": "7",
}

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def locales(tmp_path):
    copy = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", copy)
    return copy


@pytest.fixture
def config(config, locales):
    """Every test here writes review status only to its own copy of locales/."""
    return config | {"LOCALES_DIR": str(locales)}


def stored_unit(session, unit) -> Unit:
    session.expire_all()
    return session.get(Unit, unit.id)


def audit(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    return list(session.exec(query.order_by(AuditEvent.id)))  # in the order made


def test_case_workers_may_not_see_or_change_settings(session, unit, as_caseworker):
    assert as_caseworker.get("/admin/settings").status_code == 403
    assert post(as_caseworker, "/admin/settings", VALID).status_code == 403
    assert stored_unit(session, unit).sender_name == "Ekby kommun"


def test_the_page_shows_what_is_stored(session, unit, as_admin):
    unit.sending_window = "08:00-20:00"
    session.add(unit)
    session.commit()
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="Ekby kommun"' in html
    assert 'value="08-465 004 00"' in html
    assert '<option value="mon" selected>' in html and '<option value="fri" selected>' in html
    assert 'value="09:00"' in html and 'value="12:00"' in html
    assert 'value="08:00"' in html and 'value="20:00"' in html
    assert "Reminders and other ordinary messages go out only between these times" in html
    assert "Meeting changed" in html  # urgent kinds go out at any time


def test_an_administrator_saves_valid_settings(session, unit, as_admin):
    response = post(as_admin, "/admin/settings", VALID)
    assert response.status_code == 302
    saved = stored_unit(session, unit)
    assert saved.sender_name == "Ekby"
    assert saved.phone == "+46846500410"
    assert saved.phone_menu_number == "+46846500411"
    assert saved.address == "Torget 1, Ekby"
    assert saved.office_hours == "mon-thu 08:30-11:00"
    assert saved.sending_window == "09:00-19:00"
    assert saved.reminder_offsets == "2d,3h"
    [event] = audit(session, "settings_changed")
    assert event.subject_type == "unit" and event.subject_id == unit.id
    assert "sender_name='Ekby'" in event.detail and "office_hours" in event.detail
    assert "+4684650041" not in event.detail  # numbers are named, not written out
    assert "The settings are saved." in as_admin.get("/admin/settings").get_data(as_text=True)


def test_saving_unchanged_settings_changes_and_audits_nothing(session, unit, as_admin):
    unchanged = VALID | {
        "sender_name": "Ekby kommun",
        "phone": "+46846500400",
        "phone_menu_number": "+46846500401",
        "address": "Storgatan 12, Ekby",
        "last_day": "fri",
        "opens": "09:00",
        "closes": "12:00",
        "window_start": "00:00",  # as the test unit has it (tests/factories.py)
        "window_end": "23:59",
        "reminder_offsets": "",
    }
    assert post(as_admin, "/admin/settings", unchanged).status_code == 302
    assert audit(session, "settings_changed") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sender_name", "Ekby kommun stöd", "Use at most 11 characters"),
        ("sender_name", "", "Fill this in."),
        ("sender_name", "112 112", "Use at least one letter."),
        ("phone", "12345", "This is not a phone number we can text."),
        ("phone", "", "This is not a phone number we can text."),
        ("phone_menu_number", "08-465", "This is not a phone number we can text."),
        ("first_day", "someday", "Choose one of the options."),
        ("last_day", "sun", None),  # mon-sun is fine: checked below with a wrong order
        ("opens", "25:00", "Give a time like 14:30."),
        ("closes", "08:00", "The phone must close after it opens."),
        ("window_start", "20:00", "The window must end later in the day than it starts."),
        ("window_end", "soon", "Give a time like 14:30."),
        ("reminder_offsets", "3 days", "Write it like 3d,1d"),
        ("reminder_offsets", "0d", "Write it like 3d,1d"),
    ],
)
def test_invalid_settings_show_errors_and_save_nothing(
    session, unit, as_admin, field, value, message
):
    response = post(as_admin, "/admin/settings", VALID | {field: value})
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please correct this:" in html
    assert message in html
    assert f'href="#field-{field}"' in html or field == "window_start"
    saved = stored_unit(session, unit)
    assert (saved.sender_name, saved.phone, saved.office_hours, saved.reminder_offsets) == (
        "Ekby kommun",
        "+46846500400",
        "mon-fri 09:00-12:00",
        "",
    )
    assert audit(session, "settings_changed") == []


def test_office_hours_must_run_from_an_earlier_to_a_later_day(session, unit, as_admin):
    response = post(as_admin, "/admin/settings", VALID | {"first_day": "fri", "last_day": "mon"})
    assert response.status_code == 422
    assert "The last day must come after the first day." in response.get_data(as_text=True)


def test_a_sender_name_with_swedish_letters_is_saved_with_a_warning(session, unit, as_admin):
    response = post(as_admin, "/admin/settings", VALID | {"sender_name": "Malmö stad"})
    assert response.status_code == 302
    assert stored_unit(session, unit).sender_name == "Malmö stad"
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert "Some phones cannot show å, ä, ö" in html


def test_the_unit_s_reminder_offsets_decide_which_reminders_are_planned(
    session, unit, caseworker, as_admin
):
    assert post(as_admin, "/admin/settings", VALID | {"reminder_offsets": "5d"}).status_code == 302
    session.expire_all()
    sara = create_client(session, staff=caseworker)
    book_appointment(session, sara, starts_at=MEETING, now=NOW)
    reminders = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "appointment_reminder")
    ).all()
    assert [m.due_at for m in reminders] == [MEETING - timedelta(days=5)]
    assert reminders[0].dedupe_key.endswith(":reminder:5d")


def test_without_its_own_offsets_a_unit_uses_the_standard(app, session, unit):
    assert reminder_offsets(session, unit.id) == app.config["REMINDER_OFFSETS"]
    unit.reminder_offsets = "nonsense"  # only by hand in the database
    session.add(unit)
    session.commit()
    assert reminder_offsets(session, unit.id) == app.config["REMINDER_OFFSETS"]


# Language review


def review_file(locales) -> dict:
    return tomllib.loads((locales / "review.toml").read_text("utf-8"))


def test_the_page_shows_each_language_s_translation_and_review(session, unit, as_admin):
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert "Reviewed by Tydligt team on" in html
    assert "not reviewed by a qualified translator" in html
    assert "100 % (" in html


@pytest.mark.parametrize(
    "values",
    [
        {"language": "ar", "reviewer": "Amal Hassan", "reviewed_on": "2026-03-01",
         "action": "review"},
        {"language": "en", "action": "draft"},
    ],
)  # fmt: skip
def test_a_unit_administrator_cannot_change_the_installation_wide_review(
    session, unit, as_admin, locales, values
):
    """The review status is one file for every unit: it is changed by `flask translate
    review` on the server, not by one unit's administrator."""
    before = (locales / "review.toml").read_text("utf-8")
    response = post(as_admin, "/admin/settings/languages", values)
    assert response.status_code in (404, 405)
    assert (locales / "review.toml").read_text("utf-8") == before
    assert audit(session, "settings_changed") == []


def test_the_page_shows_the_review_status_read_only(session, unit, as_admin):
    html = as_admin.get("/admin/settings").get_data(as_text=True)
    assert "/admin/settings/languages" not in html
    assert 'name="reviewer"' not in html
    assert "flask --app app translate review" in html
    assert "applies to every unit" in html
