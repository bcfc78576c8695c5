"""The AT channel: the only owner of the modem's UART.

`AtChannel(stream)`; the stream has `readinto(buf) -> n` (None or 0: nothing waiting; it
raises OSError when the link is gone) and `write(data)`.

    lines = ch.command("AT+CSQ", timeout_ms=1000, expect=b"+CSQ:")   # -> [b"+CSQ: 28,99"]
    ch.command("AT+HTTPDATA=4408,10000", prompt=b"DOWNLOAD", data=body)
    ch.command("AT+HTTPACTION=1", then=b"+HTTPACTION:")
    line = ch.wait_urc(b"+HTTPACTION:", 60000)                       # the trailing result

One command at a time, each with its own timeout. A final result code ends it: OK returns
the intermediate lines (a list reused by the next command), anything else raises
at_errors.AtError. Lines are reassembled across read chunks in a preallocated buffer; an
echo of the command is dropped (echo left on after a brown-out is tolerated). URCs (lines
whose head is in `URC_HEADS`) go to every listener whenever they arrive, in the
middle of a response too, except a line the pending command `expect`s. `then` arms the
capture of a result the modem sends later (`+HTTPACTION:`, `+NETOPEN:`, `+HTTPREAD: 0`),
which may arrive before or after OK. `raw=(prefix, n)`: after a line starting with prefix,
the next n bytes (n None: the number ending that line) are copied raw into `self.raw`
(binary HTTP answers, into a buffer made once).
Anything else that arrives with no command pending is garbage: its raw line is logged and
counted (`garbage_lines`); nothing here raises on bad input.
"""

import sys
from time import sleep_ms, ticks_diff, ticks_ms

from micropython import const

from cellular.at_errors import TIMEOUT, AtError, decode_final

_LINE_MAX = const(256)
_CHUNK = const(128)
_IDLE_MS = const(5)
_CR = const(13)
_LF = const(10)

# What a URC line starts with: its head up to the colon, or the whole line when it has none,
# between "|" (one bytes object: a tuple of 34 bytes costs 2.6 KB of heap, this 0.3 KB).
URC_HEADS = (b"|+CREG:|+CEREG:|+CGREG:|+C5GREG:|+CPIN:|RDY|*ATREADY:|+CFUN:|SMS DONE|PB DONE"
             b"|DST:|+CTZV:|*PSUTTZ:|+CGEV:|+HTTPACTION:|+HTTPREAD:|+HTTP_PEER_CLOSED"
             b"|+HTTP_NONET_EVENT|+NETOPEN:|+CPSI:|+CPSMSTATUS:|+QIURC:|QIURC:|+QHTTPPOST:"
             b"|+QHTTPREAD:|+QIND:|+QUSIM:|APP RDY|POWERED DOWN|NORMAL POWER DOWN|+CMTI:"
             b"|+CGNSSPWR:|+CCH_PEER_CLOSED|")


def _log(*args):
    print("at:", *args, file=sys.stderr)


def _squeeze(line):
    return line.replace(b" ", b"")


class AtChannel:
    def __init__(self, stream, clock_ms=ticks_ms, sleep=sleep_ms, raw_size=1024,
                 urc_heads=URC_HEADS):
        self.stream = stream
        self._clock = clock_ms
        self._sleep = sleep
        self._chunk = bytearray(_CHUNK)
        self._line = bytearray(_LINE_MAX)
        self._lmv = memoryview(self._line)
        self._n = 0
        self._term = 0  # the byte that ended the last line
        self._skip_lf = False
        self._overflow = False
        self._binary = False
        self.raw = bytearray(raw_size)  # made early, while the heap is in one piece
        self.raw_len = 0
        self._raw_want = 0
        self._raw_prefix = None
        self._raw_fixed = None
        self.urc_heads = urc_heads
        self._listeners = []
        self.lines = []
        self._cmd = None  # the pending command's bytes (echo comparison)
        self._expect = None
        self._prompt = None
        self._prompted = False
        self._done = False
        self._error = None
        self._then = None
        self._then_line = None
        # counters (nouns)
        self.commands = 0
        self.timeouts = 0
        self.echoes = 0
        self.urcs = 0
        self.garbage_lines = 0
        self.raw_overflows = 0
        self.tx_bytes = 0
        self.rx_bytes = 0
        self.last_garbage = None

    def add_listener(self, fn):
        """fn(line: bytes) for every URC, in arrival order."""
        self._listeners.append(fn)

    # --- commands ---------------------------------------------------------------------
    def command(self, cmd, timeout_ms=1000, expect=None, prompt=None, data=None, then=None,
                raw=None):
        if isinstance(cmd, str):
            cmd = cmd.encode()
        self.poll()  # URCs that arrived while idle belong to nobody's response
        self.lines = []
        self._cmd = cmd
        self._expect = expect
        self._prompt = prompt
        self._prompted = False
        self._done = False
        self._error = None
        if then is not None:
            self._then = _squeeze(then)
            self._then_line = None
        self.stop_raw()
        if raw is not None:
            self._raw_prefix, self._raw_fixed = raw
            self.raw_len = 0
        self.commands += 1
        self._write(cmd)
        self._write(b"\r")
        try:
            if prompt is not None:
                self._wait(timeout_ms, True)
                if self._done:  # refused before the prompt
                    return self._finish()
                self._write(data)
            self._wait(timeout_ms, False)
            return self._finish()
        finally:
            self._cmd = None
            self._expect = None
            self._prompt = None

    def wait_urc(self, prefix, timeout_ms):
        """The line of the result armed with command(then=prefix): waits up to timeout_ms."""
        key = _squeeze(prefix)
        if self._then != key:
            self._then = key
            self._then_line = None
        start = self._clock()
        while self._then_line is None:
            if ticks_diff(self._clock(), start) >= timeout_ms:
                self._then = None
                self.timeouts += 1
                raise AtError(TIMEOUT, None, "no %s within %d ms" % (prefix.decode(),
                                                                     timeout_ms))
            if not self._read():
                self._sleep(_IDLE_MS)
        line = self._then_line
        self._then = None
        self._then_line = None
        return line

    def poll(self):
        """Read and dispatch whatever is waiting (URCs between commands)."""
        while self._read():
            pass

    def _finish(self):
        if self._error is not None:
            self._then = None
            raise self._error
        return self.lines

    def _wait(self, timeout_ms, for_prompt):
        start = self._clock()
        while not self._done and not (for_prompt and self._prompted):
            if ticks_diff(self._clock(), start) >= timeout_ms:
                self.timeouts += 1
                raise AtError(TIMEOUT, None, "no answer within %d ms" % timeout_ms,
                              self._cmd.decode())
            if not self._read():
                self._sleep(_IDLE_MS)

    def _write(self, data):
        self.tx_bytes += len(data)
        self.stream.write(data)

    # --- receiving --------------------------------------------------------------------
    def _read(self):
        n = self.stream.readinto(self._chunk)
        if not n:
            return 0
        self.rx_bytes += n
        self.feed(self._chunk, n)
        return n

    def feed(self, buf, n=None):
        """Process n received bytes of buf (tests call it directly)."""
        if n is None:
            n = len(buf)
        mv = memoryview(buf)
        i = 0
        while i < n:
            if self._raw_want:
                if self._skip_lf:  # the LF of the header line's CRLF is not data
                    self._skip_lf = False
                    if mv[i] == _LF:
                        i += 1
                        continue
                take = min(n - i, self._raw_want)
                room = len(self.raw) - self.raw_len
                keep = min(take, room)
                if keep < take:
                    self.raw_overflows += 1
                self.raw[self.raw_len:self.raw_len + keep] = mv[i:i + keep]
                self.raw_len += keep
                self._raw_want -= take
                i += take
                continue
            b = mv[i]
            i += 1
            if b == _CR or b == _LF:
                if self._n or self._overflow:
                    self._term = b
                    self._end_line()
                continue
            if self._n < _LINE_MAX:
                self._line[self._n] = b
                self._n += 1
            else:
                self._overflow = True
            if b < 32 or b > 126:
                self._binary = True
            elif b == 62 and self._n == 1 and self._prompt == b">":  # "> " data prompt
                self._prompted = True
                self._n = 0

    def _end_line(self):
        n = self._n
        while n and self._line[n - 1] == 32:
            n -= 1
        line = bytes(self._lmv[:n])
        bad = self._overflow or self._binary
        self._n = 0
        self._overflow = False
        self._binary = False
        if bad:
            self._garbage(line, "too long or not printable")
        elif line:
            self._on_line(line)

    def _on_line(self, line):
        pending = self._cmd is not None and not self._done
        if pending and line == self._cmd:
            self.echoes += 1
            return
        if self._raw_prefix is not None and line.startswith(self._raw_prefix):
            self._start_raw(line)
            if self._then is not None and _squeeze(line).startswith(self._then):
                self._then_line = line
            return
        if self._then is not None and _squeeze(line).startswith(self._then):
            self._then_line = line
            self._urc(line)
            return
        if pending:
            if self._prompt is not None and line == self._prompt:
                self._prompted = True
                return
            final = decode_final(line, self._cmd.decode())
            if final is not False:
                self._error = final
                self._done = True
                return
            if self._expect is not None and line.startswith(self._expect):
                self.lines.append(line)
                return
        if self._is_urc(line):
            self._urc(line)
        elif pending:
            self.lines.append(line)
        else:
            self._garbage(line, "unsolicited")

    def _start_raw(self, line):
        want = self._raw_fixed
        if want is None:
            tail = line[len(self._raw_prefix):].split(b",")[-1].strip()
            want = int(tail) if tail.isdigit() else 0
        self._raw_want = want if want > 0 else 0  # a negative count would rewind feed()
        self._skip_lf = self._term == _CR

    def _is_urc(self, line):
        k = line.find(b":")
        head = line[:k + 1] if k > 0 else line
        return self.urc_heads.find(b"|" + head + b"|") >= 0

    def _urc(self, line):
        self.urcs += 1
        for fn in self._listeners:
            try:
                fn(line)
            except Exception as e:  # noqa: BLE001 - a listener never breaks the channel
                _log("listener failed on", line, repr(e))

    def _garbage(self, line, why):
        self.garbage_lines += 1
        self.last_garbage = line
        _log("garbage (%s):" % why, line)

    def release_raw(self):
        """Done with the raw block (the buffer stays: made once, never fragmenting)."""
        self.stop_raw()
        self.raw_len = 0

    def stop_raw(self):
        """Forget the raw block armed by command(raw=...)."""
        self._raw_prefix = None
        self._raw_fixed = None
        self._raw_want = 0
        self._skip_lf = False
