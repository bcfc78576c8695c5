"""Helpers of the report tests (tests/host/test_reports*.py): fixes chosen by hand, sent
through the real ingest API by a SoftBadge, and a logged-in console session.

A fix is (utc, lat_e7, lon_e7, acc_m, speed_cmps); `utc` is an ISO 8601 time with an offset.
"""

from __future__ import annotations

import calendar
from datetime import datetime

import requests
from consolekit import add_admin, csrf_from, login
from hostkit import SoftBadge, post_batch

from host.db import get_db
from host.reports.registry import add_case, add_collector, plan_visits

# Meridian arc of WGS84 per degree of latitude near 31.23 N, from the standard series
# 111132.954 - 559.822 cos(2 phi) + 1.175 cos(4 phi): cos(62.46 deg) = 0.46236,
# cos(124.92 deg) = -0.57232 -> 111132.954 - 258.84 - 0.67 = 110873.44 m.
M_PER_DEG_LAT = 110873.44
CASE_LAT_E7, CASE_LON_E7 = 312_300_000, 1_214_700_000  # 31.2300000 N, 121.4700000 E


def north_e7(metres: float) -> int:
    """lat_e7 of the point `metres` due north of the case point (rounded to 1e-7 deg)."""
    return CASE_LAT_E7 + round(metres / M_PER_DEG_LAT * 1e7)


def utc_s(iso: str) -> int:
    """Seconds since 1970 of an ISO time with an offset (calendar.timegm, not the code)."""
    dt = datetime.fromisoformat(iso)
    return calendar.timegm(dt.utctimetuple())


def fix_records(badge: SoftBadge, fixes) -> list[bytes]:
    out = []
    for utc, lat_e7, lon_e7, acc_m, speed_cmps in fixes:
        out += badge.records(
            1,
            time_s=utc_s(utc),
            lat_e7=lat_e7,
            lon_e7=lon_e7,
            acc_m=acc_m,
            speed_cmps=speed_cmps,
        )
    return out


def upload(base: str, badge: SoftBadge, records: list[bytes], per_batch: int = 500) -> None:
    for i in range(0, len(records), per_batch):
        r = post_batch(base, badge.batch(records[i : i + per_batch]))
        assert r.status_code == 200, r.text


def setup_field(
    app, badge: SoftBadge, collector: str = "Zhang", plan_day=None, cases: bool = True
) -> None:
    """Collector `collector` wearing `badge`; with `cases`, case 1001 at the case point and
    case 1002 3.4 km away (both planned for the collector on plan_day when given)."""
    with get_db(app).sessions() as s:
        add_collector(s, collector, badge.device_id)
        if cases:
            add_case(s, 1001, CASE_LAT_E7 / 1e7, CASE_LON_E7 / 1e7, name="Li Wei", priority=2)
            add_case(s, 1002, 31.25, 121.50, name="Wang Fang")
        if plan_day is not None:
            plan_visits(s, add_collector(s, collector), plan_day, [1001, 1002])


def console(app, base: str) -> tuple[requests.Session, str]:
    """A requests session logged in as an admin, and its CSRF token."""
    add_admin(app)
    http = requests.Session()
    r = login(http, base)
    assert r.status_code == 200
    return http, csrf_from(r.text)


def post_checkin(http, base, token, collector, case_number, when):
    return http.post(
        f"{base}/api/v1/checkins",
        json={"collector": collector, "case_number": case_number, "time": when},
        headers={"X-CSRF-Token": token},
    )
