"""The host's anti-cheat checks on a device's fixes: plain functions on plain data.

`run_checks(history, new, server_ms)` runs the pipeline in this order (Traccar's
FilterHandler style: each check is a named predicate that reports its reason code):

  future_fix          fix time > server time + 300 s. A GNSS time is UTC to the
                      microsecond and the server runs NTP; 300 s is our allowance for a
                      server clock that has drifted. The fix is quarantined.
  clock_backwards     fix time < the previous fix's time (sequence order) - 2 s. Our
                      measurement: telit-he910.log steps back 0.3 s (a receiver quirk).
  teleport            >= 1000 m from the last accepted fix at > 100 m/s (360 km/h, above
                      China's fastest rail, 350 km/h). The 1000 m floor stays above the
                      200 m cold-start wander of quectel-eg25-g.log and the 184 m jump in
                      2 s of cerknicko-jezero.gpx (our measurement on ../shared/data).
                      The fix is quarantined. After 5 consecutive teleported fixes that
                      agree with each other the track re-anchors there (still alerted).
  cn0_uniform_strong  >= 5 consecutive fixes with mean C/N0 >= 40 dB-Hz and max - mean
                      <= 3 dB over >= 4 satellites. Published detectors flag satellites
                      above ~45 dB-Hz or a spread under ~15 dB across 3+ satellites; the
                      fix record only carries max and mean, so the host asks for a strong
                      mean and a small max-mean gap (tuned on the honest logs: see eval).
  too_perfect         the very same 1e-7 degree position, unchanged C/N0 and satellite
                      count for >= 30 fixes spanning >= 60 s (a simulator's static output:
                      a real receiver's C/N0 moves by a dB or two every epoch), or the same
                      position alone for >= 120 fixes spanning >= 300 s. Receivers with
                      static hold freeze the position but not C/N0: the honest logs hold
                      one position for up to 30 fixes / 40 s (quectelLC79D, sirfstarv,
                      magellan-ec10; our measurement, see host/anticheat/eval).

Only fixes with a valid position and a GNSS or network time take part (an unsynced RTC
time says nothing about the clock). `history` is the device's stored fixes just before
`new` in sequence order, with the quarantine code each already has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from host.analytics.geodesy import distance_m

FUTURE_TOLERANCE_MS = 300_000
BACKWARDS_TOLERANCE_MS = 2_000
TELEPORT_MIN_M = 1000.0
TELEPORT_MAX_MPS = 100.0
REANCHOR_FIXES = 5
CN0_MEAN_MIN = 40
CN0_GAP_MAX = 3
CN0_MIN_SATS = 4
CN0_RUN = 5
PERFECT_MIN_FIXES = 30  # position and C/N0 frozen
PERFECT_MIN_S = 60
STILL_MIN_FIXES = 120  # position frozen alone
STILL_MIN_S = 300
HISTORY_FIXES = 120  # stored fixes the caller passes as history


@dataclass(frozen=True, slots=True)
class FixIn:
    seq: int
    t_ms: int
    lat_e7: int
    lon_e7: int
    valid: bool = True
    time_source: int = 1
    speed_cmps: int | None = None
    sats_seen: int = 0
    sats_used: int = 0
    cn0_max: int = 0
    cn0_mean: int = 0
    fix_id: int | None = None
    quarantine: str | None = None


@dataclass
class Finding:
    """One check that fired on a batch: its code, the fixes it fired on, the evidence."""

    code: str
    seqs: list[int] = field(default_factory=list)
    detail: list[dict] = field(default_factory=list)


def _usable(f: FixIn) -> bool:
    return f.valid and f.time_source != 0


def _km(a: FixIn, b: FixIn) -> tuple[float, float]:
    """(metres, m/s) from a to b; infinite speed when time does not move forward."""
    d = distance_m(a.lat_e7 / 1e7, a.lon_e7 / 1e7, b.lat_e7 / 1e7, b.lon_e7 / 1e7)
    dt = (b.t_ms - a.t_ms) / 1000
    return d, (d / dt if dt > 0 else float("inf"))


def _jump(a: FixIn, b: FixIn) -> tuple[bool, float, float]:
    d, v = _km(a, b)
    return d >= TELEPORT_MIN_M and v > TELEPORT_MAX_MPS, d, v


def run_checks(
    history: list[FixIn], new: list[FixIn], server_ms: int
) -> tuple[list[Finding], dict[int, str]]:
    """Findings (one per code) over `new`, and seq -> code of the new fixes to quarantine."""
    found: dict[str, Finding] = defaultdict(lambda: Finding(""))
    quarantine: dict[int, str] = {}

    def fire(code: str, f: FixIn, **detail) -> None:
        finding = found[code]
        finding.code = code
        finding.seqs.append(f.seq)
        if len(finding.detail) < 20:
            finding.detail.append({"seq": f.seq, "t_ms": f.t_ms, **detail})

    past = [f for f in history if _usable(f)]
    anchor = next((f for f in reversed(past) if f.quarantine is None), None)
    previous = past[-1] if past else None
    pending: list[FixIn] = []
    for f in new:
        if not _usable(f):
            continue
        if f.t_ms > server_ms + FUTURE_TOLERANCE_MS:
            fire("future_fix", f, ahead_s=round((f.t_ms - server_ms) / 1000))
            quarantine[f.seq] = "future_fix"
            continue
        if previous is not None and f.t_ms < previous.t_ms - BACKWARDS_TOLERANCE_MS:
            fire(
                "clock_backwards",
                f,
                back_s=round((previous.t_ms - f.t_ms) / 1000, 1),
                previous_seq=previous.seq,
            )
        previous = f
        if anchor is not None:
            jumped, d, v = _jump(anchor, f)
            if jumped:
                fire(
                    "teleport",
                    f,
                    from_seq=anchor.seq,
                    distance_m=round(d),
                    speed_mps=None if v == float("inf") else round(v, 1),
                )
                quarantine[f.seq] = "teleport"
                pending = pending + [f] if pending and not _jump(pending[-1], f)[0] else [f]
                if len(pending) >= REANCHOR_FIXES:
                    anchor, pending = f, []
                continue
        anchor, pending = f, []
    _cn0(past[-CN0_RUN:], [f for f in new if _usable(f) and f.seq not in quarantine], fire)
    _perfect(past, [f for f in new if _usable(f) and f.seq not in quarantine], fire)
    return [found[c] for c in found], quarantine


def _cn0_suspect(f: FixIn) -> bool:
    return (
        f.sats_seen >= CN0_MIN_SATS
        and f.cn0_mean >= CN0_MEAN_MIN
        and f.cn0_max - f.cn0_mean <= CN0_GAP_MAX
    )


def _cn0(past: list[FixIn], new: list[FixIn], fire) -> None:
    run = 0
    for f in past:
        run = run + 1 if _cn0_suspect(f) else 0
    for f in new:
        run = run + 1 if _cn0_suspect(f) else 0
        if run >= CN0_RUN:
            fire(
                "cn0_uniform_strong",
                f,
                cn0_max=f.cn0_max,
                cn0_mean=f.cn0_mean,
                sats_seen=f.sats_seen,
            )


def _perfect(past: list[FixIn], new: list[FixIn], fire) -> None:
    """Fires on each new fix that ends a long enough run at one exact position."""
    run: list[FixIn] = []
    frozen = 0  # fixes at the end of the run whose C/N0 and satellites did not change
    prefix = past[-STILL_MIN_FIXES:]
    for i, f in enumerate(prefix + new):
        if run and (f.lat_e7, f.lon_e7) != (run[0].lat_e7, run[0].lon_e7):
            run, frozen = [], 0
        same_sky = bool(run) and (f.cn0_max, f.cn0_mean, f.sats_seen) == (
            run[-1].cn0_max,
            run[-1].cn0_mean,
            run[-1].sats_seen,
        )
        frozen = frozen + 1 if same_sky or not run else 1
        run.append(f)
        span_s = (f.t_ms - run[0].t_ms) / 1000
        still = len(run) >= STILL_MIN_FIXES and span_s >= STILL_MIN_S
        simulated = (
            frozen >= PERFECT_MIN_FIXES and (f.t_ms - run[-frozen].t_ms) / 1000 >= PERFECT_MIN_S
        )
        if (still or simulated) and i >= len(prefix):
            fire("too_perfect", f, run_fixes=len(run), run_s=round(span_s), sky_frozen_fixes=frozen)


def longest_still_run(fixes: list[FixIn]) -> tuple[int, float]:
    """(fixes, seconds) of the longest run at one exact position: what too_perfect tunes on."""
    best = (0, 0.0)
    start = 0
    for i in range(1, len(fixes) + 1):
        if i == len(fixes) or (fixes[i].lat_e7, fixes[i].lon_e7) != (
            fixes[start].lat_e7,
            fixes[start].lon_e7,
        ):
            n, s = i - start, (fixes[i - 1].t_ms - fixes[start].t_ms) / 1000
            best = max(best, (n, s))
            start = i
    return best
