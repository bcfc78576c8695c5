"""Login sessions and CSRF protection for the console.

Sessions are Flask's signed cookie holding the user's id. Every unsafe request to the
console blueprint must carry the session's CSRF token, as form field `csrf_token` or
header `X-CSRF-Token` (for fetch calls); the token is made once per session and renewed
at login, so a token seen before login is useless after it.
"""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import g, redirect, render_template, request, session, url_for

from host.errors import error_response as json_error

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    """The session's token (created on first use); templates call it as csrf_token()."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def check_csrf():
    """For before_request: a 400 response when an unsafe request's token does not match."""
    if request.method not in _UNSAFE:
        return None
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get(CSRF_FIELD) or ""
    if expected and hmac.compare_digest(sent.encode(), expected.encode()):
        return None
    message = "CSRF token missing or invalid: reload the page and try again."
    if is_api_request():
        return json_error(400, "csrf_failed", message)
    return render_template("error.html", title="Form expired", message=message), 400


def start_session(user_id: int) -> None:
    # A fresh session at login: nothing set before it (or by an attacker) carries over.
    session.clear()
    session["user_id"] = user_id
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def end_session() -> None:
    session.clear()


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def login_required(view):
    """Pages redirect to the login form; JSON endpoints answer 401 JSON."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            if is_api_request():
                return json_error(401, "login_required", "log in to the console first")
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
