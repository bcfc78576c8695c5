"""The persistent side of the day reports (host/reports): the same synthetic days as
bench/analytics.py, signed by a software badge each and stored through the ingest service
into a SQLite WAL database migrated by Alembic, one collector per badge, with the days'
cases planned.

run() -> {figure: (value, unit)}:
  day_report_db_refresh_10x10h_s  wall time to load, compute and cache the day reports of
                                  10 collectors x 10 h at 5 s (72,000 stored fixes):
                                  host.reports.dayreports.refresh_day, cold
  day_report_db_cached_ms         one collector-day read again with unchanged inputs
                                  (inputs fingerprinted, the fixes by an aggregate query;
                                  the report from the cache), median
Set VISITPROOF_BENCH_DATABASE_URL to measure another database.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

COLLECTORS = 10
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # hostkit


def _upload(session, points) -> str:
    """Store a day's points through the real ingest service (signed batches of 500)."""
    from hostkit import SoftBadge

    from host.db.devices import register_device
    from host.ingest.service import ingest_batch

    badge = SoftBadge()
    register_device(session, badge.public_key, "bench")
    records = []
    for p in points:
        records += badge.records(
            1,
            time_s=p.t_ms // 1000,
            lat_e7=round(p.lat * 1e7),
            lon_e7=round(p.lon * 1e7),
            acc_m=round(p.acc_m),
            speed_cmps=round(p.speed_mps * 100),
        )
    for i in range(0, len(records), 500):
        ingest_batch(session, badge.batch(records[i : i + 500]))
    return badge.device_id


def run() -> dict:
    from bench.analytics import DAY, synthetic_day
    from host.db import Database
    from host.db.migrate import upgrade
    from host.reports.dayreports import refresh_day
    from host.reports.registry import add_case, add_collector, get_collector, plan_visits

    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="vp-bench-") as tmp:
        url = os.environ.get("VISITPROOF_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        db = Database.from_url(url)
        with db.sessions() as s:
            for k in range(COLLECTORS):
                points, cases, _ = synthetic_day(
                    rng, 31.2 + rng.uniform(-0.2, 0.2), 121.4 + rng.uniform(-0.2, 0.2)
                )
                device_id = _upload(s, points)
                collector = add_collector(s, f"collector {k}", device_id)
                numbers = []
                for j, c in enumerate(cases):
                    number = 1000 * (k + 1) + j
                    add_case(s, number, c.lat, c.lon)
                    numbers.append(number)
                plan_visits(s, collector, DAY, numbers)
            collectors = [get_collector(s, f"collector {k}") for k in range(COLLECTORS)]
            t0 = time.perf_counter()
            for c in collectors:
                refresh_day(s, c, DAY)
            cold = time.perf_counter() - t0
            warm = []
            for c in collectors:
                t = time.perf_counter()
                refresh_day(s, c, DAY)
                warm.append((time.perf_counter() - t) * 1000)
        db.engine.dispose()
    return {
        "day_report_db_refresh_10x10h_s": (round(cold, 2), "s"),
        "day_report_db_cached_ms": (round(statistics.median(warm), 1), "ms"),
    }


if __name__ == "__main__":
    print(run())
