"""Configuration from the environment (microblog's config.py habit), SQLite by default.

Keys of app.config set here (create_app's test_config overrides any of them):
  DATABASE_URL          SQLAlchemy URL; default sqlite:///<instance>/visitproof.db
                        (PostgreSQL: postgresql+psycopg://user@host/db)
  SECRET_KEY            env SECRET_KEY, else generated once into <instance>/secret_key
  VISITPROOF_TZ         display time zone of the console, default Asia/Shanghai
  VISITPROOF_TILE_URL   map tile URL template for the console, default "" (no tiles)
  MAX_CONTENT_LENGTH    request body limit for the whole app (env VISITPROOF_MAX_CONTENT_LENGTH,
                        default 16 MiB); the ingest API has its own 36088-byte limit
  AUTO_MIGRATE          run `alembic upgrade head` in create_app (env VISITPROOF_AUTO_MIGRATE=1)
  SQLITE_BUSY_TIMEOUT_MS  how long a SQLite writer waits for the lock, default 10000
The instance folder is env VISITPROOF_INSTANCE, default ./var (git-ignored).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_TZ = "Asia/Shanghai"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> str:
    return os.path.abspath(os.environ.get("VISITPROOF_INSTANCE") or "var")


def default_database_url(instance: str) -> str:
    return "sqlite:///" + os.path.join(instance, "visitproof.db")


def from_env(instance: str) -> dict:
    """Config values read from the environment; SECRET_KEY is resolved later (may need a file)."""
    env = os.environ
    return {
        "DATABASE_URL": env.get("DATABASE_URL") or default_database_url(instance),
        "VISITPROOF_TZ": env.get("VISITPROOF_TZ") or DEFAULT_TZ,
        "VISITPROOF_TILE_URL": env.get("VISITPROOF_TILE_URL", ""),
        "MAX_CONTENT_LENGTH": int(env.get("VISITPROOF_MAX_CONTENT_LENGTH") or 16 * 1024 * 1024),
        "AUTO_MIGRATE": _flag(env.get("VISITPROOF_AUTO_MIGRATE")),
        "SQLITE_BUSY_TIMEOUT_MS": int(env.get("VISITPROOF_SQLITE_BUSY_TIMEOUT_MS") or 10000),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
    }


def load_or_create_secret_key(instance: str) -> str:
    """The secret key kept in <instance>/secret_key (mode 0600), created on first use."""
    path = Path(instance) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key
