"""Feed a recorded NMEA log to a serial port (or a pseudo-terminal) with the log's own timing.

Pacing comes from host.sim.nmea_log.read_log (the receiver's UTC clock, long gaps shortened);
the sentences are written byte for byte as recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import serial

from host.sim.nmea_log import read_log

Progress = Callable[[int, int], None]  # (sentences sent, total)


def replay(
    path: str | Path,
    port: str,
    speed: float = 1.0,
    baud: int = 9600,
    progress: Progress | None = None,
    progress_every_s: float = 3.0,
) -> int:
    """Write every line of the log to `port`; returns the number of lines sent."""
    lines = list(read_log(path))  # logs are small; the total is needed for progress
    total = len(lines)
    sent = 0
    with serial.Serial(port, baud) as out:
        start = last_report = time.monotonic()
        for line in lines:
            wait = line.t_s / speed - (time.monotonic() - start)
            if wait > 0:
                time.sleep(wait)
            out.write(line.data)
            sent += 1
            now = time.monotonic()
            if progress and now - last_report >= progress_every_s:
                progress(sent, total)
                last_report = now
        out.flush()
    return sent
