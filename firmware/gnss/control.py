"""Receiver control: which NMEA sentences the receiver sends, how often, and its power saving.

One small interface over the three command families the badge supports; the family comes
from configuration (`make_control(kind, write)`), `write(buf)` is the board's
`gnss_write` (the only path to the UART). Every method builds its command in a buffer
preallocated by the control object and returns the number of bytes written; 0 means the
family has no command for it (counted in `unsupported`, never an exception).

    set_output(mask)      OUT_* bits: the sentences to send every epoch, all others off
    set_rate(period_ms)   navigation / output period (1000 = 1 Hz)
    enter_power_save()    the family's cyclic / adaptive tracking mode
    leave_power_save()    back to continuous full-power tracking
    sleep()               stop navigating until wake() (standby or backup)
    wake()                bytes that wake a sleeping receiver

kinds: "ubx_m8" and "ubx_m10" (gnss/control_ubx.py), "pmtk" (gnss/control_pmtk.py),
"pcas" (Quectel L76K and other CASIC receivers, gnss/control_pcas.py).
"""

from micropython import const

OUT_GGA = const(1)
OUT_GLL = const(2)
OUT_GSA = const(4)
OUT_GSV = const(8)
OUT_RMC = const(16)
OUT_VTG = const(32)
OUT_ZDA = const(64)
OUT_GST = const(128)
# What the badge reads: position and time (RMC, GGA), DOP and used satellites (GSA),
# per-satellite C/N0 for the anti-cheat checks (GSV), accuracy where offered (GST).
OUT_BADGE = const(OUT_RMC | OUT_GGA | OUT_GSA | OUT_GSV | OUT_GST)

KINDS = ("ubx_m8", "ubx_m10", "pmtk", "pcas")

_HEX = b"0123456789ABCDEF"


def make_control(kind, write):
    if kind == "ubx_m8":
        from gnss.control_ubx import UbxM8Control

        return UbxM8Control(write)
    if kind == "ubx_m10":
        from gnss.control_ubx import UbxM10Control

        return UbxM10Control(write)
    if kind == "pmtk":
        from gnss.control_pmtk import PmtkControl

        return PmtkControl(write)
    if kind == "pcas":
        from gnss.control_pcas import PcasControl

        return PcasControl(write)
    raise ValueError("GNSS receiver kind must be one of ubx_m8 ubx_m10 pmtk pcas, not " + kind)


class NmeaCommand:
    """`$BODY*HH<CR><LF>` assembled in one preallocated buffer (PMTK and PCAS commands).

    The checksum is the NMEA 0183 one: XOR of the bytes between `$` and `*`, two upper-case
    hex digits.
    """

    def __init__(self, size=96):
        self.buf = bytearray(size)
        self.mv = memoryview(self.buf)
        self.n = 0

    def start(self, head):
        self.buf[0] = 0x24  # $
        self.n = 1
        self.text(head)

    def text(self, s):
        n = self.n
        for b in s:
            self.buf[n] = b
            n += 1
        self.n = n

    def comma(self):
        self.buf[self.n] = 0x2C
        self.n += 1

    def number(self, v):
        """A non-negative decimal integer, written without making a str."""
        if v < 0:
            raise ValueError("negative field")
        buf = self.buf
        first = self.n
        while True:
            buf[self.n] = 0x30 + v % 10
            self.n += 1
            v //= 10
            if not v:
                break
        i, j = first, self.n - 1
        while i < j:
            buf[i], buf[j] = buf[j], buf[i]
            i += 1
            j -= 1

    def field(self, v):
        self.comma()
        self.number(v)

    def finish(self):
        buf = self.buf
        x = 0
        for i in range(1, self.n):
            x ^= buf[i]
        n = self.n
        buf[n] = 0x2A  # *
        buf[n + 1] = _HEX[x >> 4]
        buf[n + 2] = _HEX[x & 15]
        buf[n + 3] = 0x0D
        buf[n + 4] = 0x0A
        self.n = n + 5
        return self.mv[: self.n]


class Control:
    """Base: the counters and the default 'not supported' answers."""

    def __init__(self, write):
        self._write = write
        self.commands_sent = 0
        self.bytes_sent = 0
        self.unsupported = 0

    def _send(self, data):
        self._write(data)
        self.commands_sent += 1
        self.bytes_sent += len(data)
        return len(data)

    def _not_supported(self):
        self.unsupported += 1
        return 0

    def set_output(self, mask):
        return self._not_supported()

    def set_rate(self, period_ms):
        return self._not_supported()

    def enter_power_save(self):
        return self._not_supported()

    def leave_power_save(self):
        return self._not_supported()

    def sleep(self):
        return self._not_supported()

    def wake(self):
        return self._not_supported()


class NmeaControl(Control):
    """PMTK and PCAS: text commands. A subclass names its output and rate commands, the
    number of output-divider fields, the field of each OUT_* bit and the fields sent empty."""

    OUTPUT = b""
    RATE = b""
    FIELDS = 0
    SLOTS = ()  # (OUT_* bit, field index)
    BLANK = ()  # reserved fields, sent empty

    def __init__(self, write, size):
        super().__init__(write)
        self._cmd = NmeaCommand(size)
        self._div = bytearray(self.FIELDS)

    def _value(self, head, value):
        c = self._cmd
        c.start(head)
        if value is not None:
            c.field(value)
        return self._send(c.finish())

    def set_output(self, mask):
        div = self._div
        for i in range(self.FIELDS):
            div[i] = 0
        for bit, slot in self.SLOTS:
            if mask & bit:
                div[slot] = 1
        c = self._cmd
        c.start(self.OUTPUT)
        for i in range(self.FIELDS):
            if i in self.BLANK:
                c.comma()
            else:
                c.field(div[i])
        return self._send(c.finish())

    def set_rate(self, period_ms):
        return self._value(self.RATE, period_ms)
