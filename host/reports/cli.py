"""`visitproof collector|case|plan|checkin|report ...`: the CLI face of host.reports.

visitproof collector add --name X [--device ID]     a collector wearing badge ID
visitproof collector list
visitproof case add --number N --lat LAT --lon LON [--name --address --priority
                    --due YYYY-MM-DD --radius M --polygon WKT]
visitproof case list [--as-of YYYY-MM-DD] [--json]   with days since the last visit
visitproof plan add --collector X --date D N [N ...] cases on X's list for local day D
visitproof checkin add --collector X --case N --time ISO8601   (a console check-in)
visitproof report day --collector X --date D [--json]
visitproof report refresh [--limit N]               recompute stale collector-days
"""

from __future__ import annotations

import json
from datetime import date, datetime

import click
from flask.cli import with_appcontext

from host.reports.errors import ReportsError


def _session():
    from host.db import get_session

    return get_session()


def _day(text: str | None, option: str) -> date | None:
    from host.console.days import BadDate, parse_day

    if text is None:
        return None
    try:
        return parse_day(text)
    except BadDate as e:
        raise click.BadParameter(str(e), param_hint=option) from None


def _fail(e: ReportsError):
    return click.ClickException(f"{e.code}: {e.message}")


# --- collector -------------------------------------------------------------------------------


@click.group()
def collector() -> None:
    """Collectors and the badges they wear."""


@collector.command("add")
@click.option("--name", required=True)
@click.option("--device", "device_id", default=None, help="the badge's device id (16 hex)")
@with_appcontext
def collector_add(name: str, device_id: str | None) -> None:
    """Create a collector (or give an existing one a badge)."""
    from host.reports.registry import add_collector

    try:
        c = add_collector(_session(), name, device_id)
    except ReportsError as e:
        raise _fail(e) from None
    click.echo(f"collector {c.id} {c.name}")


@collector.command("list")
@with_appcontext
def collector_list() -> None:
    from host.reports.registry import list_collectors

    for c, d in list_collectors(_session()):
        click.echo(f"{c.id:<5} {c.name:30} {d.device_id if d else '-'}")


# --- case ------------------------------------------------------------------------------------


@click.group()
def case() -> None:
    """Debtors' cases and their visit fences."""


@case.command("add")
@click.option("--number", required=True, type=int, help="the case number the badge shows")
@click.option("--lat", required=True, type=float)
@click.option("--lon", required=True, type=float)
@click.option("--name", default="")
@click.option("--address", default="")
@click.option("--priority", default=0, type=int)
@click.option("--due", default=None, help="due date YYYY-MM-DD")
@click.option("--radius", default=None, type=int, help="fence radius in m (else the org's)")
@click.option("--polygon", default=None, help="fence polygon as WKT, lon lat order")
@with_appcontext
def case_add(number, lat, lon, name, address, priority, due, radius, polygon) -> None:
    from host.reports.registry import add_case

    try:
        c = add_case(
            _session(),
            number,
            lat,
            lon,
            name=name,
            address=address,
            priority=priority,
            due_date=_day(due, "--due"),
            fence_radius_m=radius,
            polygon_wkt=polygon,
        )
    except ReportsError as e:
        raise _fail(e) from None
    click.echo(f"case {c.number} added")


@case.command("list")
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD (default: today, org zone)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def case_list(as_of: str | None, as_json: bool) -> None:
    """Cases with their last verified visit and the days since."""
    from host.reports.checkins import days_since_visit
    from host.reports.settings import get_org, zone

    session = _session()
    day = _day(as_of, "--as-of") or datetime.now(zone(get_org(session).tz)).date()
    rows = days_since_visit(session, day)
    if as_json:
        click.echo(json.dumps({"as_of": day.isoformat(), "cases": rows}, indent=1))
        return
    for r in rows:
        since = "never" if r["days_since_visit"] is None else f"{r['days_since_visit']} d"
        click.echo(f"{r['number']:<10} p{r['priority']:<4} {since:>7}  {r['name']}")


# --- plan ------------------------------------------------------------------------------------


@click.group()
def plan() -> None:
    """Visit plans: which cases a collector visits on a day."""


@plan.command("add")
@click.option("--collector", "who", required=True)
@click.option("--date", "day", required=True, help="local day YYYY-MM-DD")
@click.argument("numbers", nargs=-1, required=True, type=int)
@with_appcontext
def plan_add(who: str, day: str, numbers: tuple[int, ...]) -> None:
    from host.reports.registry import get_collector, plan_visits

    session = _session()
    try:
        added = plan_visits(session, get_collector(session, who), _day(day, "--date"), numbers)
    except ReportsError as e:
        raise _fail(e) from None
    click.echo(f"{added} case(s) planned")


# --- checkin ---------------------------------------------------------------------------------


@click.group()
def checkin() -> None:
    """Check-ins entered at the console."""


@checkin.command("add")
@click.option("--collector", "who", required=True)
@click.option("--case", "number", required=True, type=int)
@click.option("--time", "when", required=True, help="ISO 8601 with an offset, e.g. ...+08:00")
@with_appcontext
def checkin_add(who: str, number: int, when: str) -> None:
    from host.analytics.timeday import parse_utc_ms
    from host.reports.checkins import checkin_json, record_checkin

    try:
        attempt_ms = parse_utc_ms(when)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--time") from None
    try:
        row = record_checkin(_session(), who, number, attempt_ms, source="console")
    except ReportsError as e:
        raise _fail(e) from None
    click.echo(json.dumps(checkin_json(_session(), row)))


# --- report ----------------------------------------------------------------------------------


@click.group()
def report() -> None:
    """Day reports."""


def _print_view(view: dict) -> None:
    c = view["collector"]
    click.echo(f"{c['name']} (device {c['device_id'] or '-'})  {view['date']}  {view['tz']}")
    for key, value in view["report"].items():
        if isinstance(value, list):
            click.echo(f"{key}: {len(value)}")
            for item in value:
                click.echo("  " + json.dumps(item, ensure_ascii=False))
        elif isinstance(value, dict):
            click.echo(f"{key}: {json.dumps(value, ensure_ascii=False)}")
        else:
            click.echo(f"{key}: {value}")
    click.echo(f"check-ins: {len(view['checkins'])}")
    for ci in view["checkins"]:
        verdict = "accepted" if ci["accepted"] else "refused " + ",".join(ci["reasons"])
        click.echo(f"  {ci['attempt_time']} case {ci['case_number']}: {verdict}")
    click.echo(f"planned cases: {len(view['planned_cases'])}")
    for p in view["planned_cases"]:
        since = "never visited" if p["days_since_visit"] is None else p["days_since_visit"]
        click.echo(f"  case {p['number']} {p['name']}: days since visit {since}")


@report.command("day")
@click.option("--collector", "who", required=True, help="collector name or id")
@click.option("--date", "day", required=True, help="local working day YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def report_day(who: str, day: str, as_json: bool) -> None:
    """The collector's day: mileage, trips, stays, fence events, check-ins, idle alerts."""
    from host.reports.dayreports import day_view
    from host.reports.registry import get_collector

    session = _session()
    the_day = _day(day, "--date")
    try:
        view = day_view(session, get_collector(session, who), the_day)
    except ReportsError as e:
        raise _fail(e) from None
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=1))
    else:
        _print_view(view)


@report.command("refresh")
@click.option("--limit", default=None, type=int, help="at most this many collector-days")
@with_appcontext
def report_refresh(limit: int | None) -> None:
    """Recompute the collector-days that late data made stale (a worker's loop step)."""
    from host.reports.dayreports import refresh_stale

    click.echo(f"{refresh_stale(_session(), limit)} day report(s) recomputed")


# --- org -------------------------------------------------------------------------------------


@click.group()
def org() -> None:
    """The organisation's settings (time zone, fences, check-ins, stays, hours, rates)."""


@org.command("show")
@with_appcontext
def org_show() -> None:
    from host.reports.settings import get_org, sites

    session = _session()
    o = get_org(session)
    values = {c.name: getattr(o, c.name) for c in o.__table__.columns}
    values["sites"] = [
        {"name": s.name, "lat": s.lat_e7 / 1e7, "lon": s.lon_e7 / 1e7, "radius_m": s.radius_m}
        for s in sites(session, o)
    ]
    session.commit()
    click.echo(json.dumps(values, indent=1, ensure_ascii=False))


@org.command("set")
@click.argument("pairs", nargs=-1, required=True)
@with_appcontext
def org_set(pairs: tuple[str, ...]) -> None:
    """KEY=VALUE: tz=Asia/Shanghai, fence_radius_m=200, checkin_max_acc_m, checkin_max_age_s,
    stay_radius_m, stay_min_s, work_start_min, work_end_min, idle_limit_s, rates='{"car":0.8}'."""
    from host.reports.settings import update_org

    values: dict = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="PAIRS")
        if key == "tz":
            values[key] = text
        elif key == "rates":
            try:
                values[key] = json.loads(text)
            except ValueError:
                raise click.BadParameter(
                    "rates must be a JSON object", param_hint="rates"
                ) from None
            if not isinstance(values[key], dict):
                raise click.BadParameter("rates must be a JSON object", param_hint="rates")
        else:
            try:
                values[key] = int(text)
            except ValueError:
                raise click.BadParameter(f"{key} must be an integer", param_hint=key) from None
    try:
        update_org(_session(), **values)
    except ReportsError as e:
        raise _fail(e) from None
    click.echo("settings updated")


@org.command("site-add")
@click.option("--name", required=True)
@click.option("--lat", required=True, type=float)
@click.option("--lon", required=True, type=float)
@click.option("--radius", default=200, show_default=True, type=int)
@with_appcontext
def org_site_add(name: str, lat: float, lon: float, radius: int) -> None:
    """An office: stays inside it are "office", never idle."""
    from host.reports.settings import add_site

    try:
        add_site(_session(), name, lat, lon, radius)
    except ReportsError as e:
        raise _fail(e) from None
    click.echo(f"site {name} added")
