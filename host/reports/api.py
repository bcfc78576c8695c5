"""The console's JSON API over host.reports (session login and CSRF as the console's own).

  GET  /api/v1/collectors                         collectors and their badges
  GET  /api/v1/collectors/<name or id>/days/<YYYY-MM-DD>   the collector-day report
  GET  /api/v1/cases?as_of=YYYY-MM-DD             cases with days since the last visit
  POST /api/v1/checkins  {"collector", "case_number", "time": ISO 8601 with offset}
                                                  a console check-in, judged by the host
Reading needs a logged-in admin, supervisor or auditor (read-only); a check-in needs an
admin or supervisor. Errors are the uniform JSON of host/errors.py.
"""

from __future__ import annotations

import functools
from datetime import datetime

from flask import Blueprint, g, request, session

from host.console import security
from host.console.days import BadDate, parse_day
from host.db import get_session
from host.db.models import User
from host.errors import error_response
from host.reports.errors import ReportsError

bp = Blueprint("reports", __name__, url_prefix="/api/v1")

READERS = ("admin", "supervisor", "auditor")
WRITERS = ("admin", "supervisor")


@bp.before_request
def _load_user_and_check_csrf():
    user_id = session.get("user_id")
    g.user = None if user_id is None else get_session().get(User, user_id)
    if user_id is not None and g.user is None:  # the account was deleted
        security.end_session()
    return security.check_csrf()


@bp.after_request
def _headers(resp):
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Cache-Control", "private, no-store")  # tracks are personal data
    return resp


def roles(allowed: tuple[str, ...]):
    def decorate(view):
        @functools.wraps(view)
        @security.login_required
        def wrapped(*args, **kwargs):
            if g.user.role not in allowed:
                return error_response(
                    403, "forbidden", f"role {g.user.role!r} may not do this: needs {allowed}"
                )
            try:
                return view(*args, **kwargs)
            except ReportsError as e:
                return error_response(e.status, e.code, e.message)

        return wrapped

    return decorate


def _day(text: str | None, name: str):
    try:
        return parse_day(text or "")
    except BadDate as e:
        raise ReportsError("bad_date", f"{name}: {e}") from None


@bp.get("/collectors")
@roles(READERS)
def collectors():
    from host.reports.registry import list_collectors

    return {
        "collectors": [
            {"id": c.id, "name": c.name, "device_id": d.device_id if d else None}
            for c, d in list_collectors(get_session())
        ]
    }


@bp.get("/collectors/<who>/days/<day>")
@roles(READERS)
def collector_day(who: str, day: str):
    from host.reports.dayreports import day_view
    from host.reports.registry import get_collector

    the_day = _day(day, "date")
    sess = get_session()
    return day_view(sess, get_collector(sess, who), the_day)


@bp.get("/cases")
@roles(READERS)
def cases():
    from host.reports.checkins import days_since_visit
    from host.reports.settings import get_org, zone

    sess = get_session()
    text = request.args.get("as_of")
    as_of = _day(text, "as_of") if text is not None else datetime.now(zone(get_org(sess).tz)).date()
    return {"as_of": as_of.isoformat(), "cases": days_since_visit(sess, as_of)}


@bp.post("/checkins")
@roles(WRITERS)
def checkins():
    from host.analytics.timeday import parse_utc_ms
    from host.reports.checkins import checkin_json, record_checkin

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ReportsError("bad_request", "the body must be a JSON object")
    collector, number, when = body.get("collector"), body.get("case_number"), body.get("time")
    if not isinstance(collector, str | int) or isinstance(collector, bool):
        raise ReportsError("bad_request", "collector (name or id) is required")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ReportsError("bad_request", "case_number (an integer) is required")
    if not isinstance(when, str):
        raise ReportsError("bad_request", "time (ISO 8601 with a UTC offset) is required")
    try:
        attempt_ms = parse_utc_ms(when)
    except ValueError as e:
        raise ReportsError("bad_value", f"time: {e}") from None
    row = record_checkin(
        get_session(), collector, number, attempt_ms, source="console", created_by=g.user.username
    )
    return checkin_json(get_session(), row), 201
