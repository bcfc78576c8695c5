"""Plain inputs of the analytics: fixes, cases, office sites and an organisation's settings.

Times are UTC milliseconds since the Unix epoch (`t_ms`); coordinates are WGS84 degrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class TrackPoint:
    t_ms: int  # fix time, UTC ms
    lat: float
    lon: float
    acc_m: float | None = None  # horizontal accuracy radius
    speed_mps: float | None = None
    valid: bool = True
    seq: int | None = None  # the badge's record sequence number (tie-breaker, audit)


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    lat: float  # debtor address point
    lon: float
    radius_m: float | None = None  # None: the organisation's fence_radius_m
    polygon: tuple[tuple[float, float], ...] | None = None  # (lat, lon) ring; wins over radius
    priority: int = 0
    due: date | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """An organisation's office (stays here are classified `office`)."""

    name: str
    lat: float
    lon: float
    radius_m: float = 200.0


@dataclass(frozen=True, slots=True)
class CheckinAttempt:
    t_ms: int  # when the button was pressed, UTC ms
    case_id: str
    lat: float  # the fix the badge used
    lon: float
    acc_m: float | None
    fix_t_ms: int  # that fix's own time, UTC ms


def _default_rates() -> dict[str, float]:
    # Reimbursement per km by guessed transport mode (organisation currency).
    return {"walk": 0.0, "ebike": 0.3, "car": 0.8}


@dataclass(frozen=True, slots=True)
class OrgSettings:
    tz: str = "Asia/Shanghai"
    # fences and check-ins
    fence_radius_m: float = 200.0
    fence_hysteresis_m: float = 25.0  # exit only when this far outside the fence
    checkin_max_acc_m: float = 50.0  # a fix less precise than this cannot check in
    checkin_max_age_s: float = 60.0  # press time minus fix time
    checkin_acc_k: float = 1.0  # accepted when distance + k * acc_m <= radius
    # track cleaning (filters.py)
    max_fix_acc_m: float = 100.0  # fixes less precise than this are dropped
    max_speed_mps: float = 70.0  # 252 km/h: faster segments are impossible jumps
    min_move_m: float = 20.0  # jitter gate: displacement below this (or acc sum) is noise
    stationary_mps: float = 0.5  # a fix whose own speed is below this did not move
    # stays
    stay_radius_m: float = 200.0
    stay_min_s: float = 1200.0
    idle_limit_s: float = 3600.0  # unknown stay inside working hours longer than this
    # working window, local time "HH:MM"; end < start means it crosses midnight
    work_start: str = "08:00"
    work_end: str = "18:00"
    # mileage
    rates_per_km: dict[str, float] = field(default_factory=_default_rates)
    walk_max_mps: float = 2.5  # trip mode from its 85th-percentile speed: walk up to this,
    ebike_max_mps: float = 7.5  # then ebike up to this (27 km/h), then car
    detour_factor: float = 1.6  # trip distance / straight (or planned) distance above this
    offices: tuple[Site, ...] = ()

    def __hash__(self) -> int:  # the rate dict is not hashable; settings are values
        return hash((self.tz, self.work_start, self.work_end, self.fence_radius_m))

    def radius_of(self, case: Case) -> float:
        return case.radius_m if case.radius_m is not None else self.fence_radius_m
