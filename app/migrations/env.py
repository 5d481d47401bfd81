"""Alembic environment: runs against the engine the app hands over (see app/db.py)."""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table on SQLModel.metadata

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    """Run migrations on the app's engine; batch mode lets SQLite alter tables."""
    engine = config.attributes.get("engine")
    if engine is None:  # run from the alembic command line: use the app's configuration
        from app import create_app

        engine = create_app().extensions["tydligt.engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
