"""A working day uploaded through the simulated cellular modem, with faults.

The badge firmware (mpy-cross build, real micropython, the demo's heap) replays a 10 h walk
(a real GPX track, ../shared/data/tracks/georust_gpx: 3540 points 10 s apart, turned into
NMEA by host/sim/track_nmea.py) and uploads through the modem simulator, which spoils at
least 20% of the upload attempts with every kind of fault. The oracle for what must arrive
is the GPX file itself: every point stored exactly once, in order, at its time and place.
What the badge's end-of-day flush gives up on (it stops after 5 failed attempts) goes up
with its next start, as on a real badge.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from consolekit import DATA, need
from modemkit import run_through_modem, scripted_cells, stored

from host.sim.modem.faults import KINDS, FaultPlan
from host.sim.track_nmea import read_gpx, write_track_nmea

GPX = DATA / "tracks" / "georust_gpx" / "garmin_with_extensions.gpx"


# Quectel without "hang": its driver waits out the QHTTPPOST timeout (80 s) before the
# power cycle, per hang; the SIMCom day has every kind, hang included.
DAYS = {"simcom": KINDS, "quectel": tuple(k for k in KINDS if k != "hang")}


@pytest.mark.parametrize("dialect", list(DAYS))
def test_working_day_through_faulty_modem(dialect, tmp_path):
    need(GPX, "the georust 10 h GPX track")
    log = write_track_nmea(GPX, tmp_path / "day.nmea")
    points = read_gpx(GPX)
    faults = FaultPlan(rate=0.25, seed=20190501, kinds=DAYS[dialect])
    # 500x: the 10 h day in 73 s, slow enough that the badge catches up after each outage
    demo, badge, host = run_through_modem(
        tmp_path / "demo", log, faults, dialect, speed=500, next_start=True
    )
    print("left for the next start:", badge["pending_after_day"], badge["modem_faults_by_kind"])

    attempts = badge["modem_upload_attempts"]
    assert badge["modem_faults_injected"] / attempts >= 0.20, badge["modem_faults_by_kind"]
    assert set(badge["modem_faults_by_kind"]) == set(DAYS[dialect])
    assert badge["records_pending"] == 0 and badge["records_rejected"] == 0
    assert badge["records_uploaded"] == badge["records_signed"]

    assert host["records_stored"] == badge["records_signed"]
    assert host["chain_complete"], host["chain_problems"]
    assert host["signatures_verified"] == host["records_stored"]
    got = stored(demo)
    assert got["covered"] == host["records_stored"]  # each record in one verified batch

    # Every GPX point once, in order, at its own time and place (NMEA keeps 1e-5 minute).
    assert [t for _, t, _, _ in got["fixes"]] == [round(p[0].timestamp() * 1000) for p in points]
    for (_, _, lat_e7, lon_e7), (_, lat, lon, _) in zip(got["fixes"], points, strict=True):
        assert abs(lat_e7 / 1e7 - lat) < 1e-6 and abs(lon_e7 / 1e7 - lon) < 1e-6

    # Cell observations rode with the batches: the simulator's scripted serving cells.
    cells = scripted_cells()
    # The badge asks at most once per 60 records, and not while its modem is down (failed,
    # backing off): so at least half of the 59 batches' worth, spread over the day.
    assert len(got["cells"]) >= (len(points) // 60) // 2
    assert got["cells"][-1][0] - got["cells"][0][0] > len(points) // 2
    for _, c in got["cells"]:
        key = (c["mcc"], c["mnc"], c["lac_tac"], c["cell_id"])
        assert c["radio"] == 3 and c["role"] == 0 and cells[key] == c["signal_dbm"]


def test_demo_command_through_the_modem_with_faults(tmp_path):
    """The issue's command: the headless demo through the simulated modem, 20% faults."""
    log = (DATA / "nmea" / "gpsd" / "haicom-305N.log").resolve()
    need(log, "the gpsd regression log")
    exe = Path(sys.executable).with_name("visitproof")
    proc = subprocess.run(
        [
            str(exe),
            "demo",
            "--headless",
            "--uplink",
            "modem",
            "--fault-rate",
            "0.2",
            "--fault-seed",
            "3",
            "--modem-dialect",
            "simcom",
            "--log",
            str(log),
            "--batch",
            "5",
            "--speed",
            "200",
            "--workdir",
            str(tmp_path / "demo"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["uplink"] == "modem" and summary["modem_faults_injected"] >= 1
    assert summary["records_stored"] == summary["records_signed"] > 0
    assert summary["records_rejected"] == 0 and summary["chain_complete"]
