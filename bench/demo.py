"""The demo chain as a benchmark: the badge's peak heap and the end-to-end replay rate.

peak_heap_bytes_demo: the largest live heap of the badge firmware (mpy-cross build, real
micropython, -X heapsize=100K) after a gc at quiet points, over a real log's replay.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from host.sim.demo import SHARED_DATA, Demo, default_log

LOG = SHARED_DATA / "nmea" / "gpsd" / "ublox-neo-m9n-nmea.log"  # four constellations, 1 Hz


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Demo(Path(tmp) / "demo")
        try:
            demo.start_host()
            demo.provision_badge()
            log = LOG if LOG.exists() else default_log(demo.workdir)[0]
            started = time.monotonic()
            badge = demo.replay(log, speed=1000)
            wall = time.monotonic() - started
            stored = demo.host_summary()["records_stored"]
        finally:
            demo.stop()
    return {
        "peak_heap_bytes_demo": (badge["peak_heap_bytes"], "bytes"),
        "demo_records_stored": (stored, "records"),
        "demo_replay_wall_s": (round(wall, 2), "s"),
    }


if __name__ == "__main__":
    for name, (value, unit) in run().items():
        print(f"{name}: {value} {unit}")
