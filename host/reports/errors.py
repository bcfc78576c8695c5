"""The one exception of host.reports: a request that cannot be done, with a code."""

from __future__ import annotations

# code -> HTTP status for the JSON API (the CLI prints the message).
STATUS = {
    "bad_request": 400,
    "bad_date": 400,
    "bad_value": 400,
    "unknown_collector": 404,
    "unknown_case": 404,
    "unknown_device": 404,
    "conflict": 409,
}


class ReportsError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)
