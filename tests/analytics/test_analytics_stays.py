"""Stay points: thresholds, start/end precision, a stay still going on when data ends."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timezone

import pytest
from analytics_ref import offset, vincenty_m

from host.analytics.model import Case, OrgSettings, Site, TrackPoint
from host.analytics.report import day_report

T0 = int(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc).timestamp() * 1000)  # 09:00 +08
DAY = date(2026, 3, 2)
P = (31.2304, 121.4737)


def jitter(rng, lo=5.0, hi=15.0):
    r, a = rng.uniform(lo, hi), rng.uniform(0, 2 * math.pi)
    return r * math.cos(a), r * math.sin(a)


def walk_stay_walk(step_s: int, speed_mps: float, pause_s: float, seed=1, with_speed=True):
    """Approach P from 1,500 m west at `speed_mps`, arrive at t = 1500/speed s, stay
    `pause_s` (jitter 5-15 m, speed 0-0.3 m/s), leave east at the same speed, for 1,500 m.
    Fixes every `step_s` s starting at t = 0, with the receiver's speed when `with_speed`.
    Returns (points, arrive_s, leave_s)."""
    rng = random.Random(seed)
    arrive = 1500 / speed_mps
    leave = arrive + pause_s
    end = leave + 1500 / speed_mps
    points = []
    t = 0
    while t <= end:
        if t < arrive:
            east, north, v = -1500 + speed_mps * t, 0.0, speed_mps
        elif t <= leave:
            (east, north), v = jitter(rng), rng.uniform(0, 0.3)
        else:
            east, north, v = speed_mps * (t - leave), 0.0, speed_mps
        points.append(
            TrackPoint(
                T0 + t * 1000,
                *offset(*P, north, east),
                10.0,
                v if with_speed else None,
                seq=len(points),
            )
        )
        t += step_s
    return points, arrive, leave


@pytest.mark.parametrize(
    ("step_s", "speed_mps", "with_speed"),
    [
        (5, 1.4, True),
        (30, 1.4, True),
        (5, 8.0, True),
        (30, 8.0, True),
        # without the receiver's speed, only distance tells arriving from staying
        (30, 1.4, False),
        (5, 8.0, False),
        (30, 8.0, False),
    ],
)
def test_25_minute_stay_found_within_one_sampling_interval(step_s, speed_mps, with_speed):
    points, arrive, leave = walk_stay_walk(step_s, speed_mps, 25 * 60, with_speed=with_speed)
    r = day_report(points, DAY, OrgSettings())
    assert len(r["stays"]) == 1
    st = r["stays"][0]
    assert abs((st["start_ms"] - T0) / 1000 - arrive) <= step_s
    assert abs((st["end_ms"] - T0) / 1000 - leave) <= step_s
    # The centre is the place (jitter of 5-15 m around P averages out).
    assert vincenty_m(*P, *st["centre"]) < 10


@pytest.mark.parametrize("step_s", [5, 30])
def test_15_minute_pause_is_not_a_stay_at_the_default_threshold(step_s):
    points, _, _ = walk_stay_walk(step_s, 1.4, 15 * 60)
    assert day_report(points, DAY, OrgSettings())["stays"] == []


def test_bug_report_stay_at_the_end_of_the_data_is_reported():
    # 5 fixes moving 200 m per minute, then 12 fixes one minute apart within 20 m of one
    # place, then the data ends. 11 minutes is shorter than the 20-minute default, so the
    # threshold is 10 minutes here (as in the report).
    rng = random.Random(3)
    points = [
        TrackPoint(T0 + k * 60_000, *offset(*P, 0, -1000 + 200 * k), 10.0) for k in range(5)
    ]  # -1000, -800, -600, -400, -200 m
    for k in range(5, 17):
        points.append(TrackPoint(T0 + k * 60_000, *offset(*P, *jitter(rng, 0, 20)), 10.0))
    r = day_report(points, DAY, OrgSettings(stay_min_s=600))
    assert len(r["stays"]) == 1
    st = r["stays"][0]
    assert st["start_ms"] == T0 + 5 * 60_000 and st["end_ms"] == T0 + 16 * 60_000
    assert st["duration_s"] == 11 * 60


def test_stays_are_classified_visit_office_unknown_and_idle_alerts_fire():
    # Three 40-minute stays 3 km apart along a line, at a case, at the office, and elsewhere;
    # car rides of 3 km at 10 m/s (300 s) between them. Fixes every 10 s.
    rng = random.Random(7)
    places = [offset(*P, 0, 3000 * k) for k in range(3)]
    points, t = [], 0
    for k, place in enumerate(places):
        for _ in range(240):  # 40 min
            points.append(TrackPoint(T0 + t * 1000, *offset(*place, *jitter(rng)), 10.0))
            t += 10
        if k < 2:
            for s in range(1, 30):
                points.append(TrackPoint(T0 + t * 1000, *offset(*place, 0, 100 * s), 10.0))
                t += 10
    settings = OrgSettings(offices=(Site("HQ", *places[1], 150.0),), idle_limit_s=30 * 60)
    r = day_report(points, DAY, settings, [Case("C1", *places[0])])
    assert [(s["class"], s["case_id"], s["office"]) for s in r["stays"]] == [
        ("visit", "C1", None),
        ("office", None, "HQ"),
        ("unknown", None, None),
    ]
    # The unknown stay lasts 239 x 10 s = 2,390 s inside working hours (09:xx local) > 1,800.
    assert len(r["idle_alerts"]) == 1
    assert r["idle_alerts"][0]["duration_s"] == 2390.0
    # Two trips of about 3 km each (ride of 2,900 m + the last stay fix to the first ride fix).
    assert len(r["trips"]) == 2
    assert [t["mode"] for t in r["trips"]] == ["car", "car"]
    for trip in r["trips"]:
        assert trip["distance_m"] == pytest.approx(3000, rel=0.02)
