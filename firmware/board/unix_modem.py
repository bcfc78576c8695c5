"""The unix port's modem link: the AT stream to the modem simulator (host/sim/modem*).

`--modem tcp:HOST:PORT` (a socket) or `--modem /dev/pts/N` (a pty the simulator made raw).
`readinto` answers None when nothing is waiting (select.poll), raises OSError when the
simulator closed the link. Power: `ModemLinkPower.on()` closes and reopens the link, which
the simulator treats as a power cycle (PWRKEY on the badge): it boots again (RDY, echo on).
"""

import errno
import select
import socket
import time


class ModemLink:
    def __init__(self, spec):
        if not spec.startswith("tcp:") and not spec.startswith("/"):
            raise ValueError("--modem must be tcp:HOST:PORT or a pty path, not " + spec)
        self.spec = spec
        self.obj = None
        self._poll = None

    def open(self):
        self.close()
        if self.spec.startswith("tcp:"):
            host, _, port = self.spec[4:].rpartition(":")
            ai = socket.getaddrinfo(host, int(port), 0, socket.SOCK_STREAM)[0]
            obj = socket.socket(ai[0], socket.SOCK_STREAM)
            obj.connect(ai[-1])
            obj.setblocking(False)  # MicroPython's readinto would wait for a full buffer
        else:
            try:
                obj = open(self.spec, "r+b", buffering=0)
            except TypeError:  # MicroPython: unbuffered already
                obj = open(self.spec, "r+b")
        self.obj = obj
        self._poll = select.poll()
        self._poll.register(obj, select.POLLIN)

    def readinto(self, buf):
        if self.obj is None:
            self.open()
        if not self._poll.poll(0):
            return None
        if isinstance(self.obj, socket.socket):
            try:
                n = self.obj.recv_into(buf) if hasattr(self.obj, "recv_into") else \
                    self.obj.readinto(buf)
            except OSError as e:
                if e.args and e.args[0] == errno.EAGAIN:
                    return None
                raise
        else:
            n = self._read_pty(buf)
        if not n:
            raise OSError("modem link closed by the simulator")
        return n

    def _read_pty(self, buf):
        # a blocking file's readinto waits for a full buffer: take what poll says is there
        mv = memoryview(buf)
        n = 0
        while n < len(buf) and (n == 0 or self._poll.poll(0)):
            got = self.obj.readinto(mv[n:n + 1])
            if not got:
                break
            n += got
        return n

    def write(self, data):
        if self.obj is None:
            self.open()
        mv = memoryview(data)
        while len(mv):
            try:
                n = self.obj.send(mv) if hasattr(self.obj, "send") else self.obj.write(mv)
            except OSError as e:
                if not e.args or e.args[0] != errno.EAGAIN:
                    raise
                n = None
            if n is None:  # a full socket buffer: wait for the simulator to read
                time.sleep(0.005)
                continue
            if not n:
                raise OSError("modem link closed while writing")
            mv = mv[n:]

    def close(self):
        if self.obj is not None:
            self.obj.close()
            self.obj = None


class ModemLinkPower:
    def __init__(self, link):
        self.link = link

    def on(self):
        self.link.open()  # a new connection: the simulator boots a fresh module
        return None

    def sleep(self, on):
        pass  # no DTR line on a socket: the simulator sees AT+CSCLK only


def make_modem(spec, dialect="simcom", apn="internet", url=""):
    """-> cellular.modem.Modem on a link to the simulator."""
    from cellular.at import AtChannel
    from cellular.modem import Modem, make_dialect

    link = ModemLink(spec)
    ch = AtChannel(link)
    return Modem(ch, make_dialect(dialect, ch), ModemLinkPower(link), apn, url)
