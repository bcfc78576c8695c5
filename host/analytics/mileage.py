"""Mileage: trips between stays, jitter gate, transport mode, reimbursement, detours.

Distance counts only on trips (the stretches between stays: time inside a stay adds
nothing). Along a trip, the jitter gate keeps an anchor fix and moves it to the next fix
that lies farther from it than max(min_move_m, acc(anchor) + acc(fix)) and that does not
report itself stationary (own speed below stationary_mps; a fix without speed is not
judged by it) unless it lies farther than stay_radius_m (it moved while no fix was made).
The trip's distance is the geodesic length of that chain of anchors, plus the last leg to
the fix where a following stay begins. A badge lying still accrues
nothing while its fixes wander within their accuracy, or up to stay_radius_m when they say
speed 0.
Anchor legs faster than max_speed_mps (a jump that persists) are not counted and are listed;
a jump between two consecutive fixes (farther apart than the gate, faster than
max_speed_mps) is made such a leg even when the anchors around it are far apart in time.

Mode: the 85th percentile of the fixes' own speeds (else of the anchor-leg speeds): up to
walk_max_mps walk, up to ebike_max_mps ebike, else car. Reimbursement = km x rate of mode.
Detour: trip distance over the straight line between its ends (or the planned distance
when given) above detour_factor, judged for trips from one visit to the next.
"""

from __future__ import annotations

import math

import numpy as np

from host.analytics.geodesy import distance_m, leg_lengths_m
from host.analytics.model import OrgSettings


def gate(
    x: list[float],
    y: list[float],
    acc: list[float],
    still: list[bool],
    min_move_m: float,
    to_end: bool,
    jump: list[bool] | None = None,
    still_max_m: float = math.inf,
) -> list[int]:
    """Indices of the anchor chain over one trip's fixes (acc 0 where unknown, `still` where
    the fix's own speed says it did not move); the last fix is added when `to_end`.
    `jump[i]`: fix i was reached from fix i-1 impossibly fast; i-1 and i both become anchors
    so that the jump is a leg of its own (not counted) instead of hiding in a longer leg
    whose average speed looks possible. A fix that says it is still but lies farther than
    `still_max_m` from the anchor moved (during a gap in the fixes) and may become one."""
    n = len(x)
    if n == 0:
        return []
    anchors = [0]
    ax, ay, aacc = x[0], y[0], acc[0]
    for i in range(1, n):
        if jump is not None and jump[i]:
            if anchors[-1] != i - 1:
                anchors.append(i - 1)
            anchors.append(i)
            ax, ay, aacc = x[i], y[i], acc[i]
            continue
        dx, dy = x[i] - ax, y[i] - ay
        d2 = dx * dx + dy * dy
        if still[i] and d2 <= still_max_m * still_max_m:
            continue
        g = aacc + acc[i]
        if g < min_move_m:
            g = min_move_m
        if d2 > g * g:
            anchors.append(i)
            ax, ay, aacc = x[i], y[i], acc[i]
    if to_end and anchors[-1] != n - 1:
        anchors.append(n - 1)
    return anchors


def jumps(x, y, acc, t_ms, settings: OrgSettings) -> np.ndarray:
    """jump[i]: fix i is unreachable from fix i-1 and from fix i-2: farther than the gate
    (max(min_move_m, acc + acc)) and faster than max_speed_mps (plane metres; jump[0] is
    False). Judging from i-2 as well lets the first, stale fix after a gap in the recording
    be corrected by the next one (run_gpxtpx.gpx: 82 m in 1 s after a 140 s pause)."""
    n = len(x)
    out = np.zeros(n, dtype=bool)
    for back in (1, 2):
        if n <= back:
            return out  # fix 1 has no fix i-2: judged from fix 0 alone
        step = np.hypot(x[back:] - x[:-back], y[back:] - y[:-back])
        dt = (t_ms[back:] - t_ms[:-back]) / 1000.0
        gate_m = np.maximum(settings.min_move_m, acc[:-back] + acc[back:])
        fast = (step > gate_m) & (step > settings.max_speed_mps * dt)
        if back == 1:
            out[1:] = fast
        else:
            out[2:] &= fast
    return out


def mode_of(p85_mps: float, settings: OrgSettings) -> str:
    if p85_mps <= settings.walk_max_mps:
        return "walk"
    if p85_mps <= settings.ebike_max_mps:
        return "ebike"
    return "car"


def trip_figures(t_ms, lat, lon, speed, anchors_abs, settings: OrgSettings) -> dict:
    """Distance, impossible legs, speed profile and mode of one trip (absolute indices)."""
    a = np.asarray(anchors_abs)
    legs = leg_lengths_m(lat[a], lon[a])
    dt = np.diff(t_ms[a]) / 1000.0
    v = np.divide(legs, dt, out=np.zeros_like(legs), where=dt > 0)
    impossible = v > settings.max_speed_mps
    counted = legs[~impossible]
    own = speed[a[0] : a[-1] + 1]
    own = own[np.isfinite(own)]
    if len(own) >= max(2, len(a) // 2):
        p85 = float(np.percentile(own, 85))
        source = "fix_speed"
    else:
        p85 = float(np.percentile(v[~impossible], 85)) if np.any(~impossible) else 0.0
        source = "anchor_legs"
    return {
        "distance_m": float(counted.sum()),
        "impossible_legs": [
            {
                "from_ms": int(t_ms[a[k]]),
                "to_ms": int(t_ms[a[k + 1]]),
                "distance_m": round(float(legs[k]), 1),
            }
            for k in np.flatnonzero(impossible)
        ],
        "anchors": len(a),
        "speed_p85_mps": round(p85, 2),
        "speed_source": source,
        "mode": mode_of(p85, settings),
    }


def reimbursement(distance_m_: float, mode: str, settings: OrgSettings) -> float:
    return round(distance_m_ / 1000.0 * settings.rates_per_km.get(mode, 0.0), 2)


def detour(
    distance: float,
    a: tuple[float, float],
    b: tuple[float, float],
    planned: float | None,
    settings: OrgSettings,
) -> dict:
    straight = distance_m(a[0], a[1], b[0], b[1])
    ref = planned if planned else straight
    ratio = distance / ref if ref > 0 else math.inf if distance > 0 else 1.0
    return {
        "straight_m": round(straight, 1),
        "planned_m": planned,
        "ratio": None if math.isinf(ratio) else round(ratio, 3),
        "flag": bool(ratio > settings.detour_factor),
    }
