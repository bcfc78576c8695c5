"""Cheating scenarios built on the test badge (tests/hostkit.py SoftBadge signs batches of
any records) and an honest control. Each scenario uploads through the real HTTP API of a
live server and names the reason codes it must raise; check-ins made under it must not
count as visits.

Positions: the debtor's address D = 31.2300000 N, 121.4700000 E (case 1000 + n). A walk
is 1 fix/s at 1.2 m/s from 240 m south of D, with a receiver's jitter (Gaussian, 1.5 m)
and a real sky (C/N0 of 10 satellites, max 42..46 and mean 31..35 dB-Hz, varying each
epoch), then a stay at D and a check-in on the last fix.
"""

from __future__ import annotations

import random
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

D_LAT, D_LON = 31.23, 121.47
M_PER_DEG_LAT = 110873.44  # near 31.23 N (tests/reportkit.py shows the series)
DAY_START_S = 1_764_468_000  # 2026-11-30T02:00:00Z = 10:00 in Shanghai, inside work hours


@dataclass
class Upload:
    badge: object  # hostkit.SoftBadge
    records: list[bytes]
    body: bytes | None = None  # a fixed body (a replay); else the badge signs the records


@dataclass
class Scenario:
    name: str
    expected: tuple[str, ...]  # reason codes it must raise (empty: an honest control)
    build: Callable[[object], list[Upload]]  # SoftBadge class -> uploads in order
    case_lat: float = D_LAT
    case_lon: float = D_LON
    checkins_counted_before: int = 0  # honest check-ins uploaded before the cheat
    notes: str = ""
    uploads: list[Upload] = field(default_factory=list)


def fix(badge, t_s: int, lat: float, lon: float, rng: random.Random, **over) -> bytes:
    f = {
        "time_s": t_s,
        "lat_e7": round(lat * 1e7),
        "lon_e7": round(lon * 1e7),
        "acc_m": 5,
        "speed_cmps": 0,
        "sats_used": 8,
        "sats_seen": 10,
        "cn0_max": rng.randint(42, 46),
        "cn0_mean": rng.randint(31, 35),
    }
    f.update(over)
    return badge.records(1, **f)[0]


def checkin(badge, t_s: int, case_ref: int, lat: float, lon: float, verdict: int = 0) -> bytes:
    payload = struct.pack(
        "<IiiHIBB6x", case_ref, round(lat * 1e7), round(lon * 1e7), 5, badge.seq, verdict, 0
    )
    return badge.other_record(2, payload, time_s=t_s)


def event(badge, t_s: int, code: int, severity: int, a: int, b: int, count: int) -> bytes:
    payload = struct.pack(
        "<BBiiiiB7x", code, severity, a, b, round(D_LAT * 1e7), round(D_LON * 1e7), count
    )
    return badge.other_record(3, payload, time_s=t_s)


def walk(
    badge, case_ref: int, rng: random.Random, t0: int = DAY_START_S, jitter_m: float = 1.5, **over
) -> list[bytes]:
    """A walk to D, a 60 s stay, a check-in at D on the last fix."""
    out = []
    t = t0
    for i in range(200):
        north = -240 + 1.2 * i
        lat = D_LAT + (north + rng.gauss(0, jitter_m)) / M_PER_DEG_LAT
        lon = D_LON + rng.gauss(0, jitter_m) / 95_000
        out.append(fix(badge, t, lat, lon, rng, speed_cmps=120, **over))
        t += 1
    for _ in range(60):
        lat = D_LAT + rng.gauss(0, jitter_m) / M_PER_DEG_LAT
        lon = D_LON + rng.gauss(0, jitter_m) / 95_000
        out.append(fix(badge, t, lat, lon, rng, **over))
        t += 1
    out.append(checkin(badge, t, case_ref, D_LAT, D_LON))
    return out


def honest(soft, n):
    b = soft()
    return [Upload(b, walk(b, 1000 + n, random.Random(n)))]


def spoofer(soft, n):
    """A GNSS simulator walks the badge to D: every satellite at 49..50 dB-Hz; the badge
    reports it (kind 3: C/N0 too strong, too uniform) but its check-in says accepted."""
    b = soft()
    rng = random.Random(n)
    recs = walk(b, 1000 + n, rng, cn0_max=50, cn0_mean=49, sats_seen=10)
    for t in range(DAY_START_S + 29, DAY_START_S + 260, 30):  # the badge's events, in seq
        recs.append(event(b, t, 1, 80, 50, 45, 10))  # after the check-in (one upload)
        recs.append(event(b, t, 2, 80, 2, 49, 10))
    return [Upload(b, recs)]


def replayed_day(soft, n):
    """Yesterday's accepted upload (with its check-in) sent again byte for byte."""
    b = soft()
    body = b.batch(walk(b, 1000 + n, random.Random(n), t0=DAY_START_S - 86_400))
    return [Upload(b, [], body), Upload(b, [], body)]


def cloned_badge(soft, n):
    """A second badge with the same key signs its own chain from seq 1 at D."""
    a = soft()
    first = walk(a, 1000 + n, random.Random(n), t0=DAY_START_S - 3600)
    clone = soft(key=a.key)
    return [Upload(a, first), Upload(clone, walk(clone, 1000 + n, random.Random(n + 99)))]


def teleport(soft, n):
    """Issue 6's case, at 02:40 UTC: (48.066075, 11.552966) then (10.000000, 3.002836) six
    seconds later, both valid with 14 satellites; the check-in rests on the second."""
    b = soft()
    rng = random.Random(n)
    t = DAY_START_S + 40 * 60 + 30
    recs = [
        fix(b, t, 48.066075, 11.552966, rng, sats_seen=14, sats_used=14),
        fix(b, t + 6, 10.0, 3.002836, rng, sats_seen=14, sats_used=14),
        checkin(b, t + 7, 1000 + n, 10.0, 3.002836),
    ]
    return [Upload(b, recs)]


def clock_skew(soft, n):
    """The badge's clock runs 2 h ahead of the server: a walk and a check-in 'from the future'."""
    b = soft()
    ahead = int(time.time()) + 2 * 3600
    return [Upload(b, walk(b, 1000 + n, random.Random(n), t0=ahead - 300))]


def clock_wound_back(soft, n):
    """Fixes at 12:00 local, then the clock wound back 2 h for a 'morning' visit at D."""
    b = soft()
    rng = random.Random(n)
    noon = [fix(b, DAY_START_S + 2 * 3600 + i, D_LAT + 0.01, D_LON, rng) for i in range(30)]
    return [Upload(b, noon + walk(b, 1000 + n, rng))]


def stationary_simulator(soft, n):
    """A simulator's static output at D for 10 minutes: one position, one sky, no jitter."""
    b = soft()
    rng = random.Random(n)
    recs = [fix(b, DAY_START_S + i, D_LAT, D_LON, rng, cn0_max=44, cn0_mean=38) for i in range(600)]
    recs.append(checkin(b, DAY_START_S + 600, 1000 + n, D_LAT, D_LON))
    return [Upload(b, recs)]


def log_edited(soft, n):
    """A fix on flash is moved to D after the chain was built; the badge signs what it
    reads: the chain breaks at the edited record."""
    b = soft()
    recs = walk(b, 1000 + n, random.Random(n), t0=DAY_START_S)
    edited = bytearray(recs[100])
    struct.pack_into("<ii", edited, 14, round(D_LAT * 1e7), round(D_LON * 1e7))
    recs[100] = bytes(edited)
    return [Upload(b, recs)]


def records_deleted(soft, n):
    """The morning's records (with a check-in elsewhere) are deleted from flash before upload."""
    b = soft()
    rng = random.Random(n)
    morning = walk(b, 1000 + n, rng, t0=DAY_START_S - 3600)
    first = morning[:50]
    rest = walk(b, 1000 + n, rng)
    return [Upload(b, first), Upload(b, rest)]


SCENARIOS = [
    Scenario("honest_walk", (), honest, notes="control: must raise nothing, check-in counts"),
    Scenario(
        "spoofer_strong_uniform_cn0",
        ("cn0_uniform_strong", "badge_cn0_too_strong", "badge_cn0_uniform"),
        spoofer,
    ),
    Scenario("replayed_day", ("replayed_batch",), replayed_day, checkins_counted_before=1),
    Scenario("cloned_badge", ("cloned_badge",), cloned_badge, checkins_counted_before=1),
    Scenario("teleport", ("teleport",), teleport, case_lat=10.0, case_lon=3.002836),
    Scenario("clock_skew_ahead", ("future_fix",), clock_skew),
    Scenario("clock_wound_back", ("clock_backwards",), clock_wound_back),
    Scenario("stationary_simulator", ("too_perfect",), stationary_simulator),
    Scenario("log_edited_on_flash", ("log_edited",), log_edited),
    Scenario("records_deleted", ("records_missing",), records_deleted),
]
