"""The adapter between stored rows and host.analytics' plain inputs: the only module of
host.reports that knows the analytics' dataclasses and the shape of its day report."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date

from host.analytics import checkin, model, report, timeday
from host.db.models import Case, Fix, Organisation, Site

# Changes whenever the analytics or this adapter change what a report holds: part of every
# input fingerprint, so that cached day results of an older analysis are recomputed.
ANALYSIS_VERSION = "1"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def org_settings(org: Organisation, sites: Iterable[Site]) -> model.OrgSettings:
    extra = {}
    rates = json.loads(org.rates_json or "{}")
    if rates:  # else the analytics' default table
        extra["rates_per_km"] = {str(k): float(v) for k, v in rates.items()}
    return model.OrgSettings(
        tz=org.tz,
        fence_radius_m=float(org.fence_radius_m),
        checkin_max_acc_m=float(org.checkin_max_acc_m),
        checkin_max_age_s=float(org.checkin_max_age_s),
        stay_radius_m=float(org.stay_radius_m),
        stay_min_s=float(org.stay_min_s),
        idle_limit_s=float(org.idle_limit_s),
        work_start=_hhmm(org.work_start_min),
        work_end=_hhmm(org.work_end_min),
        offices=tuple(
            model.Site(s.name, s.lat_e7 / 1e7, s.lon_e7 / 1e7, float(s.radius_m)) for s in sites
        ),
        **extra,
    )


# The Fix columns a track point is made of, in track_point's order (loaded as plain rows).
POINT_COLUMNS = (Fix.fix_ms, Fix.lat_e7, Fix.lon_e7, Fix.acc_m, Fix.speed_cmps, Fix.valid, Fix.seq)


def track_point(row) -> model.TrackPoint:
    fix_ms, lat_e7, lon_e7, acc_m, speed_cmps, valid, seq = row
    return model.TrackPoint(
        t_ms=fix_ms,
        lat=lat_e7 / 1e7,
        lon=lon_e7 / 1e7,
        acc_m=None if acc_m is None else float(acc_m),
        speed_mps=None if speed_cmps is None else speed_cmps / 100,
        valid=bool(valid),
        seq=seq,
    )


def case_id(case: Case) -> str:
    return str(case.number)


def case_input(case: Case) -> model.Case:
    polygon = None
    if case.polygon_wkt:
        import shapely

        ring = shapely.from_wkt(case.polygon_wkt).exterior.coords
        polygon = tuple((lat, lon) for lon, lat in ring)  # WKT is lon lat; analytics lat, lon
    return model.Case(
        case_id=case_id(case),
        lat=case.lat_e7 / 1e7,
        lon=case.lon_e7 / 1e7,
        radius_m=None if case.fence_radius_m is None else float(case.fence_radius_m),
        polygon=polygon,
        priority=case.priority,
        due=case.due_date,
    )


def attempt(attempt_ms: int, case: Case, fix: Fix) -> model.CheckinAttempt:
    return model.CheckinAttempt(
        t_ms=attempt_ms,
        case_id=case_id(case),
        lat=fix.lat_e7 / 1e7,
        lon=fix.lon_e7 / 1e7,
        acc_m=None if fix.acc_m is None else float(fix.acc_m),
        fix_t_ms=fix.fix_ms,
    )


def day_bounds(day: date, settings: model.OrgSettings) -> tuple[int, int]:
    return timeday.local_day_bounds(day, settings)


def working_day(t_ms: int, settings: model.OrgSettings) -> date:
    return timeday.working_day_of(t_ms, settings)


def fingerprint(
    settings: model.OrgSettings,
    day: date,
    fixes_key: tuple,
    cases: Sequence[model.Case],
    attempts: Sequence[model.CheckinAttempt],
    refused: Sequence[tuple] = (),
) -> str:
    """SHA-256 over everything the day report depends on. `fixes_key` identifies the set
    of the day's usable fixes (stored fixes are never changed, only added or quarantined);
    `refused` are the check-ins refused before the analytics (no fix, unknown case)."""
    head = {
        "v": ANALYSIS_VERSION,
        "day": day.isoformat(),
        "settings": dataclasses.asdict(settings),
        "fixes": list(fixes_key),
        "cases": [dataclasses.astuple(c) for c in cases],
        "attempts": [dataclasses.astuple(a) for a in attempts],
        "refused": list(refused),
    }
    return hashlib.sha256(json.dumps(head, sort_keys=True, default=str).encode()).hexdigest()


def day_report(
    points: Sequence[model.TrackPoint],
    day: date,
    settings: model.OrgSettings,
    cases: Sequence[model.Case],
    attempts: Sequence[model.CheckinAttempt],
) -> dict:
    return report.day_report(points, day, settings, cases, attempts)


def judge(
    attempt_: model.CheckinAttempt, cases: dict[str, model.Case], settings: model.OrgSettings
) -> tuple[bool, list[str], float | None]:
    """The analytics' verdict on one check-in: (accepted, reasons, distance from the case
    point in m)."""
    out = checkin.check_in(attempt_, cases, settings)
    reasons = [] if out["reason"] is None else [str(out["reason"])]
    return bool(out["accepted"]), reasons, out["distance_m"]


def days_since(dates_by_case: dict[str, list[date]], as_of: date) -> dict[str, int | None]:
    return report.days_since_last_visit(dates_by_case, as_of)
