"""`visitproof analyze FILE [--tz ZONE]` on real track files and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from analytics_ref import need_data
from click.testing import CliRunner

from host.analytics.cli import analyze

VISITPROOF = Path(sys.executable).parent / "visitproof"


def _nmea(body: str) -> bytes:
    """A sentence with its XOR checksum (NMEA 0183)."""
    x = 0
    for c in body.encode():
        x ^= c
    return f"${body}*{x:02X}\r\n".encode()


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(analyze, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_console_script_analyzes_a_gpx_car_track():
    gpx = need_data("tracks/gpxpy/around-visnjan-with-car.gpx")
    out = subprocess.run(
        [str(VISITPROOF), "analyze", str(gpx), "--tz", "Europe/Zagreb"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["format"] == "gpx" and report["fixes_read"] == 104  # 104 <trkpt> in the file
    [day] = report["days"]
    assert day["day"] == "2020-12-18"  # 06:15Z = 07:15 in Zagreb
    # ../shared/data/README.md: a 2.7 km drive
    assert abs(report["mileage_m"] - 2700) / 2700 < 0.03
    assert day["totals"]["mileage_m"] == report["mileage_m"]
    assert [t["mode"] for t in day["trips"]] == ["car"]


def test_nmea_log_with_a_drive():
    # gpsd's nl2008u.log: parked, then driving about 0.65 km, then stopped.
    code, out, err = _run(str(need_data("nmea/gpsd/nl2008u.log")), "--tz", "Europe/Berlin")
    assert code == 0, err
    report = json.loads(out)
    assert report["format"] == "nmea" and len(report["days"]) == 1
    assert 0.65 * 0.85 < report["mileage_m"] / 1000 < 0.65 * 1.15


def test_multi_day_gpx_in_non_chronological_order_gives_days_in_order_with_stays():
    # blue_hills.gpx: three tracks from 2001-06-24, 2001-10-13 and 2001-05-26, in that order
    # in the file (its header was edited into malformed XML: read leniently, and said so).
    code, out, err = _run(
        str(need_data("tracks/togeojson/blue_hills.gpx")), "--tz", "America/New_York"
    )
    assert code == 0, err
    report = json.loads(out)
    assert [d["day"] for d in report["days"]] == ["2001-05-26", "2001-06-24", "2001-10-13"]
    assert report["skipped_while_reading"] == {"gpx_not_well_formed": 1}
    assert report["fixes_read"] == 1243
    stays = [s for d in report["days"] for s in d["stays"]]
    assert stays and all(
        {"start", "end", "centre", "duration_s"} <= set(s) and s["duration_s"] >= 1200
        for s in stays
    )
    assert report["mileage_m"] == round(sum(d["mileage_m"] for d in report["days"]), 1)


def test_tz_moves_the_day_boundary():
    # multitrackgpx.gpx: three days in the Black Forest (2008-07-12 to 14).
    path = str(need_data("tracks/togeojson/multitrackgpx.gpx"))
    code, out, _ = _run(path, "--tz", "Europe/Berlin")
    assert code == 0
    assert [d["day"] for d in json.loads(out)["days"]] == ["2008-07-12", "2008-07-13", "2008-07-14"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"just some text\nnot a track\n", "not a GPX file nor an NMEA log"),
        (
            b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg></trkseg></trk></gpx>',
            "no timestamped fixes",
        ),
        (
            _nmea("GPRMC,123519,V,,,,,,,230394,,,N")
            + _nmea("GPRMC,123520,V,4807.038,N,01131.000,E,0,0,230394,,,N"),
            "no valid fix",
        ),
        (
            # Year 1 and year 9999 are valid xsd:dateTime but no fix record can carry them
            # (u32 UTC seconds: 1970..2106); Python's datetime overflows past year 9999.
            b'<?xml version="1.0"?><gpx version="1.1"><trk><trkseg>'
            b'<trkpt lat="31.2" lon="121.4"><time>0001-01-01T00:00:00Z</time></trkpt>'
            b'<trkpt lat="31.2" lon="121.4"><time>9999-12-31T23:59:59Z</time></trkpt>'
            b"</trkseg></trk></gpx>",
            "'time_out_of_range': 2",
        ),
    ],
)
def test_bad_input_is_a_clear_error_without_traceback(tmp_path, content, message):
    path = tmp_path / "track.dat"
    if content is not None:
        path.write_bytes(content)
    out = subprocess.run(
        [str(VISITPROOF), "analyze", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert message in out.stderr and out.stderr.startswith("error: ")
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_unknown_time_zone_is_a_clear_error(tmp_path):
    code, out, err = _run(str(tmp_path), "--tz", "Mars/Olympus")
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in err


def test_analyze_is_listed_in_the_cli():
    out = subprocess.run([str(VISITPROOF), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "analyze" in out.stdout
