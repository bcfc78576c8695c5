"""HTML pages: login, logout, devices, track."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, g, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash

from host.console import bp, days, queries, security, vendor
from host.console.context import console_tz, db_session
from host.db import devices as registry
from host.db import users
from host.db.models import User

log = logging.getLogger(__name__)

LOGIN_FAILED = "invalid username or password"


@bp.before_request
def _load_user_and_check_csrf():
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        g.user = db_session().get(User, user_id)
        if g.user is None:  # the account was deleted: drop the stale session
            security.end_session()
    return security.check_csrf()


@bp.after_request
def _headers(resp):
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    if g.get("user") is not None:  # tracks are personal data: keep them out of shared caches
        resp.headers.setdefault("Cache-Control", "private, no-store")
    return resp


@bp.app_context_processor
def _template_globals():
    return {"csrf_token": security.csrf_token, "current_user": g.get("user")}


@bp.record_once
def _cookie_defaults(state):
    state.app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")


@bp.get("/login")
def login():
    if g.user is not None:
        return redirect(url_for("console.devices"))
    return render_template(
        "login.html", error=None, username="", next=security.safe_next(request.args.get("next"))
    )


@bp.post("/login")
def login_post():
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    next_url = security.safe_next(request.form.get("next"))
    user = users.get_user(db_session(), username)
    if user is None or not check_password_hash(user.password_hash, password):
        # One message for both cases; the password itself is never logged.
        log.info("console login failed for username %r from %s", username, request.remote_addr)
        return render_template(
            "login.html", error=LOGIN_FAILED, username=username, next=next_url
        ), 401
    security.start_session(user.id)
    log.info("console login: %s from %s", user.username, request.remote_addr)
    return redirect(next_url or url_for("console.devices"))


@bp.post("/logout")
def logout():
    security.end_session()
    return redirect(url_for("console.login"))


@bp.get("/")
@security.login_required
def index():
    return redirect(url_for("console.devices"))


@bp.get("/devices")
@security.login_required
def devices():
    tz = console_tz()
    rows = queries.device_overview(db_session())
    return render_template(
        "devices.html", rows=rows, tz=tz.key, local=lambda ms: days.local_text(ms, tz)
    )


@bp.get("/devices/<device_id>/track")
@security.login_required
def track(device_id: str):
    if not vendor.leaflet_dir().is_dir():
        return vendor.missing_page()
    sess = db_session()
    device = registry.get_device(sess, device_id)
    if device is None:
        return render_template(
            "error.html",
            title="Unknown device",
            message=f"No device with id {device_id} is registered.",
        ), 404
    tz = console_tz()
    text = request.args.get("date")
    if text:
        try:
            day = days.parse_day(text)
        except days.BadDate as exc:
            return render_template("error.html", title="Bad date", message=str(exc)), 400
    else:
        day = queries.default_day(sess, device.id, tz)
    return render_template(
        "track.html",
        device=device,
        day=day,
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        tz=tz.key,
        tile_url=current_app.config.get("VISITPROOF_TILE_URL", ""),
        tile_attribution=current_app.config.get("VISITPROOF_TILE_ATTRIBUTION", ""),
    )
