"""The unix-port board: GNSS from a TCP feeder or a file, the badge's files under a directory,
the uplink over sockets to a host URL. Runs under the MicroPython unix port and CPython.

GNSS sources: "tcp:HOST:PORT" (a feeder on the host replays a receiver log into the
socket; the stream ends when the feeder closes it) or "file:PATH" (read at full speed).
Modem: `modem="tcp:HOST:PORT"` or a pty path connects the cellular driver to the modem
simulator (board/unix_modem.py); the uplink then goes through the modem's HTTP stack.
Commands to the receiver (`gnss_write`) go back up the socket; with a file source they are
appended to the file `gnss_tx` when one is given, else only counted (`gnss_tx_bytes`).
"""

import socket
import sys
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

    def write(self, data):
        if hasattr(self.sock, "sendall"):  # CPython
            self.sock.sendall(data)
        else:
            self.sock.write(data)

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
    def __init__(self, fs="badge_fs", gnss=None, host=None, timeout_s=15, gnss_kind="ubx_m8",
                 gnss_tx=None, modem=None, modem_dialect="simcom", apn="internet"):
        self.fs_root = fs.rstrip("/") or "/"
        self.modem_spec = modem  # tcp:HOST:PORT or a pty path (board/unix_modem.py)
        self.modem_dialect = modem_dialect
        self.apn = apn
        self._modem = None
        self.gnss_spec = gnss
        self.host = host
        self.timeout_s = timeout_s
        self.gnss_kind = gnss_kind
        self.gnss_tx = gnss_tx
        self.gnss_tx_bytes = 0
        self._gnss = None

    def open_gnss(self):
        if not self.gnss_spec:
            raise ValueError("no GNSS source: pass --gnss tcp:HOST:PORT or file:PATH")
        self._gnss = open_gnss_source(self.gnss_spec)
        return self._gnss

    def gnss_write(self, data):
        self.gnss_tx_bytes += len(data)
        if isinstance(self._gnss, _SocketStream):
            self._gnss.write(data)
        elif self.gnss_tx:
            with open(self.gnss_tx, "ab") as f:
                f.write(data)

    def gnss_control(self):
        from gnss.control import make_control

        return make_control(self.gnss_kind, self.gnss_write)

    def modem(self):
        """The cellular modem (one per board), or None without --modem."""
        if self._modem is None and self.modem_spec:
            from board.unix_modem import make_modem

            self._modem = make_modem(self.modem_spec, self.modem_dialect, self.apn)
        return self._modem

    def cell_reporter(self, batch_size):
        if self.modem() is None:
            return None
        from cellular.observe import CellReporter

        return CellReporter(self._modem, batch_size)

    def uplink(self):
        if not self.host:
            return None
        if self.modem() is not None:
            from cellular.modem import ModemUplink

            return ModemUplink(self._modem, self.host)
        from badge.http import HttpUplink

        return HttpUplink(self.host, self.timeout_s)

    def led(self, on):
        pass

    def show_verdict(self, accepted):
        """The check-in LED: on the unix port, a line on stderr."""
        print("badge: check-in", "accepted" if accepted else "refused", file=sys.stderr)

    def button(self):
        return False

    def idle_ms(self, ms):
        time.sleep(ms / 1000)
