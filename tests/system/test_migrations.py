"""The migrations create exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel


def test_migrations_match_the_models(app):
    engine = app.extensions["tydligt.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], "Run `make migration m=...` after changing app/models"


def test_init_db_is_safe_to_run_again(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
