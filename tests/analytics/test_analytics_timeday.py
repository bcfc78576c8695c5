"""Local days and working hours: UTC stored, the organisation's zone for days and reports."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from host.analytics.model import OrgSettings, TrackPoint
from host.analytics.report import day_report, local_day_bounds, working_day_of
from host.analytics.timeday import in_working_hours, parse_utc_ms


def ms(y, mo, d, h, mi=0, s=0) -> int:
    return int(datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc).timestamp() * 1000)


SHANGHAI = OrgSettings()  # Asia/Shanghai = UTC+8, no DST
NIGHT = OrgSettings(work_start="20:00", work_end="08:00")


def test_shanghai_day_is_cut_at_local_midnight():
    # 2026-03-02 00:00 +08:00 = 2026-03-01 16:00 UTC
    assert local_day_bounds(date(2026, 3, 2), SHANGHAI) == (ms(2026, 3, 1, 16), ms(2026, 3, 2, 16))


def test_working_day_crossing_utc_midnight_is_one_day():
    # Shanghai 07:30-18:00 on 2 March is 1 March 23:30 UTC to 2 March 10:00 UTC.
    points = [
        TrackPoint(ms(2026, 3, 1, 23, 30) + k * 60_000, 31.23, 121.47 + k * 1e-4, 10.0)
        for k in range(631)
    ]
    assert {working_day_of(p.t_ms, SHANGHAI) for p in points} == {date(2026, 3, 2)}
    r = day_report(points, date(2026, 3, 2), SHANGHAI)
    assert r["audit"]["fixes_in_day"] == 631 and r["audit"]["fixes_outside_day"] == 0
    assert day_report(points, date(2026, 3, 1), SHANGHAI)["audit"]["fixes_in_day"] == 0


def test_night_shift_belongs_to_the_day_it_started():
    # Monday 2026-03-02; Shanghai local = UTC + 8 h.
    mon_22 = ms(2026, 3, 2, 14)  # Monday 22:00 local
    tue_02 = ms(2026, 3, 2, 18)  # Tuesday 02:00 local
    mon_12 = ms(2026, 3, 2, 4)  # Monday 12:00 local
    tue_08 = ms(2026, 3, 3, 0)  # Tuesday 08:00 local
    assert in_working_hours(mon_22, NIGHT) and in_working_hours(tue_02, NIGHT)
    assert not in_working_hours(mon_12, NIGHT) and not in_working_hours(tue_08, NIGHT)
    assert working_day_of(mon_22, NIGHT) == date(2026, 3, 2)
    assert working_day_of(tue_02, NIGHT) == date(2026, 3, 2)
    # Monday's shift day runs from Monday 08:00 to Tuesday 08:00 local.
    assert local_day_bounds(date(2026, 3, 2), NIGHT) == (ms(2026, 3, 2, 0), ms(2026, 3, 3, 0))


def test_offsets_are_converted_to_utc():
    assert parse_utc_ms("2026-03-02T14:00:00+08:00") == ms(2026, 3, 2, 6)
    assert parse_utc_ms("2026-03-02T14:00:00+05:30") == ms(2026, 3, 2, 8, 30)
    assert parse_utc_ms("2026-03-02T06:00:00Z") == ms(2026, 3, 2, 6)
    assert parse_utc_ms("2026-03-02T01:00:00-05:00") == ms(2026, 3, 2, 6)


def test_local_time_without_offset_is_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_utc_ms("2026-03-02T14:00:00")


def test_other_zone_with_daylight_saving():
    # Europe/Berlin, 29 March 2026 has 23 hours (clocks go 02:00 -> 03:00).
    berlin = OrgSettings(tz="Europe/Berlin")
    start, end = local_day_bounds(date(2026, 3, 29), berlin)
    assert start == ms(2026, 3, 28, 23) and end - start == 23 * 3600 * 1000
