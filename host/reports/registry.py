"""Collectors (a person and the badge they wear), cases and visit plans."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from host.db.devices import get_device, now_ms
from host.db.models import Case, Collector, Device, VisitPlan
from host.reports.errors import ReportsError
from host.reports.settings import get_org

CASE_NUMBER_MAX = 0xFFFFFFFF  # the badge's check-in record carries it as a u32


def _commit(session: Session, conflict: str) -> None:
    """Commit; a unique constraint that a concurrent writer got to first is a conflict."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ReportsError("conflict", conflict) from None


# --- collectors ------------------------------------------------------------------------------


def get_collector(session: Session, key: str | int) -> Collector:
    """By name, or by id when `key` is an int or all digits."""
    text = str(key).strip()
    found = session.scalar(select(Collector).where(Collector.name == text))
    # isdecimal, not isdigit ("²" is a digit int() refuses); ids beyond a signed 64-bit
    # integer (19+ digits here, to keep clear of int()'s 4,300-digit limit too) cannot exist.
    if found is None and text.isascii() and text.isdecimal() and len(text) <= 18:
        found = session.get(Collector, int(text))
    if found is None:
        raise ReportsError("unknown_collector", f"no collector named or numbered {text!r}")
    return found


def collector_of_device(session: Session, device_pk: int) -> Collector | None:
    return session.scalar(select(Collector).where(Collector.device_pk == device_pk))


def list_collectors(session: Session) -> list[tuple[Collector, Device | None]]:
    stmt = (
        select(Collector, Device)
        .outerjoin(Device, Device.id == Collector.device_pk)
        .order_by(Collector.name)
    )
    return [(c, d) for c, d in session.execute(stmt)]


def add_collector(session: Session, name: str, device_id: str | None = None) -> Collector:
    """Create a collector wearing badge `device_id` (or give an existing one that badge)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ReportsError("bad_value", "a collector's name is 1..120 characters")
    device = None
    if device_id:
        device = get_device(session, device_id.strip())
        if device is None:
            raise ReportsError("unknown_device", f"no device {device_id!r} is registered")
        holder = collector_of_device(session, device.id)
        if holder is not None and holder.name != name:
            raise ReportsError(
                "conflict", f"device {device.device_id} is already worn by {holder.name!r}"
            )
    collector = session.scalar(select(Collector).where(Collector.name == name))
    if collector is None:
        collector = Collector(org_id=get_org(session).id, name=name, created_ms=now_ms())
        session.add(collector)
    if device is not None:
        collector.device_pk = device.id
    _commit(session, f"collector {name!r} or its device changed meanwhile: try again")
    return collector


# --- cases -----------------------------------------------------------------------------------


def _coordinate_e7(value: float, limit: float, what: str) -> int:
    if not isinstance(value, int | float) or value != value or not -limit <= value <= limit:
        raise ReportsError("bad_value", f"{what} must be a number in -{limit}..{limit} degrees")
    return round(value * 1e7)


def _polygon_wkt(text: str | None) -> str | None:
    if not text:
        return None
    import shapely

    try:
        shape = shapely.from_wkt(text)
    except shapely.errors.ShapelyError as e:
        raise ReportsError("bad_value", f"polygon is not valid WKT: {e}") from None
    if shape.geom_type != "Polygon" or shape.is_empty or not shape.is_valid:
        raise ReportsError("bad_value", "polygon must be one valid POLYGON (lon lat order)")
    return shape.wkt


def get_case(session: Session, number: int) -> Case:
    if not isinstance(number, int) or not 1 <= number <= CASE_NUMBER_MAX:
        raise ReportsError(
            "unknown_case", f"no case number {number}: numbers are 1..{CASE_NUMBER_MAX}"
        )
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise ReportsError("unknown_case", f"no case number {number}")
    return case


def add_case(
    session: Session,
    number: int,
    lat: float,
    lon: float,
    *,
    name: str = "",
    address: str = "",
    priority: int = 0,
    due_date: date | None = None,
    fence_radius_m: int | None = None,
    polygon_wkt: str | None = None,
) -> Case:
    if not isinstance(number, int) or not 1 <= number <= CASE_NUMBER_MAX:
        raise ReportsError("bad_value", f"a case number is an integer in 1..{CASE_NUMBER_MAX}")
    if session.scalar(select(Case.id).where(Case.number == number)) is not None:
        raise ReportsError("conflict", f"case number {number} exists already")
    if fence_radius_m is not None and not (
        isinstance(fence_radius_m, int) and 1 <= fence_radius_m <= 100_000
    ):
        raise ReportsError("bad_value", "fence radius must be an integer in 1..100000 m")
    if not isinstance(priority, int) or not -100 <= priority <= 100:
        raise ReportsError("bad_value", "priority must be an integer in -100..100")
    case = Case(
        org_id=get_org(session).id,
        number=number,
        name=(name or "")[:200],
        address=(address or "")[:300],
        lat_e7=_coordinate_e7(lat, 90, "latitude"),
        lon_e7=_coordinate_e7(lon, 180, "longitude"),
        polygon_wkt=_polygon_wkt(polygon_wkt),
        priority=priority,
        due_date=due_date,
        fence_radius_m=fence_radius_m,
        created_ms=now_ms(),
    )
    session.add(case)
    _commit(session, f"case number {number} exists already")
    return case


def list_cases(session: Session) -> list[Case]:
    return list(session.scalars(select(Case).order_by(Case.priority.desc(), Case.number)))


def fence_radius_m(case: Case, org_fence_radius_m: int) -> int:
    return case.fence_radius_m or org_fence_radius_m


# --- visit plans -----------------------------------------------------------------------------


def plan_visits(session: Session, collector: Collector, day: date, numbers: list[int]) -> int:
    """Put cases `numbers` on the collector's list for local date `day`, in that order after
    what is planned already; a case planned twice stays once. Returns the cases added."""
    cases = [get_case(session, n) for n in numbers]
    planned = {p.case_id: p for p in _plans(session, collector.id, day)}
    position = max((p.position for p in planned.values()), default=-1)
    added = 0
    for case in cases:
        if case.id in planned:
            continue
        position += 1
        plan = VisitPlan(
            collector_id=collector.id,
            case_id=case.id,
            day=day,
            position=position,
            created_ms=now_ms(),
        )
        session.add(plan)
        planned[case.id] = plan
        added += 1
    _commit(session, "the plan changed meanwhile: try again")
    return added


def _plans(session: Session, collector_id: int, day: date) -> list[VisitPlan]:
    stmt = select(VisitPlan).where(VisitPlan.collector_id == collector_id, VisitPlan.day == day)
    return list(session.scalars(stmt.order_by(VisitPlan.position)))


def planned_cases(session: Session, collector_id: int, day: date) -> list[Case]:
    stmt = (
        select(Case)
        .join(VisitPlan, VisitPlan.case_id == Case.id)
        .where(VisitPlan.collector_id == collector_id, VisitPlan.day == day)
        .order_by(VisitPlan.position)
    )
    return list(session.scalars(stmt))
