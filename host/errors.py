"""Uniform JSON errors for the API (microblog's app/api/errors.py habit).

Every API rejection is `{"ok": false, "error": {"code": ..., "message": ...}}` plus optional
extra top-level fields (the ingest 409s carry "ack_seq"). Paths outside /api/ keep Flask's
normal HTML errors so that the console can render its own pages.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

API_PREFIX = "/api/"
log = logging.getLogger("visitproof.api")


class ApiError(Exception):
    """Raise from an API view to answer `status` with a JSON error naming `code`."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def error_response(status: int, code: str, message: str, **extra: Any):
    body = {"ok": False, "error": {"code": code, "message": message}, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _http_code(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(e: ApiError):
        return error_response(e.status, e.code, e.message, **e.extra)

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        if not request.path.startswith(API_PREFIX):
            return e  # console pages: Flask's own rendering
        status = e.code or 500
        if status >= 500:
            log.error("%s %s -> %d", request.method, request.path, status)
            message = "internal error"  # never leak a traceback to a client
        else:
            message = e.description or HTTP_STATUS_CODES.get(status, "error")
        return error_response(status, _http_code(status), message)
