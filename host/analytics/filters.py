"""Track cleaning: which fixes the analytics use, and why the others were dropped.

Pipeline, in order (each dropped fix is listed with its reason and counted):
  invalid          the receiver said the fix is not valid (`valid=False`)
  bad_coordinates  NaN, |lat| > 90, |lon| > 180, or exactly (0, 0)
  duplicate_time   a second fix with the same fix time (the first in sorted order is kept)
  poor_accuracy    accuracy radius above `max_fix_acc_m`
  spike            an isolated fix reached and left faster than `max_speed_mps` while its
                   two neighbours are joined at a possible speed (a multipath excursion)
Legs that stay faster than `max_speed_mps` after that (a jump that persists: clock or
position reset) are kept as fixes but never counted as distance (`impossible_legs`).

Fixes are sorted by (fix time, sequence number, position) first: results depend on fix
time, never on arrival order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from host.analytics.geodesy import leg_lengths_m, pair_distances_m
from host.analytics.model import OrgSettings, TrackPoint

REASONS = ("invalid", "bad_coordinates", "duplicate_time", "poor_accuracy", "spike")


@dataclass
class CleanTrack:
    t_ms: np.ndarray  # int64, strictly increasing
    lat: np.ndarray
    lon: np.ndarray
    acc_m: np.ndarray  # NaN where the fix had no accuracy
    speed_mps: np.ndarray  # NaN where the fix had no speed
    seq: list[int | None]
    dropped: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.t_ms)


def _sort_key(p: TrackPoint):
    return (p.t_ms, -1 if p.seq is None else p.seq, p.lat, p.lon)


def clean_track(points: Iterable[TrackPoint], settings: OrgSettings) -> CleanTrack:
    pts = sorted(points, key=_sort_key)
    n = len(pts)
    t = np.fromiter((p.t_ms for p in pts), dtype=np.int64, count=n)
    lat = np.fromiter((p.lat for p in pts), dtype=float, count=n)
    lon = np.fromiter((p.lon for p in pts), dtype=float, count=n)
    acc = np.fromiter((np.nan if p.acc_m is None else p.acc_m for p in pts), float, count=n)
    spd = np.fromiter((np.nan if p.speed_mps is None else p.speed_mps for p in pts), float, n)
    valid = np.fromiter((bool(p.valid) for p in pts), dtype=bool, count=n)

    reason = np.full(n, -1, dtype=np.int8)  # index into REASONS, -1 = kept

    def drop(mask: np.ndarray, code: int) -> None:
        reason[mask & (reason < 0)] = code

    drop(~valid, 0)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(lat) & np.isfinite(lon)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    drop(bad | ((lat == 0) & (lon == 0)), 1)
    keep = np.flatnonzero(reason < 0)
    if len(keep) > 1:
        dup = np.zeros(n, dtype=bool)
        dup[keep[1:][np.diff(t[keep]) == 0]] = True
        drop(dup, 2)
    with np.errstate(invalid="ignore"):
        drop(acc > settings.max_fix_acc_m, 3)
    keep = np.flatnonzero(reason < 0)
    if len(keep) >= 3:
        drop(_spikes(t[keep], lat[keep], lon[keep], keep, n, settings.max_speed_mps), 4)

    kept = reason < 0
    dropped = [
        {"t_ms": int(t[i]), "seq": pts[i].seq, "reason": REASONS[reason[i]]}
        for i in np.flatnonzero(~kept)
    ]
    counts = {r: int(np.count_nonzero(reason == k)) for k, r in enumerate(REASONS)}
    return CleanTrack(
        t_ms=t[kept],
        lat=lat[kept],
        lon=lon[kept],
        acc_m=acc[kept],
        speed_mps=spd[kept],
        seq=[pts[i].seq for i in np.flatnonzero(kept)],
        dropped=dropped,
        counts=counts,
    )


def _spikes(t, lat, lon, index, n, vmax) -> np.ndarray:
    dt = np.diff(t) / 1000.0
    v = leg_lengths_m(lat, lon) / dt
    fast_in = v[:-1] > vmax  # leg into point k (k = 1..len-2)
    fast_out = v[1:] > vmax
    cand = np.flatnonzero(fast_in & fast_out) + 1
    mask = np.zeros(n, dtype=bool)
    if len(cand):
        skip = pair_distances_m(lat[cand - 1], lon[cand - 1], lat[cand + 1], lon[cand + 1])
        ok = skip / ((t[cand + 1] - t[cand - 1]) / 1000.0) <= vmax
        mask[index[cand[ok]]] = True
    return mask
