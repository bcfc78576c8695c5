"""Database access: one SQLAlchemy engine per app, one session per request.

- `make_engine(url)` builds an engine for SQLite (WAL, foreign keys, busy timeout) or
  PostgreSQL (`postgresql+psycopg://...`). Usable without Flask (CLI, workers, tests).
- `init_app(app)` binds an engine to the app; `get_session()` gives the request's session
  (closed at teardown). Service functions take a session argument, never Flask globals.
- `write_transaction(session)` starts the session's transaction as a writer: on SQLite
  `BEGIN IMMEDIATE` (take the write lock first, so two writers queue instead of failing on
  a stale snapshot); on PostgreSQL a normal BEGIN (lock rows with SELECT ... FOR UPDATE).
- The schema comes only from Alembic migrations: `upgrade(url)` (host.db.migrate).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_EXT = "visitproof_db"
_IMMEDIATE = "vp_sqlite_immediate"  # execution option read by the SQLite "begin" hook


def _sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling is off (isolation_level=None) and we emit BEGIN
    # ourselves, as SQLAlchemy's docs recommend; this is what makes BEGIN IMMEDIATE possible.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, busy_timeout_ms: int = 10000, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _sqlite_hooks(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(session_or_engine: Session | Engine) -> bool:
    bind = (
        session_or_engine.get_bind()
        if isinstance(session_or_engine, Session)
        else session_or_engine
    )
    return bind.dialect.name == "sqlite"


def write_transaction(session: Session) -> None:
    """Begin the session's transaction as a writer (call before the first query)."""
    session.connection(execution_options={_IMMEDIATE: True})


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str, busy_timeout_ms: int = 10000) -> Database:
        engine = make_engine(url, busy_timeout_ms)
        return cls(engine, sessionmaker(engine, expire_on_commit=False))


def init_app(app: Flask) -> Database:
    db = Database.from_url(app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions[_EXT] = db

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("vp_session", None)
        if session is not None:
            session.close()

    return db


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[_EXT]


def get_session() -> Session:
    """The session of the current app context (request or CLI command)."""
    if "vp_session" not in g:
        g.vp_session = get_db().sessions()
    return g.vp_session
