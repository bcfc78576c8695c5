"""Host tests run twice: on a SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

import pytest
from hostkit import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'visitproof.db'}"
    else:
        with postgres_database() as url:
            yield url
