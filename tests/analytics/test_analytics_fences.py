"""Fence events with hysteresis, dwell, and check-in validation on the host's geometry."""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pytest
from analytics_ref import offset, vincenty_m

from host.analytics.checkin import check_in
from host.analytics.fences import fence_events
from host.analytics.model import Case, CheckinAttempt, OrgSettings, TrackPoint
from host.analytics.report import day_report

T0 = int(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc).timestamp() * 1000)  # 09:00 +08
DAY = date(2026, 3, 2)
S = OrgSettings()
CENTRE = (31.2304, 121.4737)
CASE = Case("K1", *CENTRE)


def _events(points, cases, settings=S):
    t = np.array([p.t_ms for p in points])
    lat = np.array([p.lat for p in points])
    lon = np.array([p.lon for p in points])
    return fence_events(t, lat, lon, cases, settings)


def test_bug_report_fence_edge_at_97_to_104_m_enters_once_and_never_exits():
    centre = (48.117300, 11.516700)
    lons = [11.518007, 11.518087, 11.518020, 11.518101, 11.518034]
    # The report's distances, checked with the reference: 97, 103, 98, 104, 99 m.
    ref = [vincenty_m(*centre, 48.117300, lon) for lon in lons]
    assert [round(d) for d in ref] == [97, 103, 98, 104, 99]
    fixes = [TrackPoint(T0 + 30_000 * k, 48.117300, lon, 10.0) for k, lon in enumerate(lons)]
    [fence] = _events(fixes, [Case("M", *centre, radius_m=100.0)])
    assert [e["type"] for e in fence["events"]] == ["enter"]
    assert fence["events"][0]["t_ms"] == T0
    # Dwell runs to the last fix and says the visit is still open: 4 x 30 s.
    assert fence["dwell_s"] == 120.0 and fence["visits"][0]["open"] is True


def test_crossing_the_edge_back_and_forth_gives_one_enter_and_one_exit():
    # East of the centre, every 10 s: 400 m in to 190 m (steps of 30 m: 400, 370, ..., 190:
    # 8 fixes), then 60 fixes alternating 212 / 190 m (the jitter radius: 60 crossings of the
    # 200 m edge), then out 240, 270, ..., 390 m (6 fixes). 1 + 60 + 1 = 62 crossings.
    dist = list(range(400, 189, -30)) + [190 if k % 2 else 212 for k in range(60)]
    dist += list(range(240, 391, 30))
    fixes = [TrackPoint(T0 + 10_000 * k, *offset(*CENTRE, 0, d), 8.0) for k, d in enumerate(dist)]
    crossings = sum(1 for a, b in zip(dist, dist[1:], strict=False) if (a <= 200) != (b <= 200))
    assert crossings == 62  # what a detector without hysteresis would report as events
    [fence] = _events(fixes, [CASE])
    assert [e["type"] for e in fence["events"]] == ["enter", "exit"]
    # enter: first fix at <= 200 m is index 7 (190 m); exit: first fix beyond 200 + 25 m is
    # index 68 (240 m). Dwell (68 - 7) x 10 s = 610 s.
    assert fence["events"][0]["t_ms"] == T0 + 70_000
    assert fence["events"][1]["t_ms"] == T0 + 680_000
    assert fence["dwell_s"] == 610.0


def test_polygon_fence_wins_over_the_radius():
    # A 100 m x 100 m square north-east of the address point.
    ring = (CENTRE, offset(*CENTRE, 100, 0), offset(*CENTRE, 100, 100), offset(*CENTRE, 0, 100))
    case = Case("P", *CENTRE, radius_m=500.0, polygon=ring)
    inside = TrackPoint(T0, *offset(*CENTRE, 50, 50), 5.0)
    outside = TrackPoint(T0 + 60_000, *offset(*CENTRE, -60, -60), 5.0)  # 85 m from the point
    [fence] = _events([inside, outside], [case])
    assert [e["type"] for e in fence["events"]] == ["enter", "exit"]


def _attempt(north_m, acc_m, age_s=5.0, case_id="K1"):
    lat, lon = offset(*CENTRE, north_m, 0)
    return CheckinAttempt(T0, case_id, lat, lon, acc_m, T0 - int(age_s * 1000))


def _check(attempt, settings=S):
    return check_in(attempt, {"K1": CASE}, settings)


def test_checkin_at_180_m_is_accepted():
    r = _check(_attempt(180, 10.0))  # 180 + 1 x 10 = 190 <= 200
    assert r["accepted"] and r["reason"] is None
    assert r["distance_m"] == pytest.approx(180.0, abs=0.05)
    assert r["edge_margin_m"] == pytest.approx(10.0, abs=0.05)


def test_checkin_at_230_m_is_refused_outside():
    r = _check(_attempt(230, 10.0))
    assert not r["accepted"] and r["reason"] == "outside_fence"


def test_checkin_at_195_m_with_40_m_accuracy_is_refused_as_documented():
    # The documented rule: distance + k x accuracy <= radius, k = 1: 195 + 40 = 235 > 200.
    r = _check(_attempt(195, 40.0))
    assert not r["accepted"] and r["reason"] == "accuracy_straddles_fence"
    assert r["edge_margin_m"] == pytest.approx(-35.0, abs=0.05)
    # With k = 0 (centre inside is enough), the same fix counts.
    assert _check(_attempt(195, 40.0), OrgSettings(checkin_acc_k=0.0))["accepted"]


@pytest.mark.parametrize(
    ("attempt", "reason"),
    [
        (_attempt(10, 60.0), "accuracy_too_poor"),  # above checkin_max_acc_m = 50
        (_attempt(10, None), "no_accuracy"),
        (_attempt(10, 10.0, age_s=61), "stale_fix"),  # older than 60 s
        (_attempt(10, 10.0, age_s=-5), "fix_after_press"),
        (_attempt(10, 10.0, case_id="nope"), "unknown_case"),
    ],
)
def test_refused_checkins_keep_their_reason(attempt, reason):
    r = _check(attempt)
    assert not r["accepted"] and r["reason"] == reason


def test_per_case_radius_is_used():
    case = Case("K1", *CENTRE, radius_m=300.0)
    assert check_in(_attempt(230, 10.0), {"K1": case}, S)["accepted"]  # 240 <= 300


def test_day_report_lists_checkin_results():
    points = [TrackPoint(T0 + 5000 * k, *offset(*CENTRE, 5, 0), 8.0) for k in range(10)]
    r = day_report(points, DAY, S, [CASE], [_attempt(180, 10.0), _attempt(230, 10.0)])
    assert [(c["accepted"], c["reason"]) for c in r["checkins"]] == [
        (True, None),
        (False, "outside_fence"),
    ]
    assert r["totals"]["checkins_accepted"] == 1 and r["totals"]["checkins_refused"] == 1
