"""Late data gives the same day reports as data delivered as it happened.

What "late and shuffled" can honestly mean: a badge's chain must reach the host in
sequence order (a gap is refused), and a badge logs its fixes as time goes, so one badge
cannot deliver its fixes in another order (a badge whose fix times ran backwards against
its sequence would rightly be flagged by the anti-cheat of issue 6). What does vary in the
field, and what this test varies, with badges "Prompt" and "Late" logging the very same
fixes (same times, same positions, same sequence numbers):
  - when the data arrives: "Prompt" uploads every 30 fixes as the day goes and its day is
    read after each upload, as a live console would; "Late" stays offline and uploads
    hours after the fix times;
  - how it is cut: "Late" sends three batches cut anywhere (inside a stay), the third a
    resend after a lost answer that overlaps the second (120 records stored twice are
    acknowledged as duplicates);
  - what was computed before it arrived: "Late"'s check-ins are posted before any of its
    fixes (first refused for want of a fix, judged again later), and both of its days are
    read after every batch, so the report of 05-03 is computed and cached before the last
    ten fixes of 05-02 arrive;
  - the two badges' uploads interleave.
Then each day's report, the check-in verdicts and the days since visit of "Late" must
equal those of "Prompt"; only database ids may differ.

The track (local time, Asia/Shanghai; metres east/north of case 1001's point): an office
stay, a walk to case 1001, a stay there, a drive to case 1002, a stay, a drive to an
unknown place and a long stay there (an idle alert), a drive back; the next morning a walk
to case 1001. One fix a minute with 5 m of seeded jitter, one 5 km spike (83 m/s there and
back: above the analytics' 70 m/s, below the anti-cheat's 100 m/s teleport) and one fix
with a 300 m accuracy radius, which the filters drop.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from hostkit import SoftBadge, post_batch
from reportkit import (
    CASE_LAT_E7,
    CASE_LON_E7,
    M_PER_DEG_LAT,
    console,
    fix_records,
    post_checkin,
    setup_field,
    upload,
)

from host.db import get_db
from host.db.devices import register_device
from host.reports.settings import add_site

CST = timezone(timedelta(hours=8))
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(31.23))  # near enough for a test track
OFFICE = (-1500.0, 0.0)
CASE_1001 = (0.0, 0.0)
CASE_1002 = ((121.50 - 121.47) * M_PER_DEG_LON, (31.25 - 31.23) * M_PER_DEG_LAT)
ELSEWHERE = (5000.0, -1000.0)


def _track() -> list[tuple[str, int, int, int, int]]:
    rng = random.Random(5)
    out = []

    def fix(t: datetime, xy, speed_mps: float, acc_m: int = 6, jitter: float = 5.0):
        x = xy[0] + rng.gauss(0, jitter)
        y = xy[1] + rng.gauss(0, jitter)
        out.append(
            (
                t.isoformat(),
                CASE_LAT_E7 + round(y / M_PER_DEG_LAT * 1e7),
                CASE_LON_E7 + round(x / M_PER_DEG_LON * 1e7),
                acc_m,
                round(speed_mps * 100),
            )
        )

    def stay(day, hhmm, minutes, xy):
        t = datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=CST)
        for m in range(minutes):
            fix(t + timedelta(minutes=m), xy, 0.1)

    def move(day, hhmm, minutes, a, b):
        t = datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=CST)
        speed = math.dist(a, b) / (minutes * 60)
        for m in range(minutes):
            f = m / minutes
            fix(
                t + timedelta(minutes=m),
                (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])),
                speed,
            )

    d1, d2 = "2024-05-02", "2024-05-03"
    stay(d1, "07:30", 30, OFFICE)
    move(d1, "08:00", 20, OFFICE, CASE_1001)
    stay(d1, "08:20", 30, CASE_1001)
    move(d1, "08:50", 15, CASE_1001, CASE_1002)
    stay(d1, "09:05", 30, CASE_1002)
    move(d1, "09:35", 15, CASE_1002, ELSEWHERE)
    stay(d1, "09:50", 80, ELSEWHERE)
    move(d1, "11:10", 20, ELSEWHERE, OFFICE)
    stay(d1, "11:30", 30, OFFICE)
    stay(d2, "07:50", 40, OFFICE)
    move(d2, "08:30", 20, OFFICE, CASE_1001)
    stay(d2, "08:50", 30, CASE_1001)
    # a multipath spike 5 km away for one fix, and one fix with a 300 m accuracy radius
    t, lat, lon, acc, spd = out[100]
    out[100] = (t, lat + round(5000 / M_PER_DEG_LAT * 1e7), lon, acc, spd)
    t, lat, lon, acc, spd = out[150]
    out[150] = (t, lat, lon, 300, spd)
    return out


CHECKINS = [
    (1001, "2024-05-02T08:30:20+08:00"),
    (1002, "2024-05-02T09:20:20+08:00"),
    (1001, "2024-05-03T09:00:20+08:00"),
]
DAYS = ("2024-05-02", "2024-05-03")


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


@pytest.fixture
def two_badges(app, live_server):
    prompt, late = SoftBadge(), SoftBadge()
    with get_db(app).sessions() as s:
        register_device(s, prompt.public_key, "prompt")
        register_device(s, late.public_key, "late")
        add_site(s, "Office", 31.23, 121.47 + OFFICE[0] / M_PER_DEG_LON, 150)
    from datetime import date

    setup_field(app, prompt, "Prompt", plan_day=date(2024, 5, 2))
    setup_field(app, late, "Late", plan_day=date(2024, 5, 2), cases=False)
    http, token = console(app, live_server.url)
    yield live_server.url, prompt, late, http, token
    http.close()


def test_late_batches_give_the_same_reports(two_badges):
    base, prompt, late, http, token = two_badges
    track = _track()
    assert len(track) == 360  # 270 fixes on 05-02 (07:30-12:00), 90 on 05-03
    prompt_records, late_records = fix_records(prompt, track), fix_records(late, track)

    def day(who, d):
        r = http.get(f"{base}/api/v1/collectors/{who}/days/{d}")
        assert r.status_code == 200, r.text
        return r.json()

    def late_state():
        views = [day("Late", d) for d in DAYS]
        fixes = [v["report"]["audit"]["fixes_given"] for v in views]
        return fixes, [c["reasons"][:1] for v in views for c in v["checkins"]]

    def prompt_upload(first, last):
        for i in range(first, last, 30):
            upload(base, prompt, prompt_records[i : i + 30])
            day("Prompt", DAYS[0] if i < 270 else DAYS[1])

    # "Late" presses check-in before any of its fixes reached the host.
    early = [post_checkin(http, base, token, "Late", n, t).json() for n, t in CHECKINS]
    assert [c["reasons"] for c in early] == [["no_fix"]] * 3

    prompt_upload(0, 150)
    upload(base, late, late_records[:140])  # to local 09:49, inside the stay at ELSEWHERE
    # 05-03's check-in now rests on the latest fix before it, of 05-02: too old.
    assert late_state() == ([140, 0], [[], [], ["stale_fix"]])
    prompt_upload(150, 360)
    upload(base, late, late_records[140:260])  # its answer is lost on the way back ...
    assert late_state() == ([260, 0], [[], [], ["stale_fix"]])
    resend = post_batch(base, late.batch(late_records[140:360]))  # ... so the badge resends
    assert resend.status_code == 200
    assert (resend.json()["stored"], resend.json()["duplicates"]) == (100, 120)
    assert late_state() == ([270, 90], [[], [], []])
    for n, t in CHECKINS:
        assert post_checkin(http, base, token, "Prompt", n, t).status_code == 201

    for d in DAYS:
        a, b = day("Prompt", d), day("Late", d)
        assert _without_ids(a["report"]) == _without_ids(b["report"])
        assert _without_ids(a["checkins"]) == _without_ids(b["checkins"])
        assert a["planned_cases"] == b["planned_cases"]
    # The reports are about something: a full day with stays, trips, visits and an alert.
    first = day("Late", DAYS[0])
    totals = first["report"]["totals"]
    assert totals["visit_stays"] == 2 and totals["office_stays"] >= 1
    assert totals["idle_alerts"] == 1 and totals["mileage_m"] > 10_000
    assert first["report"]["audit"]["dropped"]["spike"] == 1
    assert first["report"]["audit"]["dropped"]["poor_accuracy"] == 1
    assert [c["accepted"] for c in first["checkins"]] == [True, True]
    assert [c["created_by"] for c in first["checkins"]] == ["supervisor1"] * 2
    since = http.get(f"{base}/api/v1/cases", params={"as_of": "2024-05-03"}).json()["cases"]
    assert {c["number"]: c["days_since_visit"] for c in since} == {1001: 0, 1002: 1}
