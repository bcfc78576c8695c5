"""The simulated modem's state machine, shared by both dialects (simcom.py, quectel.py).

Bytes in (`feed`), bytes out (`take`); time through an injectable clock so that tests can
step it (`advance`), and delayed results (registration, +HTTPACTION, boot URCs) as timers
that `tick` releases when due. V.25ter framing (ATV1): an information block is
`\\r\\n<line>[\\r\\n<line>...]\\r\\n`, a final result code `\\r\\n<code>\\r\\n`; with echo on
(the power-on default, ATE1) the command line comes back first, ending in its own `\\r`.
A line that is not an AT command is dropped and counted; an unknown command answers a bare
ERROR, as the modules do. 3GPP TS 27.007 gives the common commands (+CPIN, +CREG/+CEREG
and their URCs, +CSQ, +CCLK with its quarter-hour zone, +CMEE and +CME ERROR).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from host.sim.modem.cells import CellScript, Stage
from host.sim.modem.faults import FaultPlan

OK = "OK"
ERROR = "ERROR"
REGISTERED = (1, 5)
CME_TEXT = {
    3: "operation not allowed",
    4: "operation not supported",
    10: "SIM not inserted",
    13: "SIM failure",
    14: "SIM busy",
    30: "no network service",
    100: "unknown",
}
GARBAGE = b"\x00\xff\xfe\x1b[\x80\x9c\xa5~\r\n\xf0\x13\r\n"
_LINE_MAX = 2048


@dataclass
class Response:
    info: list[list[str]] = field(default_factory=list)  # blocks of lines
    final: str | None = OK  # None: no final code now (data mode, or a later one)
    raw_after: bytes = b""  # bytes sent after the final code (HTTPREAD's payload)
    urc_ok: bool = True  # a URC may be slipped in before the final code


@dataclass
class ModemConfig:
    dialect: str = "simcom"
    profile: str = "sim7600"  # simcom: sim7600 | a7670 (CPSI quality fields, boot URC)
    manufacturer: str = "SIMCOM INCORPORATED"
    model: str = "SIMCOM_SIM7600G-H"
    revision: str = "LE20B04SIM7600G22"
    build: str = ""  # the extra line AT+SIMCOMATI prints after Revision on A76xx
    imei: str = "869951030012345"  # written by us
    imsi: str = "460011234567890"
    iccid: str = "89860112345678901234"
    ip: str = "10.71.23.5"
    operator: str = ""  # long name in +COPS?; empty: numeric PLMN
    boot_s: float = 0.0  # power-on to first answer (the SIM7600 needs ~12 s; tests: 0)
    sim_ready_s: float = 0.05
    register_s: float = 0.1
    boot_sim_error: int = 14  # +CPIN? before the SIM is ready: SIM busy (A7670 transcript: 13)
    sim_failed: bool = False  # a dead SIM: +CPIN? -> +CME ERROR: 13
    cmee: int = 1
    tz_quarters: int = 32  # UTC+8
    http_timeout_s: float = 0.3
    hang_reset: str = "any"  # "any": AT+CRESET / AT+CFUN=1,1 revive a hung modem; "pwrkey"
    reset_s: float = 0.05  # OK of a reset command to the module rebooting


Forward = Callable[[str, bytes, str], tuple[int, bytes]]


class Modem:
    """One powered module. Dialect subclasses add `handlers` and `attempt_commands`."""

    handlers: dict[str, str] = {}  # command name -> method name
    attempt_commands: tuple[str, ...] = ()

    def __init__(
        self,
        config: ModemConfig | None = None,
        faults: FaultPlan | None = None,
        cells: CellScript | None = None,
        forward: Forward | None = None,
        clock: Callable[[], float] = time.monotonic,
        utc: Callable[[], float] = time.time,
    ):
        self.cfg = config or ModemConfig()
        self.faults = faults or FaultPlan()
        self.cells = cells or CellScript()
        self.forward = forward
        self.clock = clock
        self.utc = utc
        self.out = bytearray()
        self.attempts = 0
        self.stats = {
            "rx_bytes": 0,
            "tx_bytes": 0,
            "commands": 0,
            "unknown_commands": 0,
            "dropped_lines": 0,
            "dropped_bytes": 0,
            "boots": 0,
            "http_posts": 0,
            "forwarded": 0,
            "resets": 0,
        }
        # ("<", from the badge) / (">", to the badge): the last exchanges, for diagnosis
        self.transcript: deque[tuple[str, bytes]] = deque(maxlen=4096)
        self._timers: list[tuple[float, int, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self.power_on()

    # --- power ----------------------------------------------------------------------------
    def power_on(self, boot_s: float | None = None) -> None:
        """PWRKEY pressed (or the module rebooted): everything volatile back to defaults."""
        self.epoch = getattr(self, "epoch", 0) + 1  # timers of an earlier life are void
        self.powered = True
        self.booted = False
        self.hung = False
        self.echo = True
        self.cmee = self.cfg.cmee
        self.reg_n = {"CREG": 0, "CEREG": 0, "CGREG": 0}
        self.reg_stat = 0
        self.sim_ready = False
        self.sim_absent = False
        self.reg_override: int | None = None  # 3 denied, 2 searching (fault conditions)
        self.signal_lost = False
        self.hold_left = 0
        self.pdp_active = False
        self.fault: str | None = None
        self.urc_armed = False
        self._line = bytearray()
        self._data_want = 0
        self._data = bytearray()
        self._data_done: Callable[[bytes], Response] | None = None
        self.reset_dialect()
        self.stats["boots"] += 1
        self.schedule(self.cfg.boot_s if boot_s is None else boot_s, self._booted)

    def power_off(self) -> None:
        self.epoch += 1
        self.powered = False
        self.booted = False

    def reset_dialect(self) -> None:
        """Dialect state (HTTP service, URL...) lost at power-off."""

    def boot_urcs(self) -> list[str]:
        return ["RDY"]

    def _booted(self) -> None:
        self.booted = True
        for urc in self.boot_urcs():
            self.urc(urc)
        self.schedule(self.cfg.sim_ready_s, self._sim_now_ready)

    def _sim_now_ready(self) -> None:
        if self.cfg.sim_failed:
            return
        self.sim_ready = True
        self.urc("+CPIN: READY")
        for urc in self.sim_urcs():
            self.urc(urc)
        self.set_reg(2)
        self.schedule(self.cfg.register_s, lambda: self.set_reg(1))

    def sim_urcs(self) -> list[str]:
        return ["SMS DONE", "PB DONE"]

    def reboot_later(self) -> None:
        self.stats["resets"] += 1
        epoch = self.epoch
        self.schedule(self.cfg.reset_s, lambda: self.epoch == epoch and self.power_on())

    # --- time -----------------------------------------------------------------------------
    def schedule(self, delay_s: float, fn: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (self.clock() + delay_s, next(self._seq), self.epoch, fn))

    def next_due(self) -> float | None:
        return self._timers[0][0] if self._timers else None

    def tick(self) -> None:
        now = self.clock()
        while self._timers and self._timers[0][0] <= now:
            _, _, epoch, fn = heapq.heappop(self._timers)
            if epoch == self.epoch:
                fn()

    def network_time(self) -> str:
        """+CCLK: local time, "yy/MM/dd,hh:mm:ss±zz", zz in quarter hours (27.007)."""
        q = self.cfg.tz_quarters
        local = datetime.fromtimestamp(int(self.utc()), timezone.utc) + timedelta(minutes=15 * q)
        return '+CCLK: "%s%+03d"' % (local.strftime("%y/%m/%d,%H:%M:%S"), q)

    # --- output ---------------------------------------------------------------------------
    def emit(self, data: bytes) -> None:
        self.out += data
        self.stats["tx_bytes"] += len(data)
        self.transcript.append((">", bytes(data)))

    def urc(self, line: str) -> None:
        if self.powered and not self.hung:
            self.emit(b"\r\n" + line.encode() + b"\r\n")

    def take(self) -> bytes:
        self.tick()
        data = bytes(self.out)
        self.out.clear()
        return data

    def cme(self, code: int) -> str:
        if self.cmee == 0:
            return ERROR
        if self.cmee == 2 and code in CME_TEXT:
            return "+CME ERROR: " + CME_TEXT[code]
        return "+CME ERROR: %d" % code

    def respond(self, r: Response) -> None:
        parts = [b"\r\n" + "\r\n".join(block).encode() + b"\r\n" for block in r.info]
        if r.final is not None:
            if self.urc_armed and r.info and r.urc_ok:
                parts.append(b"\r\n" + self.inside_urc().encode() + b"\r\n")
                self.urc_armed = False
            parts.append(b"\r\n" + r.final.encode() + b"\r\n")
        self.emit(b"".join(parts) + r.raw_after)

    def inside_urc(self) -> str:
        return "+CGEV: EPS PDN ACT 1"

    # --- input ----------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self.tick()
        self.stats["rx_bytes"] += len(data)
        self.transcript.append(("<", bytes(data)))
        if not self.powered or not self.booted:
            self.stats["dropped_bytes"] += len(data)
            return
        i = 0
        while i < len(data):
            if self._data_want:
                take = data[i : i + self._data_want]
                self._data += take
                self._data_want -= len(take)
                i += len(take)
                if not self._data_want:
                    self._finish_data()
                continue
            b = data[i]
            i += 1
            if b == 13:
                line, self._line = bytes(self._line), bytearray()
                self._line_in(line)
            elif b != 10 and len(self._line) < _LINE_MAX:
                self._line.append(b)

    def expect_data(self, n: int, done: Callable[[bytes], Response], timeout_s: float) -> None:
        self._data_want = n
        self._data = bytearray()
        self._data_done = done
        token = object()
        self._data_token = token

        def expired():
            if self._data_want and self._data_token is token:
                self._data_want = 0
                self._data_done = None
                self.respond(Response(final=ERROR))

        self.schedule(timeout_s, expired)

    def _finish_data(self) -> None:
        done, self._data_done = self._data_done, None
        self._data_token = None
        if done is not None and not self.hung:
            self.respond(done(bytes(self._data)))

    def _line_in(self, raw: bytes) -> None:
        text = raw.decode("latin-1").strip()
        if not text:
            return
        if self.hung:
            if self.cfg.hang_reset == "any" and self.is_reset(text.upper()):
                self.hung = False
                self.stats["resets"] += 1
                self.power_on()
            return
        if not text[:2].upper() == "AT":
            self.stats["dropped_lines"] += 1
            return
        self.stats["commands"] += 1
        body = text[2:]
        name, kind, args = split_command(body)
        if name in self.attempt_commands:
            self.begin_attempt()
            if self.hung:
                return
        if self.echo:
            self.emit(raw + b"\r")
        self._count_hold()
        self.command_name = name
        method = self.handlers.get(name)
        if method is None:
            self.stats["unknown_commands"] += 1
            self.respond(Response(final=ERROR))
            return
        r = getattr(self, method)(kind, args)
        if r is not None:
            self.respond(r)

    def is_reset(self, text: str) -> bool:
        return text.replace(" ", "") in ("AT+CFUN=1,1", "AT+CRESET")

    # --- faults ---------------------------------------------------------------------------
    def begin_attempt(self) -> None:
        self.attempts += 1
        self.cells.advance()
        self.fault = kind = self.faults.next_attempt()
        if kind == "hang":
            self.hung = True
        elif kind == "brownout":
            self.power_on(boot_s=0)
            self.tick()  # boot URCs now; the SIM and the network come back on their timers
        elif kind == "garbage":
            self.emit(GARBAGE)
        elif kind == "urc_inside":
            self.urc_armed = True
        elif kind == "no_sim":
            self.sim_absent = True
            self.hold_left = self.faults.hold
        elif kind == "reg_denied":
            self.reg_override = 3
            self.hold_left = self.faults.hold
            self.reg_urcs()

    def _count_hold(self) -> None:
        if self.hold_left <= 0:
            return
        self.hold_left -= 1
        if self.hold_left:
            return
        if self.sim_absent:
            self.sim_absent = False
            self.urc("+CPIN: READY")
        if self.reg_override is not None or self.signal_lost:
            self.reg_override = None
            self.signal_lost = False
            self.reg_urcs()

    def lose_signal(self) -> None:
        self.signal_lost = True
        self.reg_override = 2
        self.hold_left = self.faults.hold
        self.reg_urcs()

    # --- registration ---------------------------------------------------------------------
    def stat(self) -> int:
        if self.sim_absent or not self.sim_ready:
            return 0
        return self.reg_override if self.reg_override is not None else self.reg_stat

    def registered(self) -> bool:
        return self.stat() in REGISTERED

    def set_reg(self, stat: int) -> None:
        self.reg_stat = stat
        self.reg_urcs()

    def reg_urcs(self) -> None:
        for name, n in self.reg_n.items():
            if n:
                self.urc("+%s: %s" % (name, self.reg_fields(name, n, urc=True)))

    def reg_fields(self, name: str, n: int, urc: bool = False) -> str:
        stat = self.stat()
        head = "%d" % stat if urc else "%d,%d" % (n, stat)
        if n >= 2 and stat in REGISTERED:
            s = self.stage().serving
            loc = '"%04X","%X"' % (s.tac, s.cell_id)
            return "%s,%s%s" % (head, loc, ",7" if name != "CREG" else "")
        return head

    def stage(self) -> Stage:
        return self.cells.now()

    def csq(self) -> str:
        if self.signal_lost or not self.sim_ready:
            return "+CSQ: 99,99"
        return "+CSQ: %d,99" % self.stage().serving.csq

    # --- HTTP through the host ------------------------------------------------------------
    def post(self, url: str, body: bytes, content_type: str) -> tuple[int, bytes] | int:
        """The request of one attempt: (status, body) from the host, or a transport error
        (the dialect's code for: 'timeout', 'network', 'lost')."""
        self.stats["http_posts"] += 1
        if not self.registered() or self.sim_absent:
            return self.transport_codes()["network"]
        if self.fault == "http_timeout":
            return self.transport_codes()["timeout"]
        if self.fault == "http_5xx":
            return 503, (
                b'{"ok": false, "error": {"code": "unavailable", '
                b'"message": "503 from a proxy (modem simulator fault)"}}'
            )
        if self.forward is None:
            return self.transport_codes()["network"]
        try:
            self.stats["forwarded"] += 1
            answer = self.forward(url, body, content_type)
        except OSError:
            return self.transport_codes()["connect"]
        if self.fault == "signal_loss":
            self.lose_signal()
            return self.transport_codes()["lost"]
        return answer

    def transport_codes(self) -> dict[str, int]:
        raise NotImplementedError


def split_command(body: str) -> tuple[str, str, str]:
    """'+CPIN?' -> ('+CPIN', '?', ''); '+CREG=2' -> ('+CREG', '=', '2'); 'E0' -> ('E', '', '0');
    '+CSQ' -> ('+CSQ', '', ''); '+CREG=?' -> ('+CREG', '=?', '')."""
    up = body.upper()
    if up.startswith(("+", "*", "$", "^")):
        end = len(body)
        for mark in "=?":
            j = up.find(mark)
            if j >= 0:
                end = min(end, j)
        name, rest = up[:end], body[end:]
        if rest.startswith("=?"):
            return name, "=?", ""
        if rest.startswith("?"):
            return name, "?", ""
        if rest.startswith("="):
            return name, "=", rest[1:]
        return name, "", ""
    if up.startswith("&"):
        return up[:2], "", body[2:]
    if not up:
        return "", "", ""
    return up[0], "", body[1:]


def split_args(args: str) -> list[str]:
    """'1,"IP","cmnet"' -> ['1', 'IP', 'cmnet'] (quotes removed; commas inside quotes kept)."""
    out, cur, quoted = [], [], False
    for ch in args:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out
