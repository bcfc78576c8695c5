"""The simulated modem's end of the UART: a TCP socket on loopback or a pseudo-terminal.

TCP: `TcpPort` listens on 127.0.0.1; the badge's unix board connects to `tcp:127.0.0.1:P`.
Each new connection is a power-on of the module (the board's PWRKEY on the unix port:
drop the connection and connect again); one connection at a time.
pty: `PtyPort` opens a pseudo-terminal in raw mode; the badge opens `path` (/dev/pts/N).
Both give `accept(timeout) -> Link | None`; a Link has `recv(timeout) -> bytes | None`
(b"" when the other side closed) and `send(data)`.
"""

from __future__ import annotations

import os
import select
import socket
import tty


class Link:
    def __init__(self, fileno: int, read, write, close):
        self._fileno = fileno
        self._read = read
        self._write = write
        self._close = close

    def recv(self, timeout: float) -> bytes | None:
        ready, _, _ = select.select([self._fileno], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            return self._read(4096)
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while len(view):
            n = self._write(view)
            view = view[n:]

    def close(self) -> None:
        self._close()


class TcpPort:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]

    @property
    def address(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    def accept(self, timeout: float) -> Link | None:
        ready, _, _ = select.select([self._server], [], [], timeout)
        if not ready:
            return None
        conn, _ = self._server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Link(conn.fileno(), conn.recv, conn.send, conn.close)

    def close(self) -> None:
        self._server.close()


class PtyPort:
    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._given = False

    @property
    def address(self) -> str:
        return self.path

    def accept(self, timeout: float) -> Link | None:
        if self._given:  # a pty has no reconnect: one life
            select.select([], [], [], timeout)
            return None
        self._given = True
        m = self._master
        return Link(m, lambda n: os.read(m, n), lambda b: os.write(m, b), lambda: None)

    def close(self) -> None:
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
