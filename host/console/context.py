"""What the console takes from the application: its database session and its time zone."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session

from host import db

DEFAULT_TZ = "Asia/Shanghai"


def db_session() -> Session:
    return db.get_session()


@lru_cache(maxsize=8)
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def console_tz() -> ZoneInfo:
    """VISITPROOF_TZ: the zone whose local midnight cuts the days."""
    return _zone(current_app.config.get("VISITPROOF_TZ") or DEFAULT_TZ)
