"""Cases, check-ins, day reports and days since the last visit: fixes go in through the
real ingest API (SoftBadge), answers come out of the console's JSON API and the CLI, on
SQLite and PostgreSQL.

Geometry by hand (tests/reportkit.py: 110873.44 m per degree of latitude at 31.23 N):
180 m north of the case point is +16235e-7 deg (16235e-7 * 110873.44 = 180.00 m), 195 m is
+17588e-7 (195.00 m), 230 m is +20744e-7 (230.00 m), 100 m is +9019e-7 (99.99 m).
The fence is the default 200 m; a check-in needs a fix at most 60 s old with an accuracy
radius <= 50 m, and counts when distance + accuracy <= radius (host/analytics/checkin.py).
Asia/Shanghai is UTC+8 all year: local 10:00 is 02:00Z, local 07:00 is 23:00Z the day before.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
import requests
from click.testing import CliRunner
from hostkit import post_batch
from reportkit import (
    CASE_LON_E7,
    console,
    fix_records,
    north_e7,
    post_checkin,
    setup_field,
    upload,
    utc_s,
)

from host.cli import cli

DAY = date(2024, 5, 2)


def _fix(utc: str, metres_north: float, acc_m: int = 5, speed_cmps: int = 0):
    return (utc, north_e7(metres_north), CASE_LON_E7, acc_m, speed_cmps)


@pytest.fixture
def field(app, live_server, badge):
    setup_field(app, badge, plan_day=DAY)
    http, token = console(app, live_server.url)
    yield live_server.url, badge, http, token
    http.close()


def test_checkin_accepted_at_180_m_refused_at_230_m(field):
    base, badge, http, token = field
    fixes = [
        _fix("2024-05-02T02:00:00+00:00", 180),
        _fix("2024-05-02T02:10:00+00:00", 230),
        _fix("2024-05-02T02:20:00+00:00", 195, acc_m=40),
    ]
    upload(base, badge, fix_records(badge, fixes))

    # Presses 30 s after each fix, the time written in local time (+08:00).
    a = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T10:00:30+08:00")
    b = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T10:10:30+08:00")
    c = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T10:20:30+08:00")
    assert [r.status_code for r in (a, b, c)] == [201, 201, 201]
    a, b, c = a.json(), b.json(), c.json()
    assert a["accepted"] is True and a["reasons"] == [] and a["fix_seq"] == 1
    assert a["distance_m"] == pytest.approx(180.0, abs=0.5)
    assert a["attempt_time"] == "2024-05-02T02:00:30.000Z"
    assert b["accepted"] is False and b["reasons"] == ["outside_fence"]
    assert b["distance_m"] == pytest.approx(230.0, abs=0.5)
    # 195 m + 40 m accuracy = 235 m > 200 m: the accuracy circle leaves the fence.
    assert c["accepted"] is False and c["reasons"] == ["accuracy_straddles_fence"]

    day = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-02").json()
    assert [ci["accepted"] for ci in day["checkins"]] == [True, False, False]
    assert day["report"]["totals"]["checkins_accepted"] == 1
    assert day["report"]["totals"]["checkins_refused"] == 2


def test_checkin_refusals_name_their_reason(field):
    base, badge, http, token = field
    upload(base, badge, fix_records(badge, [_fix("2024-05-02T02:00:00+00:00", 10)]))
    # 61 s after the fix: older than the 60 s bound.
    r = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T02:01:01Z").json()
    # (the anti-cheat of issue 6 may add its own reasons after the analytics' one)
    assert r["accepted"] is False and r["reasons"][0] == "stale_fix"
    # Before any fix of the badge: nothing to judge the position by.
    r = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T01:00:00Z").json()
    assert r["accepted"] is False and r["reasons"] == ["no_fix"]


def test_days_since_last_visit_ignores_refused_checkins(field):
    base, badge, http, token = field
    fixes = [
        _fix("2024-05-01T02:00:00+00:00", 100),  # 05-01 10:00 local, inside the fence
        _fix("2024-05-10T02:00:00+00:00", 230),  # 05-10 10:00 local, outside
    ]
    upload(base, badge, fix_records(badge, fixes))
    ok = post_checkin(http, base, token, "Zhang", 1001, "2024-05-01T10:00:20+08:00").json()
    refused = post_checkin(http, base, token, "Zhang", 1001, "2024-05-10T10:00:20+08:00").json()
    assert ok["accepted"] is True and refused["accepted"] is False

    def since(as_of):
        r = http.get(f"{base}/api/v1/cases", params={"as_of": as_of})
        assert r.status_code == 200
        return {c["number"]: (c["last_visit"], c["days_since_visit"]) for c in r.json()["cases"]}

    # 2024-05-15 - 2024-05-01 = 14 days; the refused check-in on the 10th changes nothing.
    assert since("2024-05-15") == {1001: ("2024-05-01", 14), 1002: (None, None)}
    assert since("2024-05-01")[1001] == ("2024-05-01", 0)
    assert since("2024-04-30")[1001] == (None, None)  # as of a date before the visit
    day = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-15").json()
    assert [(p["number"], p["days_since_visit"]) for p in day["planned_cases"]] == []


def test_working_day_across_utc_midnight_is_one_day(app, field, db_url, tmp_path):
    """Fixes every 60 s from local 07:00 to 09:00 on 2024-05-02 (23:00Z on 05-01 to
    01:00Z on 05-02): 121 fixes, 60 of them on the UTC date 05-01, all in local day 05-02."""
    base, badge, http, token = field
    fixes = []
    for minute in range(121):
        hh, mm = divmod(23 * 60 + minute, 60)
        utc_day = "2024-05-01" if hh < 24 else "2024-05-02"
        fixes.append(_fix(f"{utc_day}T{hh % 24:02d}:{mm:02d}:00+00:00", 10 + minute, 5, 2))
    upload(base, badge, fix_records(badge, fixes))

    env = {"DATABASE_URL": db_url, "VISITPROOF_INSTANCE": str(tmp_path / "inst")}
    out = CliRunner().invoke(
        cli, ["report", "day", "--collector", "Zhang", "--date", "2024-05-02", "--json"], env=env
    )
    assert out.exit_code == 0, out.output
    view = json.loads(out.output)
    audit = view["report"]["audit"]
    assert audit["fixes_in_day"] == 121
    assert view["report"]["totals"]["first_fix_ms"] == 1_714_604_400_000  # 2024-05-01T23:00Z
    assert view["report"]["totals"]["last_fix_ms"] == 1_714_611_600_000  # 2024-05-02T01:00Z
    before = CliRunner().invoke(
        cli, ["report", "day", "--collector", "Zhang", "--date", "2024-05-01", "--json"], env=env
    )
    assert json.loads(before.output)["report"]["audit"]["fixes_in_day"] == 0
    text = CliRunner().invoke(
        cli, ["report", "day", "--collector", "Zhang", "--date", "2024-05-02"], env=env
    )
    assert text.exit_code == 0 and "mileage_m:" in text.output
    assert "case 1001 Li Wei: days since visit never visited" in text.output


def test_cli_cases_plans_and_clear_errors(app, db_url, tmp_path, badge):
    env = {"DATABASE_URL": db_url, "VISITPROOF_INSTANCE": str(tmp_path / "inst")}

    def run(*args):
        return CliRunner().invoke(cli, list(args), env=env)

    assert run("collector", "add", "--name", "Zhang", "--device", badge.device_id).exit_code == 0
    r = run("collector", "add", "--name", "Li", "--device", "00000000000000ff")
    assert r.exit_code != 0 and "unknown_device" in r.output
    r = run("collector", "add", "--name", "Li", "--device", badge.device_id)
    assert r.exit_code != 0 and "already worn by 'Zhang'" in r.output
    assert run("case", "add", "--number", "7", "--lat", "31.23", "--lon", "121.47").exit_code == 0
    r = run("case", "add", "--number", "7", "--lat", "31.23", "--lon", "121.47")
    assert r.exit_code != 0 and "exists already" in r.output
    r = run("case", "add", "--number", "8", "--lat", "91", "--lon", "121.47")
    assert r.exit_code != 0 and "latitude" in r.output
    r = run(
        "case", "add", "--number", "8", "--lat", "31", "--lon", "121", "--polygon", "POINT(1 1)"
    )
    assert r.exit_code != 0 and "POLYGON" in r.output
    assert run("plan", "add", "--collector", "Zhang", "--date", "2024-05-02", "7").exit_code == 0
    r = run("plan", "add", "--collector", "Zhang", "--date", "2024-05-02", "9")
    assert r.exit_code != 0 and "no case number 9" in r.output
    r = run("report", "day", "--collector", "Nobody", "--date", "2024-05-02")
    assert r.exit_code != 0 and "unknown_collector" in r.output
    r = run("report", "day", "--collector", "Zhang", "--date", "2024-02-30")
    assert r.exit_code != 0 and "not a calendar date" in r.output
    listing = run("case", "list", "--as-of", "2024-05-02", "--json")
    assert json.loads(listing.output)["cases"][0]["days_since_visit"] is None


def test_api_login_roles_csrf_and_errors(app, field):
    base, badge, http, token = field
    with requests.Session() as anon:
        r = anon.get(f"{base}/api/v1/cases")
        assert r.status_code == 401 and r.json()["error"]["code"] == "login_required"
    r = http.get(f"{base}/api/v1/cases")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    r = http.get(f"{base}/api/v1/collectors/Nobody/days/2024-05-02")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_collector"
    r = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-5-2")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_date"
    r = http.post(
        f"{base}/api/v1/checkins", json={"collector": "Zhang", "case_number": 1001, "time": "x"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "csrf_failed"
    r = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T10:00:00")  # no offset
    assert r.status_code == 400 and "offset" in r.json()["error"]["message"]
    r = post_checkin(http, base, token, "Zhang", 4242, "2024-05-02T10:00:00Z")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_case"
    r = post_checkin(http, base, token, "Zhang", "1001", "2024-05-02T10:00:00Z")
    assert r.status_code == 400 and "case_number" in r.json()["error"]["message"]

    from consolekit import csrf_from, login

    from host.db import get_db, users

    with get_db(app).sessions() as s:
        users.set_user(s, "auditor1", "auditor password 1", role="auditor")
    with requests.Session() as aud:
        page = login(aud, base, "auditor1", "auditor password 1")
        assert aud.get(f"{base}/api/v1/cases").status_code == 200
        r = post_checkin(aud, base, csrf_from(page.text), "Zhang", 1001, "2024-05-02T02:00:00Z")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_ingest_marks_days_stale_and_refresh_is_idempotent(app, field, db_url, tmp_path):
    from sqlalchemy import select

    from host.db import get_db
    from host.db.models import DayResult

    base, badge, http, token = field
    env = {"DATABASE_URL": db_url, "VISITPROOF_INSTANCE": str(tmp_path / "inst")}

    def marks():
        with get_db(app).sessions() as s:
            rows = s.scalars(select(DayResult).order_by(DayResult.day)).all()
            return [(r.day.isoformat(), r.stale, r.computed_ms) for r in rows]

    # 2024-05-02T15:59Z is local 23:59 on 05-02; 16:00Z is local 00:00 on 05-03.
    fixes = [_fix("2024-05-02T15:59:00+00:00", 50), _fix("2024-05-02T16:00:00+00:00", 50)]
    upload(base, badge, fix_records(badge, fixes))
    assert [(d, stale) for d, stale, _ in marks()] == [("2024-05-02", True), ("2024-05-03", True)]
    refresh = CliRunner().invoke(cli, ["report", "refresh"], env=env)
    assert refresh.output.strip() == "2 day report(s) recomputed"
    computed = marks()
    assert all(not stale and ms for _, stale, ms in computed)
    assert CliRunner().invoke(cli, ["report", "refresh"], env=env).output.startswith("0 day")
    http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-03")
    assert marks() == computed  # same inputs: the cached report, not a recomputation

    upload(base, badge, fix_records(badge, [_fix("2024-05-02T03:00:00+00:00", 50)]))
    assert [(d, stale) for d, stale, _ in marks()] == [("2024-05-02", True), ("2024-05-03", False)]
    view = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-02").json()
    assert view["report"]["audit"]["fixes_in_day"] == 2


def test_fence_radius_per_organisation_and_per_case(app, field, db_url, tmp_path):
    base, badge, http, token = field
    env = {"DATABASE_URL": db_url, "VISITPROOF_INSTANCE": str(tmp_path / "inst")}

    def run(*args):
        return CliRunner().invoke(cli, list(args), env=env)

    upload(base, badge, fix_records(badge, [_fix("2024-05-02T02:00:00+00:00", 230)]))
    r = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T02:00:10Z").json()
    assert r["accepted"] is False and r["reasons"][0] == "outside_fence"  # 230 m > 200 m
    assert run("org", "set", "fence_radius_m=250").exit_code == 0
    # 230 m + 5 m accuracy = 235 m <= 250 m
    r = post_checkin(http, base, token, "Zhang", 1001, "2024-05-02T02:00:20Z").json()
    assert r["accepted"] is True
    assert json.loads(run("org", "show").output)["fence_radius_m"] == 250
    # A case's own radius wins over the organisation's: 230 m > 100 m.
    lat, lon = "31.23", "121.47"
    add = run("case", "add", "--number", "1003", "--lat", lat, "--lon", lon, "--radius", "100")
    assert add.exit_code == 0
    r = post_checkin(http, base, token, "Zhang", 1003, "2024-05-02T02:00:30Z").json()
    assert r["accepted"] is False and r["reasons"][0] == "outside_fence"
    # The day was judged again under the new settings: the first check-in now counts too.
    day = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-02").json()
    assert [(c["case_number"], c["accepted"]) for c in day["checkins"]] == [
        (1001, True),
        (1001, True),
        (1003, False),
    ]
    bad = run("org", "set", "tz=Mars/Olympus")
    assert bad.exit_code != 0 and "not an IANA time zone" in bad.output
    bad = run("org", "set", "fence_radius_m=0")
    assert bad.exit_code != 0 and "fence_radius_m must be an integer in 1..100000" in bad.output
    bad = run("org", "set", "colour=blue")
    assert bad.exit_code != 0


def test_badge_checkins_are_judged_by_the_host(field):
    """Check-in records (kind 2, docs/protocol-v1.md) become check-ins judged on the host's
    geometry: the badge's own verdict is kept beside the host's, never trusted."""
    import struct

    base, badge, http, token = field

    def checkin_record(utc, case_ref, metres, fix_seq, badge_verdict):
        payload = struct.pack(
            "<IiiHIBB6x", case_ref, north_e7(metres), CASE_LON_E7, 5, fix_seq, badge_verdict, 0
        )
        return badge.other_record(2, payload, time_s=utc_s(utc))

    records = fix_records(badge, [_fix("2024-05-02T02:00:00+00:00", 180)])  # seq 1
    records.append(checkin_record("2024-05-02T02:00:30+00:00", 1001, 180, 1, 0))  # seq 2
    records += fix_records(badge, [_fix("2024-05-02T02:10:00+00:00", 230)])  # seq 3
    records.append(checkin_record("2024-05-02T02:10:30+00:00", 1001, 230, 3, 0))  # badge: ok
    records.append(checkin_record("2024-05-02T02:11:00+00:00", 4242, 230, 3, 1))  # no such case
    upload(base, badge, records)
    again = post_batch(base, badge.batch(records))  # a resend: stored once
    assert again.status_code == 200 and again.json()["duplicates"] == 5

    day = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-02").json()
    got = [
        (c["source"], c["case_number"], c["badge_accepted"], c["accepted"], c["reasons"][:1])
        for c in day["checkins"]
    ]
    assert got == [
        ("badge", 1001, True, True, []),
        ("badge", 1001, True, False, ["outside_fence"]),  # the badge said yes: 230 m > 200 m
        ("badge", 4242, False, False, ["unknown_case"]),
    ]
    assert [c["fix_seq"] for c in day["checkins"]] == [1, 3, 3]


def test_data_arriving_while_a_day_is_computed_keeps_it_stale(app, field, monkeypatch):
    """A batch stored while the day's report is being computed is not in that report: the
    day must stay stale (and the next read include it), and on SQLite the late writer must
    not make the report's own write fail."""
    from sqlalchemy import select

    from host.db import get_db
    from host.db.models import DayResult
    from host.reports import dayreports, engine
    from host.reports.registry import get_collector

    base, badge, http, token = field
    upload(base, badge, fix_records(badge, [_fix("2024-05-02T02:00:00+00:00", 50)]))
    compute = engine.day_report

    def slow_report(*args):
        out = compute(*args)
        late = fix_records(badge, [_fix("2024-05-02T02:01:00+00:00", 60)])
        upload(base, badge, late)  # through the live server, in its own transaction
        return out

    monkeypatch.setattr(engine, "day_report", slow_report)
    with get_db(app).sessions() as s:
        report = dayreports.refresh_day(s, get_collector(s, "Zhang"), DAY)
        assert report["audit"]["fixes_in_day"] == 1
        assert s.scalar(select(DayResult.stale).where(DayResult.day == DAY)) is True
    monkeypatch.setattr(engine, "day_report", compute)
    view = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-02").json()
    assert view["report"]["audit"]["fixes_in_day"] == 2


def test_night_shift_fixes_belong_to_the_day_the_shift_started(app, field, db_url, tmp_path):
    """Working hours 20:00-08:00 (work_start_min 1200, work_end_min 480): Monday 2024-05-06
    22:00 local (14:00Z) and Tuesday 02:00 local (18:00Z Monday) are Monday's shift; Tuesday
    09:00 local (01:00Z) is Tuesday's."""
    from sqlalchemy import select

    from host.db import get_db
    from host.db.models import DayResult

    base, badge, http, token = field
    env = {"DATABASE_URL": db_url, "VISITPROOF_INSTANCE": str(tmp_path / "inst")}
    r = CliRunner().invoke(cli, ["org", "set", "work_start_min=1200", "work_end_min=480"], env=env)
    assert r.exit_code == 0, r.output
    fixes = [
        _fix("2024-05-06T14:00:00+00:00", 20),
        _fix("2024-05-06T18:00:00+00:00", 20),
        _fix("2024-05-07T01:00:00+00:00", 20),
    ]
    upload(base, badge, fix_records(badge, fixes))
    with get_db(app).sessions() as s:
        marked = [d.isoformat() for d in s.scalars(select(DayResult.day).order_by(DayResult.day))]
    assert marked == ["2024-05-06", "2024-05-07"]
    monday = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-06").json()["report"]
    tuesday = http.get(f"{base}/api/v1/collectors/Zhang/days/2024-05-07").json()["report"]
    assert (monday["audit"]["fixes_in_day"], tuesday["audit"]["fixes_in_day"]) == (2, 1)


def test_numbers_beyond_any_database_integer_are_clear_errors(app, field, db_url, tmp_path):
    # 10**23 overflows SQLite's and PostgreSQL's 64-bit integers; "²" is a Unicode digit
    # that int() refuses; 5,000 digits pass int()'s 4,300-digit limit. Each must be the
    # documented error (docs/reports.md), not a 500.
    base, badge, http, token = field
    for who in ("100000000000000000000000", "²", "9" * 5000):
        r = http.get(f"{base}/api/v1/collectors/{who}/days/2024-05-02")
        assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_collector"
    r = post_checkin(http, base, token, "Zhang", 10**23, "2024-05-02T10:00:00Z")
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_value"
    r = post_checkin(http, base, token, 10**23, 1001, "2024-05-02T10:00:00Z")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_collector"
    env = {"DATABASE_URL": db_url, "VISITPROOF_INSTANCE": str(tmp_path / "inst")}
    for args in (
        ["plan", "add", "--collector", "Zhang", "--date", "2024-05-02", str(10**23)],
        ["report", "day", "--collector", str(10**23), "--date", "2024-05-02"],
    ):
        r = CliRunner().invoke(cli, args, env=env)
        assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
        assert "unknown_case" in r.output or "unknown_collector" in r.output
