"""Run the Alembic migrations in host/db/migrations without an alembic.ini.

upgrade("sqlite:///var/visitproof.db")          # what `visitproof db upgrade` does
.venv/bin/alembic -c host/alembic.ini revision --autogenerate -m "..."   # new revision
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None, engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine  # env.py uses it (keeps the SQLite hooks)
    return cfg


def upgrade(url: str | None = None, revision: str = "head", engine: Engine | None = None) -> None:
    command.upgrade(alembic_config(url, engine), revision)


def downgrade(url: str | None = None, revision: str = "base", engine: Engine | None = None) -> None:
    command.downgrade(alembic_config(url, engine), revision)


def current(url: str | None = None, engine: Engine | None = None) -> None:
    command.current(alembic_config(url, engine), verbose=True)
