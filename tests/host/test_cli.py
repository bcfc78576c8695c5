"""`visitproof` subcommands, run in-process with click's CliRunner against a real database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from werkzeug.security import check_password_hash

from host.cli import cli
from host.db import make_engine
from host.db.models import User


@pytest.fixture
def run(db_url, tmp_path):
    env = {
        "DATABASE_URL": db_url,
        "VISITPROOF_INSTANCE": str(tmp_path / "inst"),
        "SECRET_KEY": None,
        "VISITPROOF_ADMIN_PASSWORD": None,
    }

    def invoke(*args: str, **kwargs):
        result = CliRunner().invoke(
            cli, list(args), env={**env, **kwargs.pop("env", {})}, catch_exceptions=False, **kwargs
        )
        return result

    return invoke


def test_device_lifecycle(run, vectors):
    assert run("db", "upgrade").exit_code == 0
    r = run("device", "register", "--public-key", vectors["public_key"], "--name", "badge 7")
    assert r.exit_code == 0
    assert r.output.strip() == vectors["device_id"]
    again = run("device", "register", "--public-key", vectors["public_key"])
    assert again.output.strip() == vectors["device_id"]  # idempotent
    listing = run("device", "list").output.splitlines()
    assert len(listing) == 1 and listing[0].startswith(vectors["device_id"])
    assert "active" in listing[0] and "badge 7" in listing[0]
    assert run("device", "revoke", vectors["device_id"]).exit_code == 0
    assert "revoked" in run("device", "list").output
    bad = run("device", "register", "--public-key", "abcd")
    assert bad.exit_code != 0 and "32 bytes" in bad.output
    assert run("device", "revoke", "0000000000000000").exit_code != 0


def test_create_admin_never_prints_the_password(run, db_url, tmp_path):
    assert run("db", "upgrade").exit_code == 0
    r = run(
        "user", "create-admin", "--username", "boss", env={"VISITPROOF_ADMIN_PASSWORD": "s3cret-Pw"}
    )
    assert r.exit_code == 0 and "s3cret-Pw" not in r.output
    r = run("user", "create-admin", "--username", "boss", input="other-Pw\nother-Pw\n")
    assert r.exit_code == 0 and "other-Pw" not in r.output and "updated" in r.output
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(User.password_hash, User.role)).one()
        assert check_password_hash(row.password_hash, "other-Pw")
        assert row.role == "admin"
    finally:
        engine.dispose()
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_time_zone_stops_the_start(tmp_path):
    """A typo in VISITPROOF_TZ fails at start-up with its name, not later on every page."""
    import pytest

    from host.app import create_app

    with pytest.raises(RuntimeError, match="Mars/Olympus"):
        create_app(
            {
                "VISITPROOF_TZ": "Mars/Olympus",
                "INSTANCE_PATH": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            }
        )
