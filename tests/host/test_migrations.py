"""The schema comes from Alembic alone, on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from host.db import make_engine
from host.db.migrate import alembic_config, downgrade, upgrade
from host.db.models import Base

# Every table the models declare; the migrations alone must create exactly these.
TABLES = set(Base.metadata.tables)


def test_upgrade_from_empty_then_down_and_up(db_url):
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == set()
        upgrade(engine=engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head
            # the migrations produce exactly what the models declare
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        downgrade(engine=engine)
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        upgrade(engine=engine)
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_sqlite_connections_are_wal_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=4321)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
    engine.dispose()
