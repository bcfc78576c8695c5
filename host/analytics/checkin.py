"""Check-in validation on the host's own geometry (the badge's verdict is never trusted).

A check-in counts when, in this order:
  the case is known                         else `unknown_case`
  the fix has an accuracy radius            else `no_accuracy`
  accuracy <= checkin_max_acc_m             else `accuracy_too_poor`
  0 <= press time - fix time <= max_age_s   else `fix_after_press` / `stale_fix`
  the fix lies inside the fence             else `outside_fence`
  distance + k * accuracy <= radius         else `accuracy_straddles_fence`
The last rule (k = checkin_acc_k, 1 by default) asks that the whole accuracy circle lie
inside the fence: with a 200 m fence, a fix at 180 m with 10 m accuracy counts (190 m), one
at 195 m with 40 m accuracy does not (235 m), however close its centre is. For a polygon
fence, "distance" is the signed distance to its edge: the accuracy circle must fit inside.
"""

from __future__ import annotations

from collections.abc import Mapping

from host.analytics.fences import signed_distance_m
from host.analytics.geodesy import distance_m
from host.analytics.model import Case, CheckinAttempt, OrgSettings

_FUTURE_TOLERANCE_S = 1.0  # a fix stamped up to 1 s after the press: same GNSS epoch


def check_in(attempt: CheckinAttempt, cases: Mapping[str, Case], settings: OrgSettings) -> dict:
    out = {
        "case_id": attempt.case_id,
        "t_ms": attempt.t_ms,
        "fix_t_ms": attempt.fix_t_ms,
        "acc_m": attempt.acc_m,
        "distance_m": None,
        "edge_margin_m": None,
        "accepted": False,
        "reason": None,
    }
    case = cases.get(attempt.case_id)
    if case is None:
        return {**out, "reason": "unknown_case"}
    d = distance_m(case.lat, case.lon, attempt.lat, attempt.lon)
    out["distance_m"] = round(d, 2)
    age_s = (attempt.t_ms - attempt.fix_t_ms) / 1000.0
    if attempt.acc_m is None:
        return {**out, "reason": "no_accuracy"}
    if not attempt.acc_m <= settings.checkin_max_acc_m:
        return {**out, "reason": "accuracy_too_poor"}
    if age_s < -_FUTURE_TOLERANCE_S:
        return {**out, "reason": "fix_after_press"}
    if age_s > settings.checkin_max_age_s:
        return {**out, "reason": "stale_fix"}
    if case.polygon:
        sd = float(signed_distance_m(case, settings, [attempt.lat], [attempt.lon])[0])
    else:
        sd = d - settings.radius_of(case)
    margin = -sd - settings.checkin_acc_k * attempt.acc_m  # >= 0: accuracy circle fits
    out["edge_margin_m"] = round(margin, 2)
    if sd > 0:
        return {**out, "reason": "outside_fence"}
    if margin < 0:
        return {**out, "reason": "accuracy_straddles_fence"}
    return {**out, "accepted": True}
