"""`visitproof nmea inspect|replay` on real receiver logs. Expected values come from the
logs themselves by plain line counting, and from gpsd's own decoding (.log.chk)."""

from __future__ import annotations

import functools
import json
import operator
import os
import random
import re
import select
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
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
        "truncated": 0,
    }
    assert report["noise_bytes"] == 0
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


def test_inspect_resyncs_at_dollar_like_the_badge(tmp_path):
    # pygpsdata-mixed: UBX binary and NMEA on one stream (README). Independent count: every
    # '$' + 5-letter address ... '*hh' whose XOR checksum is right, wherever it lies.
    log = PYNMEAGPS / "pygpsdata-mixed.log"
    need(log, "shared NMEA data")
    data = log.read_bytes()
    good = [
        m.group(1)
        for m in re.finditer(rb"\$([A-Z]{5},[\x20-\x7e]*?)\*([0-9A-F]{2})", data)
        if functools.reduce(operator.xor, m.group(1), 0) == int(m.group(2), 16)
    ]
    report = _inspect(log)
    assert report["sentences"] == len(good) == 15
    # its two GNGGA sentences follow UBX frames on the same line: two epochs, both fixes
    assert report["by_talker"]["GN"]["GGA"] == 2 and report["epochs"] == report["fix_epochs"] == 2

    # the overrun splice: the RMC fragment is truncated, the GGA counted; and a
    # log whose lines end in CR alone is read sentence by sentence
    splice = tmp_path / "splice.log"
    splice.write_bytes(
        b"$GPRMC,123519,A,4807.038,N,01131.0$GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,"
        b"545.4,M,46.9,M,,*4D\r$GPRMC,,V,,,,,,,,,,N*53\r"
    )
    report = _inspect(splice)
    assert report["by_talker"] == {"GP": {"GGA": 1, "RMC": 1}}
    assert report["rejected"]["truncated"] == 1


def test_inspect_garbage_is_one_line_exit_2(tmp_path):
    noise = tmp_path / "noise.bin"
    noise.write_bytes(random.Random(3).randbytes(1 << 20))  # 1 MB, no NMEA by any chance
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    for path, why in (
        (noise, "no NMEA sentence"),
        (empty, "no NMEA sentence"),
        (tmp_path, "Is a directory"),
        (Path("/dev/zero"), "not a regular file"),  # would never end
    ):
        result = CliRunner().invoke(nmea, ["inspect", str(path), "--json"])
        assert result.exit_code == 2, result.output
        assert why in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def _replay_to_pty(log: Path, speed: float) -> tuple[int, str, list[tuple[float, bytes]]]:
    """Run `visitproof nmea replay` into a fresh pseudo-terminal; the bytes read back from
    its master side, each chunk with its arrival time (time.monotonic)."""
    master, slave = os.openpty()
    arrivals: list[tuple[float, bytes]] = []
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
                str(speed),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                arrivals.append((time.monotonic(), os.read(master, 4096)))
            elif proc.poll() is not None:
                break
        out = proc.stdout.read().decode()
    finally:
        os.close(master)
        os.close(slave)
    return proc.returncode, out, arrivals


def test_replay_writes_the_log_to_a_pty():
    log = GPSD / "quectel-eg25-g-2.log"
    need(log, "shared NMEA data")
    code, out, arrivals = _replay_to_pty(log, 1000)
    assert code == 0, out
    expected = _nmea_lines(log)
    assert b"".join(chunk for _, chunk in arrivals) == b"".join(expected)
    assert f"{len(expected)} sentences" in out


def _gsv_in_view(path: Path) -> dict[str, int]:
    """Satellites in view per GSV talker, from the GSV header field (the receiver's count)."""
    seen: dict[str, int] = {}
    for ln in _nmea_lines(path):
        if ln[3:6] == b"GSV":
            seen[ln[1:3].decode()] = int(ln.split(b",")[3])
    return seen


def test_inspect_satellites_match_the_receivers_gsv_counts():
    # NMEA 4.11 GSV ends with a signal id: it must not count as a satellite.
    log = GPSD / "ublox-neo-m9n-nmea.log"
    need(log, "shared NMEA data")
    sats = {k: v["satellites"] for k, v in _inspect(log)["constellations"].items()}
    assert _gsv_in_view(log) == {"GP": 16, "GL": 10, "GA": 10, "GB": 7}
    assert sats == {"GPS": 16, "GLONASS": 10, "Galileo": 10, "BeiDou": 7}


def test_inspect_epoch_rate_survives_gaps_and_date_jumps():
    need(GPSD, "shared NMEA data")
    # README: bt451 is 2 Hz with a 52 min step back; nmea-rtk 10 Hz in two bursts 10.5 min
    # apart; mtk-3301 1 Hz with RMC dates from 1980 before its 2008 fix.
    assert _inspect(GPSD / "bt451.log")["epoch_rate_hz"] == 2.0
    assert _inspect(GPSD / "nmea-rtk.log")["epoch_rate_hz"] == pytest.approx(10.0)
    assert _inspect(GPSD / "mtk-3301.log")["epoch_rate_hz"] == 1.0


def _tod_s(sentence: bytes) -> float:
    f = sentence.split(b",")[1]
    return int(f[0:2]) * 3600 + int(f[2:4]) * 60 + float(f[4:])


def test_replay_keeps_the_logs_timing_on_a_pty_and_inspect_reads_the_capture(tmp_path):
    # neo-m8n: 22 s at 1 Hz. At --speed 10 each epoch must leave at least 100 ms after the
    # one before it (the log's own clock / 10); the bytes are read back with their arrival time.
    log = GPSD / "neo-m8n.log"
    need(log, "shared NMEA data")
    speed = 10.0
    code, out, arrivals = _replay_to_pty(log, speed)
    assert code == 0, out
    captured = b"".join(chunk for _, chunk in arrivals)
    assert captured == b"".join(_nmea_lines(log))

    # Arrival time of each GNRMC/GPRMC (the first sentence of an epoch in this log).
    rmc: list[tuple[float, float]] = []
    buffered = b""
    for at, chunk in arrivals:
        buffered += chunk
        *complete, buffered = buffered.split(b"\n")
        rmc += [(at, _tod_s(ln)) for ln in complete if ln[3:6] == b"RMC"]
    assert len(rmc) == 23
    t0, tod0 = rmc[0]
    for at, tod in rmc[1:]:
        # Written after the replay slept (tod - tod0) / speed; 20 ms for reading the first.
        assert at - t0 >= (tod - tod0) / speed - 0.02

    # inspect on the bytes that crossed the pty reports what it reports on the original.
    copy = tmp_path / "captured.log"
    copy.write_bytes(captured)
    original = _inspect(log)
    again = _inspect(copy)
    assert {k: v for k, v in again.items() if k != "file"} == {
        k: v for k, v in original.items() if k != "file"
    }
    # 23 RMC epochs, plus 17:19:25 whose last sentence (GLL) opens the log.
    assert original["epochs"] == 24 and original["epoch_rate_hz"] == 1.0
