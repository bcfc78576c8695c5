"""The day report as a whole: order independence, JSON, days since last verified visit."""

from __future__ import annotations

import json
import math
import random
from datetime import date, datetime, timedelta, timezone

from analytics_ref import offset

from host.analytics.model import Case, CheckinAttempt, OrgSettings, TrackPoint
from host.analytics.report import day_report, days_since_last_visit, working_day_of

T0 = int(datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc).timestamp() * 1000)  # 08:00 +08
DAY = date(2026, 3, 2)
P = (31.2304, 121.4737)
S = OrgSettings()


def _workday(seed=4):
    """Three 30-minute visits joined by 2 km rides at 6 m/s, fixes every 5 s, jitter 2-12 m,
    a few invalid fixes; a check-in at each visit (the last one from 260 m away)."""
    rng = random.Random(seed)
    places = [offset(*P, 0, 2000 * k) for k in range(3)]
    pts, checks, t = [], [], 0
    for k, place in enumerate(places):
        for j in range(360):
            r, a = rng.uniform(2, 12), rng.uniform(0, 2 * math.pi)
            pts.append(
                TrackPoint(
                    T0 + t,
                    *offset(*place, r * math.sin(a), r * math.cos(a)),
                    8.0,
                    0.2,
                    valid=j % 97 != 5,
                    seq=len(pts),
                )
            )
            t += 5000
        north = 260 if k == 2 else 20
        checks.append(
            CheckinAttempt(
                T0 + t - 600_000, f"C{k}", *offset(*place, north, 0), 8.0, T0 + t - 603_000
            )
        )
        if k < 2:
            for j in range(1, 67):
                pts.append(TrackPoint(T0 + t, *offset(*place, 0, 30.0 * j), 8.0, 6.0, seq=len(pts)))
                t += 5000
    return pts, [Case(f"C{k}", *pl) for k, pl in enumerate(places)], checks


def test_in_order_and_three_shuffled_late_batches_give_identical_reports():
    pts, cases, checks = _workday()
    in_order = day_report(pts, DAY, S, cases, checks)
    # Three batches: the last third arrives first, the first third hours late, the middle
    # third in between; inside each batch the order is shuffled too.
    third = len(pts) // 3
    batches = [pts[2 * third :], pts[:third], pts[third : 2 * third]]
    rng = random.Random(9)
    arrived: list[TrackPoint] = []
    for b in batches:
        b = list(b)
        rng.shuffle(b)
        arrived += b
    late = day_report(arrived, DAY, S, cases, list(reversed(checks)))
    assert json.dumps(late, sort_keys=True) == json.dumps(in_order, sort_keys=True)
    # and a retried batch (the same fixes twice) changes nothing but the duplicate count
    again = day_report(arrived + batches[1], DAY, S, cases, checks)
    # (the filters run in their documented order: an invalid fix is dropped as invalid first)
    valid_again = sum(1 for p in batches[1] if p.valid)
    assert again["audit"]["dropped"]["duplicate_time"] == valid_again
    assert again["audit"]["dropped"]["invalid"] == (
        in_order["audit"]["dropped"]["invalid"] + len(batches[1]) - valid_again
    )
    assert again["stays"] == in_order["stays"] and again["trips"] == in_order["trips"]


def test_workday_report_is_json_and_adds_up():
    pts, cases, checks = _workday()
    r = json.loads(json.dumps(day_report(pts, DAY, S, cases, checks)))
    assert [(s["class"], s["case_id"]) for s in r["stays"]] == [
        ("visit", "C0"),
        ("visit", "C1"),
        ("visit", "C2"),
    ]
    assert len(r["trips"]) == 2
    assert r["mileage_m"] == round(sum(t["distance_m"] for t in r["trips"]), 1)
    # each ride: 66 x 30 m = 1,980 m + the last step onto the next visit (about 20 m)
    for trip in r["trips"]:
        assert abs(trip["distance_m"] - 2000) < 40
    assert [c["accepted"] for c in r["checkins"]] == [True, True, False]
    assert r["checkins"][2]["reason"] == "outside_fence"
    # 360 fixes per visit, 1 in 97 invalid (j = 5, 102, 199, 296): 4 x 3 = 12 dropped
    assert r["audit"]["dropped"]["invalid"] == 12
    assert r["totals"]["stays"] == 3 and r["totals"]["checkins_refused"] == 1


def test_days_since_last_verified_visit():
    first, fifteenth = date(2026, 3, 1), date(2026, 3, 15)
    assert days_since_last_visit({"K": [first]}, fifteenth) == {"K": 14}
    assert days_since_last_visit({"K": [first], "N": []}, first) == {"K": 0, "N": None}
    # A visit after the as-of date does not count for that date.
    assert days_since_last_visit({"K": [first, fifteenth]}, date(2026, 3, 10)) == {"K": 9}


def test_refused_checkin_does_not_reset_days_since_visit():
    # Verified on the 1st; on the 10th the collector presses 260 m from the address: refused.
    case = Case("K", *P)
    day1 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 +08
    day10 = day1 + timedelta(days=9)
    attempts = [
        CheckinAttempt(
            int(day1.timestamp() * 1000),
            "K",
            *offset(*P, 20, 0),
            8.0,
            int(day1.timestamp() * 1000) - 2000,
        ),
        CheckinAttempt(
            int(day10.timestamp() * 1000),
            "K",
            *offset(*P, 260, 0),
            8.0,
            int(day10.timestamp() * 1000) - 2000,
        ),
    ]
    verified: dict[str, list[date]] = {"K": []}
    for a in attempts:
        d = working_day_of(a.t_ms, S)
        for c in day_report([], d, S, [case], [a])["checkins"]:
            if c["accepted"]:
                verified[c["case_id"]].append(d)
    assert verified == {"K": [date(2026, 3, 1)]}
    assert days_since_last_visit(verified, date(2026, 3, 15)) == {"K": 14}


def test_empty_day_is_a_report_of_nothing():
    r = day_report([], DAY, S)
    assert r["mileage_m"] == 0 and r["trips"] == [] and r["stays"] == []
    assert r["audit"]["fixes_used"] == 0
