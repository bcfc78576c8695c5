"""Fixtures for every host-facing test (tests/host, tests/e2e).

  db_url        a fresh empty database URL: SQLite file in tmp_path here; tests/host
                overrides it to run each test on SQLite *and* PostgreSQL
  app           create_app() on db_url, migrated (AUTO_MIGRATE), instance dir in tmp_path
  live_server   that app on real HTTP: .url ("http://127.0.0.1:<port>"), .app, .session()
  db_session    a SQLAlchemy session on the app's engine
  vectors       docs/vectors/protocol-v1.json
  badge         a SoftBadge (random key) registered on the app; vector_badge = the RFC 8032
                TEST 1 key of the vectors, not registered
Helpers (tests/hostkit.py): SoftBadge, pack_record, post_batch, LiveServer, postgres_database.
"""

from __future__ import annotations

import pytest
from hostkit import LiveServer, SoftBadge, load_vectors


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'visitproof.db'}"


@pytest.fixture
def app(db_url, tmp_path):
    from host.app import create_app
    from host.db import get_db

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "AUTO_MIGRATE": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    yield app
    get_db(app).engine.dispose()


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def db_session(app):
    from host.db import get_db

    with get_db(app).sessions() as session:
        yield session


@pytest.fixture(scope="session")
def vectors() -> dict:
    return load_vectors()


@pytest.fixture
def vector_badge(vectors) -> SoftBadge:
    return SoftBadge.from_seed(vectors["seed"])


@pytest.fixture
def badge(app) -> SoftBadge:
    from host.db import get_db
    from host.db.devices import register_device

    b = SoftBadge()
    with get_db(app).sessions() as session:
        register_device(session, b.public_key, "soft badge")
    return b
