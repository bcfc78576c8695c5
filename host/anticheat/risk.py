"""Risk scores from stored alerts: per fix, per check-in, per collector-day (host.anticheat.codes
explains the weights and how they combine)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from host.anticheat import codes
from host.db.models import Alert, Fix, Organisation

CHECKIN_WINDOW_MS = 15 * 60 * 1000  # place-and-time alerts this close to a check-in count
DEVICE_WINDOW_MS = 24 * 3600 * 1000  # device alerts (clone, edited log...) the day before
DEFAULT_THRESHOLD = 50


def _merge(weights: dict[str, int], code: str, w: int) -> None:
    weights[code] = max(weights.get(code, 0), w)


def fix_risk(fix: Fix) -> tuple[int, list[str]]:
    if fix.quarantine:
        return codes.weight(fix.quarantine), [fix.quarantine]
    return 0, []


def checkin_risk(
    session: Session,
    device_pk: int | None,
    t_ms: int,
    fix: Fix | None = None,
    max_age_s: float | None = None,
) -> tuple[int, list[str]]:
    """(risk 0..100, reason codes) of a check-in at `t_ms` by the device's badge resting on
    `fix`: the fix's own quarantine, the device's alerts near that time (device-wide ones
    over the day before), and a fix older than `max_age_s` (stale_checkin_fix)."""
    weights: dict[str, int] = {}
    if fix is not None:
        if fix.quarantine:
            _merge(weights, fix.quarantine, codes.weight(fix.quarantine))
        if max_age_s is not None and t_ms - fix.fix_ms > max_age_s * 1000:
            _merge(weights, "stale_checkin_fix", codes.weight("stale_checkin_fix"))
    if device_pk is not None:
        near = (Alert.t_ms >= t_ms - CHECKIN_WINDOW_MS) & (Alert.t_ms <= t_ms + CHECKIN_WINDOW_MS)
        device_wide = (
            Alert.code.in_(codes.DEVICE_CODES)
            & (Alert.last_ms >= t_ms - DEVICE_WINDOW_MS)
            & (Alert.server_ms <= t_ms + DEVICE_WINDOW_MS)
        )
        rows = session.execute(
            select(Alert.code, Alert.weight)
            .where(Alert.device_pk == device_pk)
            .where(or_(near, device_wide))
        ).all()
        for code, w in rows:
            _merge(weights, code, w)
    return codes.combine(weights), sorted(weights)


def day_risk(session: Session, device_pk: int, start_ms: int, end_ms: int) -> tuple[int, list[str]]:
    """Risk of a collector-day: every alert of the badge whose evidence falls in the day."""
    weights: dict[str, int] = {}
    rows = session.execute(
        select(Alert.code, Alert.weight).where(
            Alert.device_pk == device_pk, Alert.t_ms >= start_ms, Alert.t_ms < end_ms
        )
    ).all()
    for code, w in rows:
        _merge(weights, code, w)
    return codes.combine(weights), sorted(weights)


def threshold(org: Organisation | None) -> int:
    value = getattr(org, "risk_threshold", None)
    return DEFAULT_THRESHOLD if value is None else int(value)


def intercept(
    session: Session,
    org: Organisation,
    device_pk: int | None,
    t_ms: int,
    fix: Fix | None,
    accepted: bool,
    reasons: list[str],
) -> tuple[bool, list[str]]:
    """The check-in verdict after the anti-cheat: refused, with `risk_N` and each
    `anticheat:<code>` among its reasons, when the risk is above the threshold."""
    score, found = checkin_risk(session, device_pk, t_ms, fix, org.checkin_max_age_s)
    if score <= threshold(org):
        return accepted, reasons
    return False, [*reasons, f"risk_{score}", *(f"anticheat:{c}" for c in found)]
