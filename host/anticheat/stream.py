"""In-process wake-up for the alert stream: a committed alert bumps a version number and
wakes every waiting server-sent-events generator of this process. Other processes
(several gunicorn workers) are reached by the stream's database poll instead."""

from __future__ import annotations

import threading


class Broker:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._version = 0

    @property
    def version(self) -> int:
        return self._version

    def notify(self, *_args) -> None:
        with self._cond:
            self._version += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout_s: float) -> int:
        """Block until the version differs from `seen` or `timeout_s` passes; the version."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != seen, timeout_s)
            return self._version


BROKER = Broker()
