"""A scripted byte stream standing in for the modem UART (CPython and micropython).

`FakeModem(script, chunk=7)`: script is a list of (command, answer) pairs consumed in order;
`command` is the bytes the driver must send (without CR), or a prefix ending in "*"; the
answer is the modem's bytes, or a list of bytes/`Data(n)`/`Later(bytes)` parts:
- `Data(n)`: the modem waits for n raw bytes from the driver (after a prompt) before the
  rest of the answer;
- `Later(b)`: bytes sent only after the driver's next read finds nothing (a result that
  trails OK, or a URC arriving between commands).
Reads return at most `chunk` bytes (lines arrive cut at arbitrary places). A command that
is not the next in the script fails the test. `FakeClock` advances when the driver sleeps.
"""


class Data:
    def __init__(self, n):
        self.n = n


class Later:
    def __init__(self, data):
        self.data = data


class FakeClock:
    def __init__(self):
        self.now = 0

    def ticks(self):
        return self.now

    def sleep(self, ms):
        self.now += ms


class FakeModem:
    def __init__(self, script, chunk=7):
        self.script = list(script)
        self.chunk = chunk
        self.out = bytearray()  # what the modem still has to send now
        self.later = []
        self.pending = []  # answer parts waiting for data
        self.want = 0
        self.rx = bytearray()  # bytes from the driver not yet a full command
        self.sent = []  # commands received
        self.data = []  # raw payloads received
        self.tx_bytes = 0

    def write(self, data):
        self.tx_bytes += len(data)
        data = bytes(data)
        if self.want:
            take = data[:self.want]
            self.data.append(take)
            self.want -= len(take)
            data = data[len(take):]
            if not self.want:
                self._emit(self.pending)
            if not data:
                return len(take)
        self.rx += data
        while b"\r" in self.rx:
            i = self.rx.index(b"\r")
            cmd = bytes(self.rx[:i])
            self.rx = self.rx[i + 1:]
            self._answer(cmd)
        return len(data)

    def _answer(self, cmd):
        self.sent.append(cmd)
        assert self.script, "unexpected command %r (script done)" % cmd
        want, answer = self.script.pop(0)
        if want.endswith(b"*"):
            assert cmd.startswith(want[:-1]), "sent %r, script wants %r" % (cmd, want)
        else:
            assert cmd == want, "sent %r, script wants %r" % (cmd, want)
        if answer is None:  # a modem that does not answer
            return
        self._emit(answer if isinstance(answer, list) else [answer])

    def _emit(self, parts):
        parts = list(parts)
        while parts:
            p = parts.pop(0)
            if isinstance(p, Data):
                self.want = p.n
                self.pending = parts
                return
            if isinstance(p, Later):
                self.later.append(p.data)
            else:
                self.out += p

    def readinto(self, buf):
        if not self.out:
            if not self.later:
                return None
            self.out += self.later.pop(0)
        n = min(len(buf), self.chunk, len(self.out))
        buf[:n] = self.out[:n]
        self.out = self.out[n:]
        return n


def channel(script, chunk=7, **kw):
    from cellular.at import AtChannel

    clock = FakeClock()
    fake = FakeModem(script, chunk)
    ch = AtChannel(fake, clock.ticks, clock.sleep, **kw)
    return ch, fake, clock


# SIMCom scripts shared by the cellular tests
OK = b"\r\nOK\r\n"
BASE = "http://10.0.0.1:8000"
URL = BASE + "/api/v1/batches"
PATH = "/api/v1/batches"


def asc(text):
    return text.encode()


def simcom_bring_up(first=((b"AT", OK),)):
    return list(first) + [
        (b"ATE0", OK), (b"AT+CMEE=1", OK),
        (b"AT+CPIN?", b"\r\n+CPIN: READY\r\n" + OK),
        (b"AT+CEREG?", b"\r\n+CEREG: 0,1\r\n" + OK),
        (b'AT+CGDCONT=1,"IP","internet"', OK), (b"AT+CGACT=1,1", OK),
        (b"AT+HTTPINIT", OK), (asc('AT+HTTPPARA="URL","%s"' % URL), OK),
        (b'AT+HTTPPARA="CONTENT","application/octet-stream"', OK),
    ]


def simcom_upload(n, status, answer):
    return [
        (asc("AT+HTTPDATA=%d,10000" % n), [b"\r\nDOWNLOAD\r\n", Data(n), OK]),
        (b"AT+HTTPACTION=1",
         [OK, Later(asc("\r\n+HTTPACTION: 1,%d,%d\r\n" % (status, len(answer))))]),
        (asc("AT+HTTPREAD=0,%d" % len(answer)),
         [OK, Later(asc("\r\n+HTTPREAD: %d\r\n" % len(answer)) + answer
                    + b"\r\n+HTTPREAD: 0\r\n")]),
    ]


ACK = b'{"ok": true, "ack_seq": 60, "stored": 60, "duplicates": 0}'
