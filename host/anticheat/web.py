"""The console's alerts: a list page, its JSON, and the live feed as server-sent events.

Routes on the console blueprint (login required, as every console route):
  GET /alerts                      the latest alerts, new ones added as they arrive
  GET /api/v1/alerts?limit=N       the latest alerts as JSON, newest first
  GET /api/v1/alerts/stream        text/event-stream: one `alert` event per new alert
                                   (`id:` is the alert id; Last-Event-ID or ?after= resumes)
The stream wakes on this process's commits (host.anticheat.stream) and polls the database
every POLL_S seconds for alerts stored by other processes.
"""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, request, stream_with_context
from sqlalchemy import func, select

from host.anticheat.alerts import alerts_after, latest_alerts
from host.anticheat.stream import BROKER
from host.console import bp, security
from host.console.context import db_session
from host.db import get_db
from host.db.models import Alert

POLL_S = 1.0
KEEPALIVE_S = 15.0


@bp.get("/alerts")
@security.login_required
def alerts_page():
    return render_template("alerts.html", alerts=latest_alerts(db_session()))


@bp.get("/api/v1/alerts")
@security.login_required
def api_alerts():
    limit = request.args.get("limit", default=200, type=int)
    return {"alerts": latest_alerts(db_session(), max(1, min(limit or 200, 1000)))}


def _start_id() -> int:
    text = request.headers.get("Last-Event-ID") or request.args.get("after")
    # isdecimal, not isdigit ("²" is a digit int() refuses); 19+ digits may pass int64.
    if text is not None and text.isascii() and text.isdecimal() and len(text) <= 18:
        return int(text)
    return db_session().scalar(select(func.max(Alert.id))) or 0


@bp.get("/api/v1/alerts/stream")
@security.login_required
def api_alert_stream():
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    last_id = _start_id()
    db_session().close()

    def events():
        nonlocal last_id
        seen = BROKER.version
        idle_s = 0.0
        yield "retry: 2000\n\n"
        while True:
            with get_db(app).sessions() as session:
                fresh = alerts_after(session, last_id)
            for alert in fresh:
                last_id = alert["id"]
                yield f"id: {alert['id']}\nevent: alert\ndata: {json.dumps(alert)}\n\n"
            if fresh:
                idle_s = 0.0
                continue
            if idle_s >= KEEPALIVE_S:
                idle_s = 0.0
                yield ": keep-alive\n\n"
            version = BROKER.wait(seen, POLL_S)
            idle_s += 0.0 if version != seen else POLL_S
            seen = version

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(stream_with_context(events()), mimetype="text/event-stream", headers=headers)
