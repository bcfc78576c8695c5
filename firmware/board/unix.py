"""The unix-port board: GNSS from a TCP feeder or a file, the badge's files under a directory,
the uplink over sockets to a host URL. Runs under the MicroPython unix port and CPython.

GNSS sources: "tcp:HOST:PORT" (a feeder on the host replays a receiver log into the
socket; the stream ends when the feeder closes it) or "file:PATH" (read at full speed).
"""

import socket
import time

from board import HeapWatch


class _SocketStream:
    def __init__(self, host, port):
        ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        self.sock = socket.socket(ai[0], socket.SOCK_STREAM)
        self.sock.connect(ai[-1])

    def readinto(self, buf):
        if hasattr(self.sock, "recv_into"):  # CPython
            return self.sock.recv_into(buf)
        return self.sock.readinto(buf)

    def close(self):
        self.sock.close()


def open_gnss_source(spec):
    kind, _, rest = spec.partition(":")
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        return _SocketStream(host, int(port))
    if kind == "file":
        return open(rest, "rb")
    raise ValueError("GNSS source must be tcp:HOST:PORT or file:PATH, not " + spec)


class Board(HeapWatch):
    def __init__(self, fs="badge_fs", gnss=None, host=None, timeout_s=15):
        self.fs_root = fs.rstrip("/") or "/"
        self.gnss_spec = gnss
        self.host = host
        self.timeout_s = timeout_s

    def open_gnss(self):
        if not self.gnss_spec:
            raise ValueError("no GNSS source: pass --gnss tcp:HOST:PORT or file:PATH")
        return open_gnss_source(self.gnss_spec)

    def uplink(self):
        if not self.host:
            return None
        from badge.http import HttpUplink

        return HttpUplink(self.host, self.timeout_s)

    def led(self, on):
        pass

    def button(self):
        return False

    def idle_ms(self, ms):
        time.sleep(ms / 1000)
