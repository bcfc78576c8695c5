"""The cellular uplink's cost, counted by the modem simulator (host/sim/modem).

modem_bytes_per_fix: every byte the badge writes to the modem's UART (AT commands, HTTP
bodies, URLs) divided by the fixes the host stored, at the default batch size (60), over a
real 10 h walk (../shared/data/tracks/georust_gpx, a point every 10 s, as NMEA through the
badge firmware under micropython); without ../shared/data, the generated 1 Hz scenario.
modem_bytes_per_fix_1hz: the same over the generated 1 Hz walk (host/sim/scenario.py), the
badge's default reporting rate when walking.
at_roundtrips_per_upload: AT commands the badge sent per upload attempt, bring-up and cell
queries included. No faults: the steady-state cost.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from host.sim.demo import SHARED_DATA, Demo
from host.sim.modem.faults import FaultPlan
from host.sim.scenario import write_scenario
from host.sim.track_nmea import write_track_nmea

DAY = SHARED_DATA / "tracks" / "georust_gpx" / "garmin_with_extensions.gpx"
BATCH = 60  # the badge's default (badge.unix_main --batch)


def _measure(log_of, speed: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Demo(Path(tmp) / "demo")
        try:
            demo.start_host()
            demo.provision_badge()
            log = log_of(Path(tmp))
            badge = demo.replay(log, speed=speed, batch=BATCH, uplink="modem", faults=FaultPlan())
            host = demo.host_summary()
        finally:
            demo.stop()
    if host["records_stored"] != badge["records_signed"]:
        raise RuntimeError(f"records lost: {host['records_stored']} of {badge['records_signed']}")
    return {
        "bytes_per_fix": round(badge["modem_badge_bytes"] / host["fixes_stored"], 2),
        "roundtrips": round(badge["modem_commands"] / badge["modem_upload_attempts"], 2),
        "fixes": host["fixes_stored"],
    }


def run() -> dict:
    if DAY.exists():
        day = _measure(lambda tmp: write_track_nmea(DAY, tmp / "day.nmea"), speed=2000)
    else:
        day = None
    walk = _measure(lambda tmp: write_scenario(tmp / "walk.nmea"), speed=500)
    main = day or walk
    return {
        "modem_bytes_per_fix": (main["bytes_per_fix"], "bytes/fix"),
        "modem_bytes_per_fix_1hz": (walk["bytes_per_fix"], "bytes/fix"),
        "at_roundtrips_per_upload": (main["roundtrips"], "commands/upload"),
        "modem_bench_fixes": (main["fixes"], "fixes"),
    }


if __name__ == "__main__":
    for name, (value, unit) in run().items():
        print(f"{name}: {value} {unit}")
