"""Quectel BG96 / EC25 dialect, same interface as simcom.SimcomDialect.

PWRKEY (BG96 / EC25 Hardware Design): low >= 500 ms to turn on, >= 650 ms to turn off; the
UART answers after about 4.8 s (BG96) to 12 s (EC25): 12 s serves both.

HTTP (Quectel HTTP(S) AT Commands Manual): AT+QHTTPCFG="contextid",1 and
"contenttype",2 (application/octet-stream) once, AT+QHTTPURL=<n>,80 -> CONNECT -> the URL
(once); each upload AT+QHTTPPOST=<len>,80,80 -> CONNECT -> body -> OK, then
`+QHTTPPOST: <err>,<status>,<length>` (err != 0: the module's own failure, 7xx);
AT+QHTTPREAD=80 -> CONNECT, <length> raw bytes, OK, `+QHTTPREAD: <err>`.
Cell decoding (AT+QENG): cellular/cells_quectel.py, loaded only while cells are read.
"""

from badge import unload  # drops cold modules (badge/__init__.py)
from micropython import const

from cellular.parse import fields

PWRKEY_ON_MS = const(500)
PWRKEY_OFF_MS = const(650)
BOOT_MS = const(12000)
_WAIT_S = const(80)


def qhttp_result(line):
    """'+QHTTPPOST: 0,200,177' -> (err, status, length); err != 0 has no status. None when
    a field is not a non-negative integer (a negative length would steer the raw read)."""
    f = fields(line)
    vals = [int(x) if x.isdigit() else None for x in f[:3]]
    while len(vals) < 3:
        vals.append(0)
    if vals[0] is None or (vals[0] == 0 and None in vals):
        return None
    return vals[0], vals[1] or 0, vals[2] or 0


class QuectelDialect:
    name = "quectel"
    pwrkey_on_ms = PWRKEY_ON_MS
    pwrkey_off_ms = PWRKEY_OFF_MS
    boot_ms = BOOT_MS

    def __init__(self, channel):
        self.ch = channel
        self.neighbours_without_id = 0

    def attach(self, apn):
        self.ch.command('AT+QICSGP=1,1,"%s","","",1' % apn)
        try:
            self.ch.command("AT+QIACT=1", 150000)
        except OSError as e:
            if getattr(e, "kind", None) != "error":
                raise
            self.ch.command("AT+QIACT?", 2000)  # ERROR: already active; it must say so
        self.ch.command('AT+QHTTPCFG="contextid",1')
        self.ch.command('AT+QHTTPCFG="contenttype",2')

    def http_open(self, url):
        self.ch.command("AT+QHTTPURL=%d,%d" % (len(url), _WAIT_S), _WAIT_S * 1000,
                        prompt=b"CONNECT", data=url.encode())

    def http_close(self):
        pass  # nothing to tear down: the URL stays set

    def http_post(self, body, timeout_ms):
        self.ch.command("AT+QHTTPPOST=%d,%d,%d" % (len(body), _WAIT_S, _WAIT_S),
                        _WAIT_S * 1000, prompt=b"CONNECT", data=body, then=b"+QHTTPPOST:")
        line = self.ch.wait_urc(b"+QHTTPPOST:", timeout_ms)
        got = qhttp_result(line)
        if got is None:
            raise OSError("unreadable %r" % line)
        err, status, length = got
        if err:
            return err, 0  # 7xx: the module's own error code
        return status, length

    def http_read(self, length, timeout_ms):
        ch = self.ch
        ch.command("AT+QHTTPREAD=%d" % _WAIT_S, timeout_ms, then=b"+QHTTPREAD:",
                   raw=(b"CONNECT", length))
        line = ch.wait_urc(b"+QHTTPREAD:", timeout_ms)
        ch.stop_raw()
        got = qhttp_result(line)
        if got is None or got[0]:
            raise OSError("HTTP read failed: %s" % line)
        return memoryview(ch.raw)[:ch.raw_len]

    def cells(self):
        from cellular.cells_quectel import qeng_neighbour, qeng_serving

        out = []
        for line in self.ch.command('AT+QENG="servingcell"', 3000, expect=b"+QENG:"):
            cell = qeng_serving(line)
            if cell is not None:
                out.append(cell)
        for line in self.ch.command('AT+QENG="neighbourcell"', 3000, expect=b"+QENG:"):
            cell = qeng_neighbour(line)
            if cell is not None:
                out.append(cell)
            else:
                self.neighbours_without_id += 1
        unload("cellular.cells_quectel")
        return out

    def iccid(self):
        for line in self.ch.command("AT+QCCID", 2000, expect=b"+QCCID:"):
            return fields(line)[0]
        return None

    def sleep_command(self):
        return "AT+QSCLK=1"
