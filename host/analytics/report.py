"""The day report: everything a supervisor or a finance clerk reads about one collector-day.

`day_report` is a pure function of its inputs: fixes are sorted by fix time (arrival order
never matters), so a day recomputed after a late batch gives the same result as if the data
had arrived in order. The pipeline, in order: select the working day's fixes, clean them
(filters.py), find stays (stays.py) and classify them, cut trips at the stays and measure
them (mileage.py), fence events (fences.py), check-ins (checkin.py), idle alerts, totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np

from host.analytics import filters, mileage
from host.analytics.checkin import check_in
from host.analytics.fences import containing_case, fence_events
from host.analytics.geodesy import distance_m, to_plane
from host.analytics.model import Case, CheckinAttempt, OrgSettings, Site, TrackPoint
from host.analytics.stays import find_stays
from host.analytics.timeday import (
    iso_local,
    local_day_bounds,
    working_day_of,
    working_windows_ms,
)

__all__ = ["day_report", "days_since_last_visit", "local_day_bounds", "working_day_of"]

_FILTER_SETTINGS = (
    "max_fix_acc_m",
    "max_speed_mps",
    "min_move_m",
    "stationary_mps",
    "stay_radius_m",
    "stay_min_s",
    "fence_radius_m",
    "fence_hysteresis_m",
    "checkin_max_acc_m",
    "checkin_max_age_s",
    "checkin_acc_k",
    "idle_limit_s",
    "work_start",
    "work_end",
    "walk_max_mps",
    "ebike_max_mps",
    "detour_factor",
)


def day_report(
    points: Iterable[TrackPoint],
    day: date,
    settings: OrgSettings | None = None,
    cases: Iterable[Case] = (),
    checkins: Iterable[CheckinAttempt] = (),
    planned_m: Mapping[tuple[str, str], float] | None = None,
) -> dict:
    """JSON-serialisable report of working day `day` (in settings.tz).

    `planned_m` maps (from case_id, to case_id) to a planned route length: when given, a
    visit-to-visit trip is compared with it instead of the straight line."""
    s = settings or OrgSettings()
    cases = tuple(cases)
    start_ms, end_ms = local_day_bounds(day, s)
    given = list(points)
    in_day = [p for p in given if start_ms <= p.t_ms < end_ms]
    ct = filters.clean_track(in_day, s)
    n = len(ct)

    stays: list[dict] = []
    trips: list[dict] = []
    if n:
        x, y = to_plane(ct.lat, ct.lon, float(np.median(ct.lat)), float(np.median(ct.lon)))
        t_s = (ct.t_ms - ct.t_ms[0]) / 1000.0
        ranges = find_stays(t_s, x, y, s.stay_radius_m, s.stay_min_s, ct.speed_mps)
        stays = [_stay(ct, a, b, cases, s, day) for a, b in ranges]
        trips = _trips(ct, x, y, ranges, stays, s, planned_m or {})

    cases_by_id = {c.case_id: c for c in cases}
    attempts = sorted(checkins, key=lambda c: (c.t_ms, c.case_id, c.fix_t_ms))
    checked = [check_in(a, cases_by_id, s) for a in attempts if start_ms <= a.t_ms < end_ms]
    fences = fence_events(ct.t_ms, ct.lat, ct.lon, cases, s)
    idle = [
        {k: st[k] for k in ("start_ms", "end_ms", "start", "end", "centre", "duration_s")}
        | {"working_s": st["working_s"]}
        for st in stays
        if st["class"] == "unknown" and st["working_s"] > s.idle_limit_s
    ]
    mileage_m = round(sum(t["distance_m"] for t in trips), 1)
    by_mode: dict[str, float] = {}
    for t in trips:
        by_mode[t["mode"]] = round(by_mode.get(t["mode"], 0.0) + t["distance_m"], 1)
    return {
        "day": day.isoformat(),
        "tz": s.tz,
        "bounds": {
            "start_ms": start_ms,
            "end_ms": end_ms,
            "start": iso_local(start_ms, s),
            "end": iso_local(end_ms, s),
        },
        "mileage_m": mileage_m,
        "reimbursement": round(sum(t["reimbursement"] for t in trips), 2),
        "trips": trips,
        "stays": stays,
        "fences": fences,
        "checkins": checked,
        "idle_alerts": idle,
        "audit": {
            "settings": {k: getattr(s, k) for k in _FILTER_SETTINGS}
            | {"rates_per_km": dict(s.rates_per_km)},
            "fixes_given": len(given),
            "fixes_outside_day": len(given) - len(in_day),
            "fixes_in_day": len(in_day),
            "fixes_used": n,
            "dropped": ct.counts,
            "dropped_fixes": ct.dropped,
            "checkins_outside_day": sum(1 for a in attempts if not start_ms <= a.t_ms < end_ms),
        },
        "totals": {
            "mileage_m": mileage_m,
            "mileage_by_mode_m": by_mode,
            "trips": len(trips),
            "stays": len(stays),
            "visit_stays": sum(1 for st in stays if st["class"] == "visit"),
            "office_stays": sum(1 for st in stays if st["class"] == "office"),
            "unknown_stays": sum(1 for st in stays if st["class"] == "unknown"),
            "stay_s": sum(st["duration_s"] for st in stays),
            "dwell_s_by_case": {f["case_id"]: f["dwell_s"] for f in fences},
            "checkins_accepted": sum(1 for c in checked if c["accepted"]),
            "checkins_refused": sum(1 for c in checked if not c["accepted"]),
            "idle_alerts": len(idle),
            "first_fix_ms": int(ct.t_ms[0]) if n else None,
            "last_fix_ms": int(ct.t_ms[-1]) if n else None,
        },
    }


def _office(lat: float, lon: float, offices: tuple[Site, ...]) -> str | None:
    for site in offices:
        if distance_m(site.lat, site.lon, lat, lon) <= site.radius_m:
            return site.name
    return None


def _stay(ct: filters.CleanTrack, a: int, b: int, cases, s: OrgSettings, day: date) -> dict:
    lat = float(np.median(ct.lat[a : b + 1]))
    lon = float(np.median(ct.lon[a : b + 1]))
    t0, t1 = int(ct.t_ms[a]), int(ct.t_ms[b])
    case_id = containing_case(lat, lon, cases, s)
    office = None if case_id else _office(lat, lon, s.offices)
    w0, w1 = working_windows_ms(day, s)
    return {
        "start_ms": t0,
        "end_ms": t1,
        "start": iso_local(t0, s),
        "end": iso_local(t1, s),
        "duration_s": (t1 - t0) / 1000.0,
        "centre": [round(lat, 7), round(lon, 7)],
        "fixes": b - a + 1,
        "class": "visit" if case_id else "office" if office else "unknown",
        "case_id": case_id,
        "office": office,
        "working_s": max(0, min(t1, w1) - max(t0, w0)) / 1000.0,
    }


def _trips(ct, x, y, ranges, stays, s: OrgSettings, planned: Mapping) -> list[dict]:
    n = len(ct)
    bounds = [0] + [b for _, b in ranges], [a for a, _ in ranges] + [n - 1]
    ends = [None] + stays, stays + [None]  # the stay a trip leaves and the one it reaches
    acc = np.nan_to_num(ct.acc_m, nan=0.0)
    still = ct.speed_mps < s.stationary_mps  # False where the fix has no speed (NaN)
    jump = mileage.jumps(x, y, acc, ct.t_ms, s)
    trips = []
    for k, (i0, i1) in enumerate(zip(*bounds, strict=True)):
        if i1 <= i0:
            continue
        rel = mileage.gate(
            x[i0 : i1 + 1].tolist(),
            y[i0 : i1 + 1].tolist(),
            acc[i0 : i1 + 1].tolist(),
            still[i0 : i1 + 1].tolist(),
            s.min_move_m,
            to_end=ends[1][k] is not None,
            jump=jump[i0 : i1 + 1].tolist(),
            still_max_m=s.stay_radius_m,
        )
        if len(rel) < 2:
            continue
        fig = mileage.trip_figures(ct.t_ms, ct.lat, ct.lon, ct.speed_mps, [i0 + r for r in rel], s)
        if fig["distance_m"] <= 0 and not fig["impossible_legs"]:
            continue
        frm, to = ends[0][k], ends[1][k]
        a_pt = tuple(frm["centre"]) if frm else (float(ct.lat[i0]), float(ct.lon[i0]))
        b_pt = tuple(to["centre"]) if to else (float(ct.lat[i1]), float(ct.lon[i1]))
        from_case = frm["case_id"] if frm else None
        to_case = to["case_id"] if to else None
        det = mileage.detour(fig["distance_m"], a_pt, b_pt, planned.get((from_case, to_case)), s)
        if not (from_case and to_case):
            det["flag"] = False  # detours are judged between consecutive visits only
        t0, t1 = int(ct.t_ms[i0]), int(ct.t_ms[i1])
        trips.append(
            {
                "start_ms": t0,
                "end_ms": t1,
                "start": iso_local(t0, s),
                "end": iso_local(t1, s),
                "from": _label(frm),
                "to": _label(to),
                "distance_m": round(fig["distance_m"], 1),
                "fixes": i1 - i0 + 1,
                "anchors": fig["anchors"],
                "mode": fig["mode"],
                "speed_p85_mps": fig["speed_p85_mps"],
                "speed_source": fig["speed_source"],
                "reimbursement": mileage.reimbursement(fig["distance_m"], fig["mode"], s),
                "rate_per_km": s.rates_per_km.get(fig["mode"], 0.0),
                "straight_m": det["straight_m"],
                "planned_m": det["planned_m"],
                "detour_ratio": det["ratio"],
                "detour": det["flag"],
                "impossible_legs": fig["impossible_legs"],
            }
        )
    return trips


def _label(stay: dict | None) -> dict | None:
    if stay is None:
        return None
    return {
        "class": stay["class"],
        "case_id": stay["case_id"],
        "office": stay["office"],
        "at_ms": stay["end_ms"],
    }


def days_since_last_visit(
    verified_visit_dates_by_case: Mapping[str, Iterable[date]], as_of: date
) -> dict[str, int | None]:
    """Days from each case's last verified visit on or before `as_of` to `as_of`; None when
    never visited. Only pass dates of accepted check-ins (a refused one proves nothing)."""
    out: dict[str, int | None] = {}
    for case_id, dates in verified_visit_dates_by_case.items():
        past = [d for d in dates if d <= as_of]
        out[case_id] = (as_of - max(past)).days if past else None
    return out
