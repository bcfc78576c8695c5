"""Distances on the WGS84 ellipsoid (pyproj.Geod: Karney's geodesics) and a local metric plane.

Reported distances (mileage, straight lines, check-in distances) are geodesic. Thresholds of
a few hundred metres (stay radius, fence edges, the jitter gate) are compared in a local
tangent plane: degrees scaled by the ellipsoid's meridional (M) and prime-vertical (N) radii
of curvature at the plane's origin. Within 20 km of the origin its error stays under 0.2 %
(under 0.4 m on a 200 m radius); fences use a plane centred on each case.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod

_GEOD = Geod(ellps="WGS84")
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance; 0.0 for a point to itself, ~20,004 km between antipodes."""
    _, _, d = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(d)


def leg_lengths_m(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Geodesic length of each leg between consecutive points (len(lats) - 1 values)."""
    if len(lats) < 2:
        return np.zeros(0)
    _, _, d = _GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    return np.asarray(d, dtype=float)


def pair_distances_m(lats1, lons1, lats2, lons2) -> np.ndarray:
    _, _, d = _GEOD.inv(lons1, lats1, lons2, lats2)
    return np.asarray(d, dtype=float)


def plane_scale(lat0: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at latitude `lat0`."""
    phi = math.radians(lat0)
    w = math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    n = _A / w
    m = _A * (1 - _E2) / w**3
    return math.radians(1) * n * math.cos(phi), math.radians(1) * m


def to_plane(lats, lons, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """(x east, y north) in metres from (lat0, lon0)."""
    kx, ky = plane_scale(lat0)
    dlon = (np.asarray(lons, dtype=float) - lon0 + 180.0) % 360.0 - 180.0
    return dlon * kx, (np.asarray(lats, dtype=float) - lat0) * ky
