"""`visitproof nmea inspect|replay` on real receiver logs. Expected values come from the
logs themselves by plain line counting, and from gpsd's own decoding (.log.chk)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from consolekit import DATA, need

from host.sim.cli import nmea

GPSD = DATA / "nmea" / "gpsd"
PYNMEAGPS = DATA / "nmea" / "pynmeagps"
VISITPROOF = Path(sys.executable).parent / "visitproof"


def _inspect(path: Path) -> dict:
    result = CliRunner().invoke(nmea, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _nmea_lines(path: Path) -> list[bytes]:
    return [ln for ln in path.read_bytes().splitlines(keepends=True) if not ln.startswith(b"#")]


def test_inspect_counts_and_span_match_the_log_and_gpsd():
    log = GPSD / "ublox-neo-m9n-nmea.log"
    need(log, "shared NMEA data")
    report = _inspect(log)
    lines = _nmea_lines(log)
    # Independent count: the address field of every non-comment line.
    for talker, kinds in report["by_talker"].items():
        for kind, n in kinds.items():
            assert n == sum(ln.startswith(f"${talker}{kind},".encode()) for ln in lines)
    assert report["by_talker"]["GN"]["GGA"] == sum(ln.startswith(b"$GNGGA") for ln in lines)
    assert report["sentences"] == len(lines)
    assert report["rejected"] == {
        "bad_checksum": 0,
        "no_checksum": 0,
        "parse_error": 0,
        "non_nmea": 0,
    }
    # gpsd's expected output: first and last TPV times.
    tpv = [
        json.loads(ln)
        for ln in (GPSD / "ublox-neo-m9n-nmea.log.chk").read_text().splitlines()
        if '"class":"TPV"' in ln
    ]
    assert datetime.fromisoformat(report["first_utc"]) == datetime.fromisoformat(tpv[0]["time"])
    assert datetime.fromisoformat(report["last_utc"]) == datetime.fromisoformat(tpv[-1]["time"])
    # README: 61 s at 1 Hz with a DGPS fix throughout; four constellations in GSV.
    assert report["span_s"] == 60.0
    assert report["epochs"] == 61 and report["fix_epochs"] == 61
    assert set(report["constellations"]) == {"GPS", "GLONASS", "Galileo", "BeiDou"}


def test_inspect_counts_the_corrupted_checksum():
    logs = sorted(PYNMEAGPS.glob("*badck*.log"))
    need(PYNMEAGPS, "shared NMEA data")
    assert logs
    for log in logs:
        report = _inspect(log)
        # README: one corrupted checksum character; every other line is a good sentence.
        assert report["rejected"]["bad_checksum"] == 1
        assert report["sentences"] == len(_nmea_lines(log)) - 1


def test_inspect_missing_file_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(nmea, ["inspect", str(tmp_path / "absent.log")])
    assert result.exit_code == 2
    assert "absent.log" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_inspect_file_without_nmea_is_exit_2(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\nworld\n")
    result = CliRunner().invoke(nmea, ["inspect", str(text)])
    assert result.exit_code == 2
    assert "no NMEA" in result.output


def test_replay_writes_the_log_to_a_pty():
    log = GPSD / "quectel-eg25-g-2.log"
    need(log, "shared NMEA data")
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [
                str(VISITPROOF),
                "nmea",
                "replay",
                str(log),
                "--port",
                os.ttyname(slave),
                "--speed",
                "1000",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        received = bytearray()
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                received += os.read(master, 4096)
            elif proc.poll() is not None:
                break
        out = proc.stdout.read().decode()
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, out
    expected = _nmea_lines(log)
    assert bytes(received) == b"".join(expected)
    assert f"{len(expected)} sentences" in out
