"""The app factory (app/__init__.py): safe development defaults, and no database touched before
it is needed."""

from sqlalchemy import text

from app import create_app
from app.config import ReminderOffset


def test_factory_builds_an_app_with_safe_development_defaults(tmp_path, monkeypatch):
    for key in ("DATABASE_URL", "SMS_TRANSPORT", "SECRET_KEY", "TIMEZONE"):
        monkeypatch.delenv(key, raising=False)
    app = create_app({"INSTANCE_PATH": tmp_path})
    assert app.config["SMS_TRANSPORT"] == "console"
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'tydligt.sqlite3'}"
    assert app.config["CONSOLE_OUTBOX_FILE"] == str(tmp_path / "outbox.jsonl")
    assert app.config["TIMEZONE"] == "Europe/Stockholm"
    assert app.config["REMINDER_OFFSETS"] == (ReminderOffset(days=3), ReminderOffset(days=1))


def test_nothing_touches_the_database_at_import_or_creation(tmp_path):
    # Creating the app must not connect: an unreachable database does not stop start-up.
    app = create_app(
        {"INSTANCE_PATH": tmp_path, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert app.extensions["tydligt.engine"].pool.checkedout() == 0


def test_database_is_reachable_in_tests(session):
    assert session.exec(text("SELECT 1")).one() == (1,)
