"""Fixtures: an app on SQLite (default) or on a PostgreSQL server the suite starts itself.

TYDLIGT_TEST_DATABASE=postgresql runs the same suite on PostgreSQL (make test does both).
"""

import gc
import os
import shutil
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, event
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.util import LRUCache
from sqlmodel import Session, SQLModel

from app import create_app
from app.db import make_engine, upgrade_database
from tests.factories import FAST_HASH
from tests.oidc import oidc, oidc_provider  # noqa: F401 - one provider for the whole session
from tests.pg_server import PostgresServer

BACKEND = os.environ.get("TYDLIGT_TEST_DATABASE", "sqlite")

# The garbage collector, tuned for a process that builds an app (tens of thousands of
# objects, many in cycles) for each of thousands of tests: with Python's default of a
# collection every 700 allocations, the collector took about half of the suite's time.
# Collecting the young every 50,000 allocations still frees each test's app soon after it.
gc.set_threshold(50_000, 20, 10)


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers the fixtures here read (the suite runs with --strict-markers)."""
    config.addinivalue_line(
        "markers", "frozen_at(moment): the clock stands still at this moment (see frozen_clock)"
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Set aside what lives as long as the session (modules, collected tests), so that the
    collector never looks at it again."""
    gc.collect()
    gc.freeze()


# Statements compiled once for the whole run, as an app compiles them once for its life.
#
# SQLAlchemy keeps each engine's compiled statements keyed by the engine's dialect, and a
# dialect compares by identity: every test has new engines (its own app), so every test
# compiled every statement it ran again (a sixth of the suite's time), and the mappers'
# caches (Mapper._compiled_cache) kept each dead test engine's statements alive for the
# garbage collector to walk. Here dialects of one kind and parameter style are equal, and
# every engine shares one cache: what one test compiled, the next uses. Every engine of a
# run is made by app.db.make_engine for one backend (one server), so the SQL is the same.
_SHARED_COMPILED = LRUCache(20_000)


def _dialect_key(dialect: DefaultDialect) -> tuple:
    return (type(dialect), dialect.paramstyle, dialect.positional)


DefaultDialect.__eq__ = lambda self, other: (  # type: ignore[method-assign,assignment]
    isinstance(other, DefaultDialect) and _dialect_key(self) == _dialect_key(other)
)
DefaultDialect.__hash__ = lambda self: hash(type(self))  # type: ignore[method-assign,assignment]


@event.listens_for(Engine, "engine_connect")
def _share_compiled_statements(connection) -> None:
    connection.engine._compiled_cache = _SHARED_COMPILED


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, _record) -> None:
    """SQLite in tests does not wait for the disk at each commit, as the test PostgreSQL
    server runs with fsync=off (tests/pg_server.py): no test is about surviving a power
    cut, and each commit waited for the disk (about 2 ms, 8 ms at each close)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(autouse=True)
def frozen_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller | None]:
    """The clock stopped at the moment of the test's `frozen_at` marker, or real time without one.

    A module freezes every test of its own with `pytestmark = pytest.mark.frozen_at(NOW)`; a
    test that moves the clock asks for this fixture and calls `move_to` or `shift` on it.
    Autouse, so that the clock stops before any other fixture makes records.
    """
    marker = request.node.get_closest_marker("frozen_at")
    if marker is None:
        yield None
        return
    with time_machine.travel(marker.args[0], tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Iterator[str]:
    """A migrated database: a file to copy (SQLite) or a server's URL (PostgreSQL)."""
    if BACKEND == "postgresql":
        server = PostgresServer()
        url = server.start()
        engine = make_engine(url)
        upgrade_database(engine)
        _EMPTYING[url] = engine  # kept for emptying it before each test
        yield url
        _EMPTYING.pop(url).dispose()
        server.stop()
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade_database(engine)
        engine.dispose()
        yield str(path)


# The engine that empties each PostgreSQL database, one per server: a new engine and its
# connection took longer than the emptying itself.
_EMPTYING: dict[str, Engine] = {}


@cache
def _emptying() -> str:
    """Delete every row, dependents first, then start each sequence a test drew from at its
    first value again (setval is a function call; ALTER SEQUENCE ... RESTART rewrote every
    sequence, most of the time emptying took)."""
    deletes = [f'DELETE FROM "{t.name}"' for t in reversed(SQLModel.metadata.sorted_tables)]
    restarts = (
        "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass,"
        " start_value, false) FROM pg_sequences"
        " WHERE schemaname = 'public' AND last_value IS NOT NULL"
    )
    return "; ".join([*deletes, restarts])


def _empty_postgres(url: str) -> None:
    """Empty every table and restart every id, in one round trip. DELETE is several times
    faster than TRUNCATE on tables this small (TRUNCATE makes new files)."""
    with _EMPTYING[url].begin() as connection:
        connection.exec_driver_sql(_emptying())


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    """A migrated, empty database for one test."""
    if BACKEND == "postgresql":
        _empty_postgres(database_template)
        return database_template
    path = tmp_path / "test.sqlite3"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> dict:
    """Test configuration: console transport into a temporary file, never a network."""
    return {
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": tmp_path / "instance",
        "CONSOLE_OUTBOX_FILE": str(tmp_path / "outbox.jsonl"),
        "SMS_TRANSPORT": "console",
        "TWILIO_ACCOUNT_SID": "ACtest-you-forgot-to-fake-the-http-client",
        "TWILIO_AUTH_TOKEN": "test-auth-token",
        "PUBLIC_BASE_URL": "https://tydligt.ekby.example",
        "TESTING": True,
        # Passwords and PINs hashed fast: scrypt takes 0.1 s a time, thousands of times.
        "SECRET_HASH_METHOD": FAST_HASH,
    }


@pytest.fixture
def app(config: dict):
    """The app, inside an app context."""
    application = create_app(config)
    with application.app_context():
        yield application
    application.extensions["tydligt.engine"].dispose()


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A database session for arranging and checking records."""
    with Session(app.extensions["tydligt.engine"], expire_on_commit=False) as s:
        yield s


@pytest.fixture
def outbox_file(config: dict) -> Path:
    """Where the console transport writes."""
    return Path(config["CONSOLE_OUTBOX_FILE"])
