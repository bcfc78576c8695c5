"""The console's JSON API (session login, not the badge API)."""

from __future__ import annotations

from flask import request

from host.console import bp, days, queries, security
from host.console.context import console_tz, db_session
from host.db import devices
from host.db.models import Fix
from host.errors import error_response


def fix_json(fix: Fix) -> dict:
    return {
        "seq": fix.seq,
        "t": days.utc_iso(fix.fix_ms),
        "lat": round(fix.lat_e7 / 1e7, 7),
        "lon": round(fix.lon_e7 / 1e7, 7),
        "acc_m": fix.acc_m,
        "speed_mps": None if fix.speed_cmps is None else fix.speed_cmps / 100,
        "alt_m": None if fix.alt_cm is None else fix.alt_cm / 100,
    }


@bp.get("/api/v1/devices/<device_id>/track")
@security.login_required
def api_track(device_id: str):
    sess = db_session()
    tz = console_tz()
    text = request.args.get("date")
    day = None
    if text is not None:
        try:
            day = days.parse_day(text)
        except days.BadDate as exc:
            return error_response(400, "bad_date", str(exc))
    device = devices.get_device(sess, device_id)
    if device is None:
        return error_response(404, "unknown_device", f"no device with id {device_id!r}")
    if day is None:
        day = queries.default_day(sess, device.id, tz)
    start_ms, end_ms = days.day_bounds_ms(day, tz)
    fixes = queries.day_fixes(sess, device.id, start_ms, end_ms)
    return {
        "device_id": device.device_id,
        "date": day.isoformat(),
        "tz": tz.key,
        "fixes": [fix_json(f) for f in fixes],
    }


@bp.get("/api/v1/devices/<device_id>/cells")
@security.login_required
def api_cells(device_id: str):
    """The cells the badge heard on a day (record kind 4), in sequence order."""
    from host.console.cells import cell_json, day_cells

    sess = db_session()
    tz = console_tz()
    device = devices.get_device(sess, device_id)
    if device is None:
        return error_response(404, "unknown_device", f"no device with id {device_id!r}")
    try:
        day = days.parse_day(request.args["date"]) if "date" in request.args else None
    except days.BadDate as exc:
        return error_response(400, "bad_date", str(exc))
    if day is None:
        day = queries.default_day(sess, device.id, tz)
    start_ms, end_ms = days.day_bounds_ms(day, tz)
    cells = day_cells(sess, device.id, start_ms, end_ms)
    return {
        "device_id": device.device_id,
        "date": day.isoformat(),
        "tz": tz.key,
        "cells": [cell_json(c) for c in cells],
    }
