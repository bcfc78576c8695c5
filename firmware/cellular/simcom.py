"""SIMCom SIM7600 / A7670 dialect: PDP context, HTTP(S) POST, serving cell, sleep.

Timings of the PWRKEY pin (SIM7600 Series Hardware Design, power on/off tables): low for
at least 100 ms (typ. 500 ms) to power on, the UART answers after about 12 s; low for at
least 2.5 s to power off; RESET low 2.5 s. The A7670 needs >= 50 ms on; 500 ms serves both.

HTTP: the service stays initialised and the URL and content type set across uploads, so an
upload is AT+HTTPDATA (DOWNLOAD prompt, body), AT+HTTPACTION=1 (OK, later
`+HTTPACTION: 1,<status>,<length>`), AT+HTTPREAD=0,<length> (`+HTTPREAD: <n>`, n raw bytes,
`+HTTPREAD: 0`). Status 6xx/7xx are the module's own transport errors (603 DNS, 714...).
Cell decoding (AT+CPSI?): cellular/cells_simcom.py, loaded only while cells are read.
"""

from badge import unload  # drops cold modules (badge/__init__.py)
from micropython import const

from cellular.parse import fields

PWRKEY_ON_MS = const(500)
PWRKEY_OFF_MS = const(2500)
RESET_MS = const(2500)
BOOT_MS = const(12000)  # PWRKEY released -> UART ready

_HTTP_DATA_MS = const(10000)  # how long the module waits for the body after DOWNLOAD


def http_action(line):
    """'+HTTPACTION: 1,200,7438' (spaces optional) -> (method, status, length) or None."""
    f = fields(line)
    if len(f) < 3:
        return None
    vals = [int(x) if x.isdigit() else None for x in f[:3]]
    return None if None in vals else tuple(vals)


class SimcomDialect:
    name = "simcom"
    pwrkey_on_ms = PWRKEY_ON_MS
    pwrkey_off_ms = PWRKEY_OFF_MS
    boot_ms = BOOT_MS

    def __init__(self, channel):
        self.ch = channel

    def attach(self, apn):
        self.ch.command('AT+CGDCONT=1,"IP","%s"' % apn)
        self.ch.command("AT+CGACT=1,1", 30000)

    def http_open(self, url):
        try:
            self.ch.command("AT+HTTPINIT", 5000)
        except OSError as e:
            if getattr(e, "kind", None) != "error":
                raise
            # A bare ERROR: the service is already initialised (kept from an earlier
            # session): restart it so that no stale parameter survives.
            self.ch.command("AT+HTTPTERM", 5000)
            self.ch.command("AT+HTTPINIT", 5000)
        self.ch.command('AT+HTTPPARA="URL","%s"' % url)
        self.ch.command('AT+HTTPPARA="CONTENT","application/octet-stream"')

    def http_close(self):
        self.ch.command("AT+HTTPTERM", 5000)

    def http_post(self, body, timeout_ms):
        """-> (status, length) of the answer; status >= 600 is the module's own error."""
        self.ch.command("AT+HTTPDATA=%d,%d" % (len(body), _HTTP_DATA_MS), _HTTP_DATA_MS,
                        prompt=b"DOWNLOAD", data=body)
        self.ch.command("AT+HTTPACTION=1", 5000, then=b"+HTTPACTION:")
        line = self.ch.wait_urc(b"+HTTPACTION:", timeout_ms)
        got = http_action(line)
        if got is None:
            raise OSError("unreadable %r" % line)
        return got[1], got[2]

    def http_read(self, length, timeout_ms):
        ch = self.ch
        ch.command("AT+HTTPREAD=0,%d" % length, timeout_ms, then=b"+HTTPREAD:0",
                   raw=(b"+HTTPREAD:", None))
        ch.wait_urc(b"+HTTPREAD:0", timeout_ms)
        ch.stop_raw()
        return memoryview(ch.raw)[:ch.raw_len]

    def cells(self):
        """Serving cell (AT+CPSI?); SIMCom's neighbour report (AT+CENG?) differs between
        firmware versions and is not decoded yet."""
        from cellular.cells_simcom import cpsi_cell

        out = []
        for line in self.ch.command("AT+CPSI?", 3000, expect=b"+CPSI:"):
            cell = cpsi_cell(line)
            if cell is not None and not out:
                out.append(cell)
        unload("cellular.cells_simcom")
        return out

    def iccid(self):
        for line in self.ch.command("AT+CICCID", 2000, expect=b"+ICCID:"):
            return fields(line)[0]
        return None

    def sleep_command(self):
        return "AT+CSCLK=1"
