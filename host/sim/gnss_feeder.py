"""A GNSS receiver stand-in: serves a recorded NMEA log over TCP on loopback, paced by the
receiver's own timestamps divided by `speed`, as a UART would deliver it to the badge.

The badge's unix board connects to it as `tcp:127.0.0.1:PORT`. One client; the log is sent
once and the connection closed (end of stream = end of the working day for the badge).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

from host.sim.nmea_log import read_log


class GnssFeeder:
    def __init__(self, log_path: str | Path, speed: float = 20.0, chunk: int = 64):
        self.log_path = Path(log_path)
        self.speed = speed
        self.chunk = chunk  # bytes per write: the badge must reassemble across chunks
        self.sentences_sent = 0
        self.bytes_sent = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="gnss-feeder", daemon=True)
        self.error: BaseException | None = None

    @property
    def address(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    def start(self) -> GnssFeeder:
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _serve(self) -> None:
        try:
            self._server.settimeout(60)
            conn, _ = self._server.accept()
            with conn:
                self._replay(conn)
        except BaseException as e:  # reported to the caller through .error
            self.error = e
        finally:
            self._server.close()

    def _replay(self, conn: socket.socket) -> None:
        start = time.monotonic()
        for line in read_log(self.log_path):
            due = start + line.t_s / self.speed if self.speed > 0 else 0
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            data = line.data
            for i in range(0, len(data), self.chunk):
                conn.sendall(data[i : i + self.chunk])
            self.sentences_sent += 1
            self.bytes_sent += len(data)
        conn.shutdown(socket.SHUT_WR)
