"""The main job end to end: real receiver logs through the badge firmware on the real
micropython binary (100K heap, mpy-cross build), over HTTP into the host, verified and stored.

The oracle for what must arrive is gpsd's own decoding of each log (the .chk TPV reports),
not our parser: every stored fix must be one of gpsd's fixes, at the same time and place.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from consolekit import DATA, need
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from host.db import get_db
from host.db.models import Batch, Device, Fix
from host.protocol import parse_batch
from host.sim.demo import Demo, default_log, run_headless

GPSD = DATA / "nmea" / "gpsd"
# Five receivers of different makers and rates, all with fixes: a SiRF-II walk, a u-blox M9N
# with four constellations, a Telit HE910 cellular module (no fix, then 3 min of fixes), an MTK at
# 1 Hz with DGPS, and a Trimble at 10 Hz with RTK (thinned by the badge to one per second).
LOGS = [
    "haicom-305N.log",
    "ublox-neo-m9n-nmea.log",
    "telit-he910.log",
    "mt3339.log",
    "nmea-rtk.log",
]


def gpsd_fixes(chk: Path) -> dict[int, tuple[float, float]]:
    """gpsd's TPV fixes with a 2D/3D position: fix time in UTC ms -> (lat, lon)."""
    fixes = {}
    for line in chk.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        tpv = json.loads(line)
        if tpv.get("class") == "TPV" and tpv.get("mode", 0) >= 2 and "time" in tpv and "lat" in tpv:
            t = datetime.fromisoformat(tpv["time"].replace("Z", "+00:00"))
            fixes.setdefault(round(t.timestamp() * 1000), (tpv["lat"], tpv["lon"]))
    return fixes


def verify_with_cryptography(app, device_id: str) -> int:
    """Re-verify every stored batch with `cryptography` alone; returns records covered."""
    covered = 0
    with get_db(app).sessions() as s:
        device = s.scalar(select(Device).where(Device.device_id == device_id))
        key = Ed25519PublicKey.from_public_bytes(device.public_key)
        for batch in s.scalars(select(Batch).where(Batch.device_pk == device.id)):
            # compact bodies (flags bit 0) are signed over their rebuilt canonical records
            signed, signature = parse_batch(batch.body).signed_bytes, batch.body[-64:]
            key.verify(signature, hashlib.sha256(signed).digest())  # raises if forged
            covered += batch.stored
    return covered


@pytest.mark.parametrize("log", LOGS)
def test_real_log_arrives_verified(log, tmp_path):
    need(GPSD / log, "the gpsd regression log")
    demo = Demo(tmp_path / "demo")
    try:
        demo.start_host()
        device_id = demo.provision_badge()
        badge = demo.replay(GPSD / log, speed=500)
        host = demo.host_summary()
        assert badge["records_signed"] > 0
        assert badge["records_rejected"] == 0
        assert badge["records_uploaded"] == badge["records_signed"]
        assert badge["records_pending"] == 0
        assert host["records_stored"] == badge["records_signed"]
        assert host["signatures_verified"] == host["records_stored"], host["audit_problems"]
        assert verify_with_cryptography(demo.app, device_id) == host["records_stored"]

        expected = gpsd_fixes(GPSD / (log + ".chk"))
        with get_db(demo.app).sessions() as s:
            stored = s.execute(select(Fix.fix_ms, Fix.lat_e7, Fix.lon_e7).order_by(Fix.seq)).all()
        matched = [(expected[t], lat, lon) for t, lat, lon in stored if t in expected]
        # gpsd does not report a receiver's first epoch: it has not yet seen the whole cycle.
        assert len(matched) >= len(stored) - 1
        for (lat, lon), lat_e7, lon_e7 in matched:
            assert abs(lat_e7 / 1e7 - lat) < 1e-6 and abs(lon_e7 / 1e7 - lon) < 1e-6
    finally:
        demo.stop()


def test_headless_command_prints_the_counts(tmp_path):
    """The command an operator runs, as a subprocess: one JSON line with the counts."""
    log = (GPSD / "haicom-305N.log").resolve()
    need(log, "the gpsd regression log")
    exe = Path(sys.executable).with_name("visitproof")
    proc = subprocess.run(
        [str(exe), "demo", "--headless", "--log", str(log), "--speed", "200"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in (
        "fixes_read",
        "records_signed",
        "records_uploaded",
        "records_stored",
        "records_rejected",
    ):
        assert isinstance(summary[key], int), key
    assert summary["records_stored"] == summary["records_signed"] > 0
    assert summary["records_rejected"] == 0


def test_without_shared_data_the_demo_replays_its_own_scenario(tmp_path):
    log, source = default_log(tmp_path, recording=tmp_path / "absent" / "pixel6.nmea")
    assert "generated" in source
    summary = run_headless(log, speed=1000, batch=60, workdir=tmp_path / "demo")
    # The scenario is 1,080 s of 1 Hz fixes (60 + 240 + 180 + 200 + 150 + 220 + 30 s).
    assert summary["fixes_stored"] == 1080  # the badge also signs the cells it heard (kind 4)
    assert summary["records_stored"] == summary["records_signed"]
    assert summary["records_rejected"] == 0


@pytest.mark.browser
def test_demo_track_in_the_console(tmp_path):
    """A supervisor logs in to the demo's console and sees the badge's verified track."""
    from consolekit import CHROMIUM, launch_chromium
    from playwright.sync_api import sync_playwright

    need(Path(CHROMIUM), "Debian's chromium")
    need(DATA / "nmea" / "gnss_lib_py" / "pixel6.nmea", "the Pixel walk recording")
    demo = Demo(tmp_path / "demo")
    try:
        demo.start_host()
        demo.provision_badge()
        log, _ = default_log(demo.workdir)
        demo.replay(log, speed=500)
        stored = demo.host_summary()["records_stored"]
        assert stored >= 40  # 48 epochs 12 s apart in the recording
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_page()
                page.goto(demo.track_url())
                page.fill("#username", "admin")
                page.fill("#password", demo.admin_password)
                page.click("#login-form button[type=submit]")
                page.wait_for_selector("path.vp-track", state="attached", timeout=15000)
                assert page.locator("path.vp-fix").count() == stored
                page.screenshot(path=str(tmp_path / "demo-track.png"))
            finally:
                browser.close()
    finally:
        demo.stop()
    if os.environ.get("VP_KEEP_SCREENSHOT"):
        print(tmp_path / "demo-track.png")
