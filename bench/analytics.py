"""Benchmark of host/analytics: full day reports for a company's day.

run() -> {figure: (value, unit)}:
  day_reports_100x10h_s   wall time of day_report() for 100 collectors, each 10 hours of
                          fixes every 5 s (7,200 fixes, 720,000 in all) with 6 cases,
                          2 check-ins, jitter of 3-15 m and occasional spikes: visits of
                          25-50 min joined by ebike rides at about 6 m/s. The synthetic
                          days are built first and not timed.
  day_report_fixes_per_s  the same run in fixes per second
"""

from __future__ import annotations

import math
import random
import time
from datetime import date, datetime, timezone

from host.analytics.model import Case, CheckinAttempt, OrgSettings, TrackPoint
from host.analytics.report import day_report

DAY = date(2026, 3, 2)
START_MS = int(datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc).timestamp() * 1000)  # 08:00 +8
STEP_MS = 5000
N_FIX = 10 * 3600 * 1000 // STEP_MS
M_PER_DEG = 111_320.0


def synthetic_day(rng: random.Random, base_lat: float, base_lon: float):
    kx = M_PER_DEG * math.cos(math.radians(base_lat))
    pos = (0.0, 0.0)
    cases, points, checkins = [], [], []
    i = 0
    k = 0
    while i < N_FIX:
        # ride to the next case
        ang = rng.uniform(0, 2 * math.pi)
        dist = rng.uniform(800, 3000)
        target = (pos[0] + dist * math.cos(ang), pos[1] + dist * math.sin(ang))
        steps = max(1, int(dist / (6.0 * STEP_MS / 1000)))
        for s in range(steps):
            if i >= N_FIX:
                break
            f = (s + 1) / steps
            x = pos[0] + (target[0] - pos[0]) * f + rng.gauss(0, 5)
            y = pos[1] + (target[1] - pos[1]) * f + rng.gauss(0, 5)
            points.append((i, x, y, rng.uniform(5, 15), 6.0))
            i += 1
        pos = target
        case_id = f"C{k}"
        cases.append((case_id, pos))
        stay = int(rng.uniform(25, 50) * 60 * 1000 / STEP_MS)
        for _ in range(stay):
            if i >= N_FIX:
                break
            r = rng.uniform(3, 15)
            a = rng.uniform(0, 2 * math.pi)
            if rng.random() < 0.002:
                r = 400.0  # a multipath spike
            points.append((i, pos[0] + r * math.cos(a), pos[1] + r * math.sin(a), r, 0.0))
            if len(checkins) < 2 and _ == 30:
                checkins.append((i, case_id, pos))
            i += 1
        k += 1

    def ll(x, y):
        return base_lat + y / M_PER_DEG, base_lon + x / kx

    tps = [
        TrackPoint(START_MS + j * STEP_MS, *ll(x, y), acc_m=acc, speed_mps=v, seq=j)
        for j, x, y, acc, v in points
    ]
    cs = [Case(cid, *ll(*p)) for cid, p in cases[:6]]
    cis = [
        CheckinAttempt(START_MS + j * STEP_MS, cid, *ll(*p), 8.0, START_MS + j * STEP_MS - 2000)
        for j, cid, p in checkins
    ]
    return tps, cs, cis


def run() -> dict[str, tuple[float, str]]:
    rng = random.Random(5)
    days = [
        synthetic_day(rng, 31.2 + rng.uniform(-0.2, 0.2), 121.4 + rng.uniform(-0.2, 0.2))
        for _ in range(100)
    ]
    settings = OrgSettings()
    n = sum(len(d[0]) for d in days)
    t0 = time.perf_counter()
    for points, cases, checkins in days:
        day_report(points, DAY, settings, cases, checkins)
    elapsed = time.perf_counter() - t0
    return {
        "day_reports_100x10h_s": (round(elapsed, 2), "s"),
        "day_report_fixes_per_s": (round(n / elapsed), "fixes/s"),
    }


if __name__ == "__main__":
    print(run())
