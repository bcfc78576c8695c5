"""`visitproof nmea decode`: the firmware parser under micropython, against gpsd's own TPVs.

Expected values come from gpsd's regression output (the .chk beside each log), never from
our parser: every decoded fix must be one of gpsd's fixes, in time and position.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from consolekit import DATA, need

VISITPROOF = Path(sys.executable).with_name("visitproof")
LOG = DATA / "nmea" / "gpsd" / "ublox-neo-m9n-nmea.log"


def _decode(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VISITPROOF), "nmea", "decode", *args], capture_output=True,
                          text=True, timeout=300)


def _ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_decoded_fixes_are_gpsds_fixes():
    need(LOG, "the u-blox NEO-M9N log")
    gpsd = {}
    for line in Path(str(LOG) + ".chk").read_text().splitlines():
        if line.startswith("{"):
            o = json.loads(line)
            if o.get("class") == "TPV" and "lat" in o and "time" in o:
                gpsd[_ms(o["time"])] = (o["lat"], o["lon"], o.get("mode"))
    proc = _decode(str(LOG))
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    tpvs = [o for o in objs if o["class"] == "TPV" and "lat" in o]
    assert len(tpvs) >= 60
    matched = 0
    for o in tpvs:
        want = gpsd.get(_ms(o["time"]))
        if want is None:
            continue
        assert abs(o["lat"] - want[0]) < 1e-6 and abs(o["lon"] - want[1]) < 1e-6, o
        assert o["mode"] == want[2]
        matched += 1
    assert matched >= len(tpvs) - 1  # gpsd does not report the log's first epoch
    skies = [o for o in objs if o["class"] == "SKY"]
    assert skies and all({"PRN", "ss", "used"} <= set(s) for s in skies[-1]["satellites"])
    summary = objs[-1]
    assert summary["class"] == "SUMMARY" and summary["counts"]["crc_fails"] == 0


def test_missing_file_is_a_clear_error():
    proc = _decode("/nonexistent/log.nmea")
    assert proc.returncode == 2
    assert "not a regular file" in proc.stderr and "Traceback" not in proc.stderr
