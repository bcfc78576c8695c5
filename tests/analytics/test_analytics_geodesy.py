"""Geodesic distances against references that are not the code under test."""

from __future__ import annotations

import math

import pytest
from analytics_ref import dms, offset, vincenty_m

from host.analytics.geodesy import distance_m, to_plane

# Vincenty (1975) / Geoscience Australia: Flinders Peak -> Buninyong = 54,972.271 m.
FLINDERS_BUNINYONG = (
    dms(-37, 57, 3.72030),
    dms(144, 25, 29.52440),
    dms(-37, 39, 10.15610),
    dms(143, 55, 35.38390),
)


@pytest.mark.parametrize("fn", [vincenty_m, distance_m], ids=["reference", "geodesy"])
def test_flinders_peak_to_buninyong(fn):
    assert fn(*FLINDERS_BUNINYONG) == pytest.approx(54972.271, abs=0.001)


def test_point_to_itself_is_zero_not_nan():
    for lat, lon in [(48.1173, 11.5167), (0.0, 0.0), (90.0, 0.0), (-33.9, 151.2)]:
        d = distance_m(lat, lon, lat, lon)
        assert d == 0.0 and not math.isnan(d)


def test_antipodes():
    # On the ellipsoid the longest geodesic is half a meridian: 2 x 10,001,965.729 m
    # (the WGS84 meridian quadrant) = 20,003,931.46 m; the "about 20,015 km" is the
    # spherical pi x 6371.0 km. Both within 0.1 %.
    for lat, lon in [(0.0, 0.0), (30.0, 120.0), (-45.5, -70.25)]:
        d = distance_m(lat, lon, -lat, lon + 180.0 if lon <= 0 else lon - 180.0)
        assert d == pytest.approx(20_003_931.46, abs=1.0)
        assert abs(d - 20_015_000) / 20_015_000 < 1e-3


def test_local_plane_within_two_permille_over_20_km():
    lat0, lon0 = 31.2304, 121.4737
    for north, east in [(200, 0), (0, 200), (15_000, 13_000), (-20_000, 0)]:
        lat, lon = offset(lat0, lon0, north, east)
        x, y = to_plane([lat], [lon], lat0, lon0)
        ref = vincenty_m(lat0, lon0, lat, lon)
        assert math.hypot(x[0], y[0]) == pytest.approx(ref, rel=2e-3)
