"""Case fences: signed distance to a fence, enter/exit events with hysteresis, dwell.

A fence is the case's polygon when it has one, else a circle of the case's radius (the
organisation's `fence_radius_m` by default). Signed distance is negative inside.

Hysteresis: a fix enters when it lies inside the fence (signed distance <= 0) and exits
only when it lies more than `fence_hysteresis_m` outside; fixes in between keep the
previous state, so jitter along the edge does not flap. Dwell is the sum of enter-to-exit
spans; a visit still open when the data ends closes at the last fix (`open: true`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from host.analytics.geodesy import to_plane
from host.analytics.model import Case, OrgSettings


def signed_distance_m(case: Case, settings: OrgSettings, lats, lons) -> np.ndarray:
    """Metres from the fence edge, negative inside, in a plane centred on the case."""
    x, y = to_plane(lats, lons, case.lat, case.lon)
    if case.polygon:
        ring = [(float(la), float(lo)) for la, lo in case.polygon]
        px, py = to_plane([p[0] for p in ring], [p[1] for p in ring], case.lat, case.lon)
        poly = shapely.Polygon(np.column_stack([px, py]))
        shapely.prepare(poly)
        pts = shapely.points(x, y)
        d = shapely.distance(poly.exterior, pts)
        return np.where(shapely.contains_xy(poly, x, y), -d, d)
    return np.hypot(x, y) - settings.radius_of(case)


def inside_states(sd: np.ndarray, hysteresis_m: float) -> np.ndarray:
    """True where the collector counts as inside, after hysteresis (starts outside)."""
    n = len(sd)
    decisive = np.where(sd <= 0, 1, np.where(sd > hysteresis_m, 0, -1))
    idx = np.where(decisive >= 0, np.arange(n), -1)
    idx = np.maximum.accumulate(idx) if n else idx
    return np.where(idx >= 0, decisive[np.maximum(idx, 0)] == 1, False)


def fence_events(
    t_ms: np.ndarray, lats, lons, cases: Sequence[Case], settings: OrgSettings
) -> list[dict]:
    out = []
    for case in cases:
        if not len(t_ms):
            out.append({"case_id": case.case_id, "events": [], "visits": [], "dwell_s": 0.0})
            continue
        state = inside_states(
            signed_distance_m(case, settings, lats, lons), settings.fence_hysteresis_m
        )
        change = np.flatnonzero(np.diff(np.concatenate(([False], state))).astype(bool))
        events, visits = [], []
        for k in change:
            kind = "enter" if state[k] else "exit"
            events.append({"type": kind, "t_ms": int(t_ms[k])})
            if kind == "enter":
                visits.append({"enter_ms": int(t_ms[k]), "exit_ms": None, "open": True})
            else:
                visits[-1].update(exit_ms=int(t_ms[k]), open=False)
        for v in visits:
            if v["open"]:
                v["exit_ms"] = int(t_ms[-1])
            v["dwell_s"] = (v["exit_ms"] - v["enter_ms"]) / 1000.0
        out.append(
            {
                "case_id": case.case_id,
                "events": events,
                "visits": visits,
                "dwell_s": sum(v["dwell_s"] for v in visits),
            }
        )
    return out


def containing_case(
    lat: float, lon: float, cases: Sequence[Case], settings: OrgSettings
) -> str | None:
    """The case whose fence holds the point most deeply, or None."""
    best, best_sd = None, 0.0
    for case in cases:
        sd = float(signed_distance_m(case, settings, [lat], [lon])[0])
        if sd <= 0 and (best is None or sd < best_sd):
            best, best_sd = case.case_id, sd
    return best
