"""Stay points: where a collector stayed within `radius_m` for at least `min_s`.

Detection is Li et al.'s stay-point rule (2008): from fix i, the stay is i..j when every fix
up to j lies within `radius_m` of fix i and t[j] - t[i] >= `min_s`; it extends to the last
fix before the first one farther than the radius, or to the end of the data (a stay that is
still going on when the data stops is reported). Then the ends are trimmed: leading and
trailing fixes farther from the stay's median centre than the stay's own scatter (twice the
median distance to the centre, at least 25 m, at most radius/2), or whose own speed says
they moved (>= 0.8 m/s, when the fix has a speed), were still arriving or already leaving,
so start and end fall within one sampling interval of the real stop. A
trimmed stay shorter than `min_s` is not a stay.

Distances are compared in a local metric plane (geodesy.to_plane), coordinates in metres.
"""

from __future__ import annotations

import numpy as np

_CHUNK = 256
_MIN_KEEP_M = 25.0
_MOVING_MPS = 0.8


def _reach_min(t_s: np.ndarray, x: np.ndarray, y: np.ndarray, r2: float, min_s: float):
    """ok[i]: every fix from i up to the first one at least min_s later lies within r of i."""
    n = len(t_s)
    last = np.searchsorted(t_s, t_s + min_s, side="left")  # first k with t[k]-t[i] >= min_s
    alive = np.flatnonzero(last < n)
    ok = np.zeros(n, dtype=bool)
    d = 1
    while len(alive):
        done = alive + d > last[alive]
        ok[alive[done]] = True
        alive = alive[~done]
        if not len(alive):
            break
        k = alive + d
        near = (x[k] - x[alive]) ** 2 + (y[k] - y[alive]) ** 2 <= r2
        alive = alive[near]
        d += 1
    return ok, last


def _extend(x: np.ndarray, y: np.ndarray, i: int, k: int, r2: float) -> int:
    """Index of the last fix from k on that is still within r of fix i, before the first exit."""
    n = len(x)
    while k < n:
        end = min(n, k + _CHUNK)
        far = (x[k:end] - x[i]) ** 2 + (y[k:end] - y[i]) ** 2 > r2
        hit = np.flatnonzero(far)
        if len(hit):
            return k + int(hit[0]) - 1
        k = end
    return n - 1


def find_stays(
    t_s: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    radius_m: float,
    min_s: float,
    speed_mps: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Inclusive index ranges (first, last) of the stays, in time order."""
    n = len(t_s)
    if n < 2:
        return []
    r2 = radius_m * radius_m
    ok, last = _reach_min(t_s, x, y, r2, min_s)
    stays: list[tuple[int, int]] = []
    cand = np.flatnonzero(ok)
    pos = 0
    i = int(cand[0]) if len(cand) else n
    while i < n:
        j = _extend(x, y, i, int(last[i]) + 1, r2)
        a, b = _trim(x, y, speed_mps, i, j, radius_m / 2)
        if t_s[b] - t_s[a] >= min_s:
            stays.append((a, b))
        # the next candidate anchor after this stay
        pos = int(np.searchsorted(cand, j + 1))
        i = int(cand[pos]) if pos < len(cand) else n
    return stays


def _trim(x, y, speed, a: int, b: int, max_keep_m: float) -> tuple[int, int]:
    cx, cy = np.median(x[a : b + 1]), np.median(y[a : b + 1])
    d = np.hypot(x[a : b + 1] - cx, y[a : b + 1] - cy)
    keep_m = min(max_keep_m, max(_MIN_KEEP_M, 2 * float(np.median(d))))
    settled = d <= keep_m
    if speed is not None:
        settled &= ~(speed[a : b + 1] >= _MOVING_MPS)  # NaN (no speed) does not trim
    inside = np.flatnonzero(settled)
    if not len(inside):
        return a, b
    return a + int(inside[0]), a + int(inside[-1])
