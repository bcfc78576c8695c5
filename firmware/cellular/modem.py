"""The modem as the firmware sees it: bring-up with retries, a readable state, the uplink.

`Modem(channel, dialect, power=None, apn="internet", url=...)`:
- `state`: OFF, SEARCHING, REGISTERED, DATA_READY, SLEEPING, FAILED; `reason` says why
  (the last error, a registration stat name, "SIM absent"...).
- `ensure_ready()`: brings the modem to DATA_READY (power, AT sync, ATE0, AT+CMEE=1, SIM,
  registration, PDP context, HTTP service) or raises OSError; after a failure it waits a
  backoff (2 s doubling to 5 min) before trying again, raising at once meanwhile.
- `post(body) -> (status, answer bytes)`: one HTTP POST of a binary body.
- `cells()`: serving (and where decodable, neighbour) cells as CELL_FMT tuples.
- `sleep()` / `wake()`; cellular/info.py: `network_time(m)`, `imei(m)`, `iccid(m)`,
  `signal_dbm(m)`, `psm(m)`. The bring-up itself is cold code in cellular/bringup.py.
`power` is the board's modem power object (board.esp32: PWRKEY and DTR pins; board.unix:
reconnecting the simulator link), with `on()`, `off()`, `sleep(bool)`; `on()` may return a
new stream for the channel.

`ModemUplink(modem)` is the uploader's uplink: `post(path, body) -> (status, dict)` like
badge.http.HttpUplink; any transport failure raises OSError (the uploader backs off).

Recovery, per fault:
- `+CME ERROR: 14` (SIM busy) or 13 right after boot: wait 1 s, ask again (up to 10 times);
  `+CME ERROR: 10` / `SIM not inserted`: FAILED "SIM absent";
- a bare ERROR: AT+CMEE=1, then the command once more;
- no answer (timeouts): AT sync up to 3 times, then a power cycle through PWRKEY, and ATE0
  again (echo comes back after a reset);
- registration denied (stat 3): FAILED; searching beyond `reg_timeout_ms`: FAILED;
- an upload that fails (module 6xx/7xx, timeout, registration lost) leaves the modem to
  be re-checked (`AT+CEREG?`) before the next upload; the records stay in the log.
"""

import json
import sys
from time import ticks_diff

from badge import unload  # drops cold modules (badge/__init__.py)
from micropython import const

from cellular.at_errors import ERROR, AtError
from cellular.parse import reg_stat, registered, stat_name

OFF = "off"
SEARCHING = "searching"
REGISTERED = "registered"
DATA_READY = "data_ready"
SLEEPING = "sleeping"
FAILED = "failed"

_BACKOFF_MIN_MS = const(2000)
_BACKOFF_MAX_MS = const(300000)


class ModemFailed(OSError):
    pass


def _log(*args):
    print("modem:", *args, file=sys.stderr)


def make_dialect(name, channel):
    if name == "simcom":
        from cellular.simcom import SimcomDialect

        return SimcomDialect(channel)
    if name == "quectel":
        from cellular.quectel import QuectelDialect

        return QuectelDialect(channel)
    raise ValueError("modem dialect must be simcom or quectel, not %r" % (name,))


class Modem:
    def __init__(self, channel, dialect, power=None, apn="internet", url="",
                 clock_ms=None, sleep=None, reg_timeout_ms=60000, http_timeout_ms=60000):
        self.ch = channel
        self.dialect = dialect
        self.power = power
        self.apn = apn
        self.url = url
        self._clock = clock_ms or channel._clock
        self._sleep = sleep or channel._sleep
        self.reg_timeout_ms = reg_timeout_ms
        self.http_timeout_ms = http_timeout_ms
        self.state = OFF
        self.reason = ""
        self.stat = None
        self._powered = False
        self._http_open = False
        self._url_sent = None
        self._suspect = False  # an upload failed: re-check registration first
        self._backoff_ms = 0
        self._failed_at = 0
        # counters
        self.bring_ups = 0
        self.retries = 0
        self.power_cycles = 0
        self.uploads = 0
        self.upload_failures = 0
        channel.add_listener(self._on_urc)

    # --- state ------------------------------------------------------------------------
    def _on_urc(self, line):
        if line.startswith(b"+CEREG:") or line.startswith(b"+CREG:") or \
                line.startswith(b"+CGREG:"):
            stat = reg_stat(line, read=False)
            if stat is not None and not registered(stat) and self.state == DATA_READY:
                self._lost("registration lost: " + stat_name(stat))
        elif line.startswith(b"RDY") or line.startswith(b"*ATREADY") or \
                line.startswith(b"APP RDY"):
            if self.state != OFF:  # the module rebooted by itself: echo is back on
                self._http_open = False
                self._lost("modem restarted")
        elif line.startswith(b"+CPIN:") and b"NOT" in line.upper():
            self._lost("SIM: " + line.decode())

    def _lost(self, why):
        _log(why)
        if self.state != OFF:
            self.state = SEARCHING
        self.reason = why
        self._suspect = True

    def _fail(self, why):
        self.state = FAILED
        self.reason = why
        self._backoff_ms = min(_BACKOFF_MAX_MS, max(_BACKOFF_MIN_MS, self._backoff_ms * 2))
        self._failed_at = self._clock()
        _log("failed:", why, "retry in %d ms" % self._backoff_ms)
        raise ModemFailed("modem failed: " + why)

    def ensure_ready(self):
        if self.state == DATA_READY and not self._suspect:
            return
        if self.state == FAILED and ticks_diff(self._clock(), self._failed_at) < self._backoff_ms:
            raise OSError("modem failed: %s (backing off)" % self.reason)
        from cellular import bringup  # cold code: loaded for the bring-up, dropped after

        try:
            bringup.bring_up(self)
        except ModemFailed:
            raise
        except OSError as e:  # an AT error or the link itself (closed, reset)
            self._fail(str(e))
        finally:
            unload("cellular.bringup")
        self._backoff_ms = 0

    def cmd(self, command, timeout_ms=1000, **kw):
        """A command with the bare-ERROR rule: AT+CMEE=1, then once more."""
        try:
            return self.ch.command(command, timeout_ms, **kw)
        except AtError as e:
            if e.kind != ERROR:
                raise
            self.retries += 1
            self.ch.command("AT+CMEE=1")
            return self.ch.command(command, timeout_ms, **kw)

    # --- services ---------------------------------------------------------------------
    def post(self, body):
        """HTTP POST of body to self.url -> (status, answer bytes). OSError on failure."""
        self.ensure_ready()
        try:
            if self._url_sent != self.url:
                self.dialect.http_open(self.url)
                self._url_sent = self.url
            status, length = self.dialect.http_post(body, self.http_timeout_ms)
            if status >= 600:
                raise OSError("modem HTTP error %d" % status)
            answer = b""
            if length:
                answer = bytes(self.dialect.http_read(length, self.http_timeout_ms))
                self.ch.release_raw()
            self.uploads += 1
            return status, answer
        except OSError:
            self.upload_failures += 1
            self._suspect = True
            raise

    def cells(self):
        try:
            self.ensure_ready()
            return self.dialect.cells()
        except OSError as e:
            _log("no cells:", e)
            return []

    def sleep(self):
        """Module sleep until wake(): the dialect's slow-clock command, then DTR high."""
        try:
            self.cmd(self.dialect.sleep_command())
        except AtError as e:
            _log("sleep refused:", e)
            return False
        if self.power is not None:
            self.power.sleep(True)
        self.state = SLEEPING
        return True

    def wake(self):
        if self.power is not None:
            self.power.sleep(False)
        self._sleep(50)  # the UART wakes within tens of ms of DTR low
        self.state = REGISTERED
        self._suspect = True


class ModemUplink:
    """badge.http.HttpUplink's interface over the modem's HTTP stack."""

    def __init__(self, modem, base_url):
        self.modem = modem
        self.base_url = base_url.rstrip("/")

    def post(self, path, body, content_type="application/octet-stream"):
        self.modem.url = self.base_url + path  # sent to the module only when it changes
        status, raw = self.modem.post(body)
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}
