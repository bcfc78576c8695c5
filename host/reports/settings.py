"""The organisation's settings. One installation serves one organisation: row 1 of
`organisations`, created with the defaults of host.db.models.Organisation on first use
(time zone Asia/Shanghai, fence 200 m, stays of 200 m / 20 min, working hours 08:00-18:00,
idle limit 1 h, check-ins need a fix at most 60 s old with an accuracy radius <= 50 m).
"""

from __future__ import annotations

import json
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from host.db.devices import now_ms
from host.db.models import Organisation, Site
from host.reports.errors import ReportsError

ORG_ID = 1


def get_org(session: Session) -> Organisation:
    """Row 1, created (flushed, not committed) when missing."""
    org = session.get(Organisation, ORG_ID)
    if org is not None:
        return org
    try:
        with session.begin_nested():  # a concurrent first use may insert it too
            session.add(Organisation(id=ORG_ID, name="default", updated_ms=now_ms()))
    except IntegrityError:
        pass
    return session.get(Organisation, ORG_ID)


@lru_cache(maxsize=16)
def zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportsError("bad_value", f"{key!r} is not an IANA time zone") from None


def sites(session: Session, org: Organisation) -> list[Site]:
    return list(session.scalars(select(Site).where(Site.org_id == org.id).order_by(Site.id)))


def rates(org: Organisation) -> dict[str, float]:
    return json.loads(org.rates_json or "{}")


_INT_FIELDS = {
    "fence_radius_m": (1, 100_000),
    "checkin_max_acc_m": (1, 100_000),
    "checkin_max_age_s": (1, 86_400),
    "stay_radius_m": (1, 100_000),
    "stay_min_s": (1, 86_400),
    "work_start_min": (0, 1439),
    "work_end_min": (0, 1439),
    "idle_limit_s": (1, 86_400),
}


def update_org(session: Session, **values) -> Organisation:
    """Change settings (tz, the integer fields above, rates as a dict); commits."""
    org = get_org(session)
    for key, value in values.items():
        if key == "tz":
            zone(value)
            org.tz = value
        elif key == "rates":
            if not all(isinstance(v, int | float) and v >= 0 for v in value.values()):
                raise ReportsError("bad_value", "rates are numbers >= 0 per mode")
            org.rates_json = json.dumps(value, sort_keys=True)
        elif key in _INT_FIELDS:
            low, high = _INT_FIELDS[key]
            if not isinstance(value, int) or not low <= value <= high:
                raise ReportsError("bad_value", f"{key} must be an integer in {low}..{high}")
            setattr(org, key, value)
        else:
            raise ReportsError("bad_value", f"no setting named {key!r}")
    org.updated_ms = now_ms()
    session.commit()
    return org


def add_site(session: Session, name: str, lat: float, lon: float, radius_m: int = 200) -> Site:
    """An office of the organisation (stays inside are classified "office"); commits."""
    if not name or not -90 <= lat <= 90 or not -180 <= lon <= 180 or not 1 <= radius_m <= 100_000:
        raise ReportsError("bad_value", "a site needs a name, a position and a radius 1..100000 m")
    site = Site(
        org_id=get_org(session).id,
        name=name[:120],
        lat_e7=round(lat * 1e7),
        lon_e7=round(lon * 1e7),
        radius_m=radius_m,
    )
    session.add(site)
    session.commit()
    return site
