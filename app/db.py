"""Database engine, the per-request session and the `init-db` command."""

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g
from sqlalchemy import ARRAY, ColumnElement, Engine, ScalarSelect, any_, bindparam, event
from sqlmodel import Session, create_engine, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs that name no driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so a web and a worker can share it.

    Statement parameters are never put into error messages (hide_parameters): they hold
    phone numbers and message bodies, and errors end up in logs.
    """
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def claimable(session: Session, query: SelectOfScalar, of: Any = None) -> ScalarSelect:
    """The keys `query` selects, for an UPDATE that claims them (`WHERE id IN (…)`).

    On PostgreSQL each row is locked, rows another process holds are skipped, and the
    sub-select is a MATERIALIZED common table expression: left inline, the planner may run
    it again for each row it joins (a nested-loop semi-join), and each run skips the rows
    the last one just claimed – one claim took 120 rows where it asked for 6. SQLite has one
    writer at a time and needs none of it."""
    if session.get_bind().dialect.name != "postgresql":
        return query.scalar_subquery()
    locked = query.with_for_update(skip_locked=True, of=of).cte("claimable")
    locked = locked.prefix_with("MATERIALIZED")
    return select(locked.c[0]).scalar_subquery()


_MEMO = "tydligt.memo"


def remembered(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """What `compute()` gives, read once per transaction of `session`: for a read a request
    asks several times about what it does not change (which unit a number reaches). A new
    transaction (after a commit or a rollback) reads afresh."""
    memo: tuple[Any, dict[Hashable, Any]] | None = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction() and key in memo[1]:
        return memo[1][key]
    value = compute()
    transaction = session.get_transaction()
    if transaction is not None:
        if memo is None or memo[0] is not transaction:
            memo = (transaction, {})
            session.info[_MEMO] = memo
        memo[1][key] = value
    return value


_HELD = "tydligt.held"


@event.listens_for(Session, "loaded_as_persistent")
def _hold(session: Session, instance: Any) -> None:
    held = session.info.get(_HELD)
    if held is not None:
        held.append(instance)


@contextmanager
def holding(session: Session) -> Iterator[None]:
    """Keep every record `session` loads in the block until the block ends. The session's
    identity map holds records only while something else does, so a record read twice in
    one short piece of work (a unit, a case worker) would be read from the database twice;
    held, `session.get()` answers the second time without a query."""
    outer = session.info.get(_HELD)
    session.info[_HELD] = [] if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            session.info.pop(_HELD, None)


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL as one array parameter (`= ANY(...)`). psycopg
    keeps a statement parsed only while it has at most 50 parameters and 4 kB, so a batch's
    200 ids as 200 parameters made every read of a batch a statement parsed afresh."""
    wanted = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, wanted, type_=ARRAY(column.type)))
    return column.in_(wanted)


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["tydligt.engine"]


def get_session() -> Session:
    """The session of this request or CLI context, created on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


@contextmanager
def session_scope() -> Iterator[Session]:
    """A separate session that commits on success and rolls back on error."""
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session at the end of the app context."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    """An Alembic configuration bound to the app's engine (no alembic.ini needed)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_database(engine: Engine) -> None:
    """Bring the schema up to date with the newest migration."""
    command.upgrade(alembic_config(engine), "head")


@click.command("init-db")
def init_db_command() -> None:
    """Create or migrate the database to the newest schema."""
    upgrade_database(get_engine())
    click.echo("Database is up to date.")


def init_app(app: Flask) -> None:
    """Create the engine, register teardown and the init-db command."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["tydligt.engine"] = make_engine(url)
    app.teardown_appcontext(close_session)
    app.cli.add_command(init_db_command)
