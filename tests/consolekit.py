"""Helpers of the console tests (tests/host/test_console_api.py, tests/e2e/test_console_browser.py):
an admin user, fixes written straight through the DB layer (bypassing ingest, so that the
times are chosen by hand), and logging in through the login form like a browser does.
The app and its live server come from tests/conftest.py."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from host.db import devices as registry
from host.db import get_db, users
from host.db.models import Batch, Device, Fix

ADMIN = ("supervisor1", "correct horse battery staple")
DATA = Path(os.getenv("VISITPROOF_DATA") or "../shared/data")
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps calling out of this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need(path: Path, what: str) -> None:
    """Skip when a prerequisite is absent, except under CI=true where that is a failure."""
    if path.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is missing: {path}")
    pytest.skip(f"{what} absent ({path}); run `make browser` / run beside ../shared")


def launch_chromium(playwright):
    """Debian's chromium, headless, through Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_admin(app) -> None:
    with get_db(app).sessions() as session:
        users.set_user(session, ADMIN[0], ADMIN[1], role="admin")


@dataclass(frozen=True)
class FixSpec:
    seq: int
    utc: str  # ISO 8601 with offset, e.g. "2024-05-01T15:59:59+00:00"
    lat: float
    lon: float
    acc_m: int | None = 5
    speed_cmps: int | None = 120
    alt_cm: int | None = 1500
    valid: bool = True
    time_source: int = 1  # GNSS


def utc_ms(iso: str) -> int:
    dt = datetime.fromisoformat(iso)
    return int(dt.timestamp()) * 1000 + dt.microsecond // 1000


def add_device_with_fixes(app, key_byte: int, name: str, fixes: list[FixSpec]) -> str:
    """Register a device and store `fixes` in the given list order (= arrival order) under
    one placeholder batch; returns the device id. Raw bytes are placeholders: the console
    reads the decoded columns only."""
    with get_db(app).sessions() as session:
        device = registry.register_device(session, bytes([key_byte]) * 32, name=name)
        body = bytes([key_byte]) * 100
        batch = Batch(
            device_pk=device.id,
            nonce=bytes(8),
            body_sha256=hashlib.sha256(body).digest(),
            body=body,
            first_seq=min(f.seq for f in fixes) if fixes else 1,
            last_seq=max(f.seq for f in fixes) if fixes else 1,
            count=len(fixes),
            stored=len(fixes),
            server_ms=max((utc_ms(f.utc) for f in fixes), default=0) + 60_000,
        )
        session.add(batch)
        session.flush()
        for f in fixes:
            session.add(_fix_row(device, batch, f))
        device.last_seq = max((f.seq for f in fixes), default=0)
        device.last_seen_ms = batch.server_ms
        session.commit()
        return device.device_id


def _fix_row(device: Device, batch: Batch, f: FixSpec) -> Fix:
    return Fix(
        device_pk=device.id,
        batch_id=batch.id,
        seq=f.seq,
        kind=1,
        flags=f.time_source | (1 << 2) | ((1 << 5) if f.valid else 0),
        time_source=f.time_source,
        pos_source=1,
        valid=f.valid,
        fix_ms=utc_ms(f.utc),
        server_ms=batch.server_ms,
        lat_e7=round(f.lat * 1e7),
        lon_e7=round(f.lon * 1e7),
        alt_cm=f.alt_cm,
        acc_m=f.acc_m,
        speed_cmps=f.speed_cmps,
        course_cdeg=None,
        hdop_x10=9,
        quality=1,
        mode=3,
        sats_used=8,
        sats_seen=12,
        cn0_max=45,
        cn0_mean=38,
        raw=bytes(72),
        record_hash=hashlib.sha256(f"{device.device_id}:{f.seq}".encode()).digest(),
    )


def csrf_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "no csrf_token field in the page"
    return match.group(1)


def login(http, base: str, username: str = ADMIN[0], password: str = ADMIN[1]):
    """Log a requests.Session in through the form; returns the final response."""
    token = csrf_from(http.get(f"{base}/login").text)
    return http.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": password},
    )
