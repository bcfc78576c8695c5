"""NMEA 0183 framing: bytes of any chunking -> checked sentences split into fields.

`SentenceReader` is the base of `gnss.nmea.NmeaReader`; it owns the one preallocated
sentence buffer, the rejection counters and the integer field decoders. A subclass
implements `_decode()` and reads fields with `_int`, `_dec`, `_coord`, `_time`...

Framing: a sentence starts at `$` (counted in `started`; a `$` inside a sentence restarts
it: an overrun splice, counted in `truncated`) and ends at CR or LF. Bytes between
sentences (UBX, RTCM, noise) are skipped and counted in `noise_bytes`. A sentence is
rejected, and counted, when it is longer than MAX_LEN bytes (`too_long`; NMEA says 82 with
CR LF, real receivers exceed it), holds a non-printable byte (`non_printable`), has no `*hh`
checksum at its end (`no_checksum`) or fails the XOR checksum (`crc_fails`; upper- or
lower-case hex accepted; 00 is a checksum like any other). Field decoders raise ParseError,
caught in `_sentence` only and counted in `bad_fields` (or `too_short` for the reader's
preallocated `_short`: too few fields for the sentence type). Absurd values behind a valid
checksum are bad fields too: a date that does not exist (31 February), a position beyond
90 deg / 180 deg, a negative speed, DOP or error, a number beyond 999,999,999 (it would no
longer be a small int on the ESP32).
"""

from array import array

from micropython import const

from gnss.fix import days_from_civil

MAX_LEN = const(120)  # bytes from '$' to the last checksum digit
NO_INT = const(-32768)  # _ints() for an empty field
_MAX_FIELDS = const(40)
_MAX_INT = const(999999999)  # _int/_dec: beyond is absurd in NMEA, and not a small int
_MDAYS = b"\x1f\x1c\x1f\x1e\x1f\x1e\x1f\x1f\x1e\x1f\x1e\x1f"  # days per month, February 28


class ParseError(Exception):
    """A field of a checksum-valid sentence cannot be decoded (counted in `bad_fields`)."""


def _hexval(c):
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


class SentenceReader:
    """Counters (ints, never reset): `started` ('$' seen), `sentences` decoded, `unknown`
    checksum-valid but not decoded, `bad_fields`, `too_short`, `crc_fails`, `no_checksum`,
    `too_long`, `non_printable`, `truncated`, and `noise_bytes` (skipped between sentences;
    CR/LF not counted). After flush(), `started` is the sum of the others but noise_bytes.
    """

    _COUNTERS = (
        "started",
        "sentences",
        "unknown",
        "bad_fields",
        "too_short",
        "crc_fails",
        "no_checksum",
        "too_long",
        "non_printable",
        "truncated",
        "noise_bytes",
    )

    def __init__(self):
        for name in self._COUNTERS:
            setattr(self, name, 0)
        self._buf = bytearray(MAX_LEN + 1)  # [0] is the '$'
        self._n = 0  # bytes held in _buf; 0 = hunting for '$'
        self._cs = 0  # XOR of buf[1:n]
        self._nf = 1  # fields located so far (field 0, the address, starts at 1)
        self._fs = array("H", bytes(2 * (_MAX_FIELDS + 2)))  # start offset of each field
        self._err = ParseError()  # raised preallocated: a bad sentence allocates nothing
        self._short = ParseError()  # too few fields for the sentence type

    def feed(self, data):
        """Consume bytes of any chunking; decoded epochs go to on_fix. Never raises.

        The hot loop: one pass per byte copies it, XORs it into the checksum and notes
        where fields start, so that a sentence is checked and split when its CR/LF comes."""
        buf = self._buf
        fs = self._fs
        n = self._n
        cs = self._cs
        nf = self._nf
        for c in data:
            if 44 < c < 127 and 0 < n < MAX_LEN:  # most bytes: digits, letters, . * -
                buf[n] = c
                cs ^= c
                n += 1
            elif c == 44 and 0 < n < MAX_LEN:  # ','
                buf[n] = c
                cs ^= c
                n += 1
                if nf < _MAX_FIELDS:
                    fs[nf] = n
                    nf += 1
                else:
                    nf = _MAX_FIELDS + 1  # too many: rejected at the end
            elif c == 36:  # '$'
                self.started += 1
                if n:
                    self.truncated += 1
                buf[0] = c
                n = 1
                cs = 0
                nf = 1
            elif n == 0:
                if c != 10 and c != 13:
                    self.noise_bytes += 1
            elif c == 10 or c == 13:
                self._n = 0
                self._sentence(n, cs, nf)
                n = 0
            elif c < 32 or c > 126:
                self.non_printable += 1
                n = 0
            elif n > MAX_LEN - 1:
                self.too_long += 1
                n = 0
            else:  # the rare printable bytes below ',' (space ! " # % & ' ( ) + ...)
                buf[n] = c
                cs ^= c
                n += 1
        self._n = n
        self._cs = cs
        self._nf = nf

    def flush(self):
        """End of stream: decode a last sentence that lacks its CR LF."""
        n = self._n
        self._n = 0
        if n:
            self._sentence(n, self._cs, self._nf)

    def counts(self):
        """The counters as a dict (diagnostics; allocates)."""
        return {k: getattr(self, k) for k in self._COUNTERS}

    def _sentence(self, n, cs, nf):
        """Check and decode buf[0:n] ('$' ... 'hh'); cs is the XOR of buf[1:n] and fields
        1..nf-1 start at fs[1..nf-1]. ParseError is caught here only."""
        buf = self._buf
        star = n - 3
        if 0 < star < 6 and buf[star] == 42:
            self.too_short += 1  # '$' + a checksum, but no room for an address ('$GP*17')
            return
        if star < 6 or buf[star] != 42:  # '*'
            j = 1
            while j < n and buf[j] != 42:
                j += 1
            if j < n:
                self.crc_fails += 1  # a checksum, but not as the last thing on the line
            else:
                self.no_checksum += 1
            return
        hi = _hexval(buf[star + 1])
        lo = _hexval(buf[star + 2])
        if hi < 0 or lo < 0 or (hi << 4 | lo) != cs ^ 42 ^ buf[star + 1] ^ buf[star + 2]:
            self.crc_fails += 1
            return
        if nf > _MAX_FIELDS:
            self.bad_fields += 1
            return
        fs = self._fs
        fs[0] = 1
        fs[nf] = star + 1  # so that field i always ends at fs[i + 1] - 1
        self._nf = nf
        try:
            decoded = self._decode()
        except ParseError as e:
            if e is self._short:
                self.too_short += 1
            else:
                self.bad_fields += 1
            return
        if decoded:
            self.sentences += 1
        else:
            self.unknown += 1

    def _decode(self):
        """Decode the sentence in the buffer; False when it is not one we decode."""
        return False

    # ---- field decoders: field i spans buf[fs[i] : fs[i+1]-1]; missing fields are empty --

    def _empty(self, i):
        return i >= self._nf or self._fs[i] + 1 >= self._fs[i + 1]

    def _char(self, i):
        """First byte of field i, 0 when empty."""
        fs = self._fs
        if i >= self._nf or fs[i] + 1 >= fs[i + 1]:
            return 0
        return self._buf[fs[i]]

    def _int(self, i, default):
        if i >= self._nf:
            return default
        fs = self._fs
        a = fs[i]
        b = fs[i + 1] - 1
        if a >= b:
            return default
        buf = self._buf
        neg = buf[a] == 45
        if neg:
            a += 1
            if a == b:
                raise self._err
        v = 0
        while a < b:
            d = buf[a] - 48
            if d < 0 or d > 9:
                raise self._err
            v = v * 10 + d
            a += 1
        if v > _MAX_INT:
            raise self._err  # absurd, and no longer a small int on the ESP32
        return -v if neg else v

    def _ints(self, i0, count, out):
        """Fields i0 .. i0+count-1, signed ints of at most 4 digits, into out[0:count]
        (an array('h')); NO_INT for an empty or missing field. One call per sentence
        instead of one per field: the GSV/GSA hot path."""
        buf = self._buf
        fs = self._fs
        nf = self._nf
        for j in range(count):
            i = i0 + j
            if i >= nf:
                out[j] = NO_INT
                continue
            a = fs[i]
            b = fs[i + 1] - 1
            if a >= b:
                out[j] = NO_INT
                continue
            neg = buf[a] == 45
            if neg:
                a += 1
            if b - a > 4 or a == b:
                raise self._err
            v = 0
            while a < b:
                d = buf[a] - 48
                if d < 0 or d > 9:
                    raise self._err
                v = v * 10 + d
                a += 1
            out[j] = -v if neg else v

    def _dec(self, i, places, default):
        """Field i, a signed decimal, as an int in units of 10**-places (half away from 0)."""
        if i >= self._nf:
            return default
        fs = self._fs
        a = fs[i]
        b = fs[i + 1] - 1
        if a >= b:
            return default
        buf = self._buf
        neg = buf[a] == 45
        if neg or buf[a] == 43:
            a += 1
        v = 0
        frac = -1  # digits seen after the point; -1 = no point yet
        digits = 0
        up = 0
        while a < b:
            c = buf[a]
            a += 1
            if c == 46:
                if frac >= 0:
                    raise self._err
                frac = 0
                continue
            c -= 48
            if c < 0 or c > 9:
                raise self._err
            digits += 1
            if frac < 0:
                v = v * 10 + c
            elif frac < places:
                v = v * 10 + c
                frac += 1
            elif frac == places:
                up = 1 if c >= 5 else 0
                frac += 1
        if not digits:
            raise self._err
        if frac < 0:
            frac = 0
        while frac < places:
            v *= 10
            frac += 1
        v += up
        if v > _MAX_INT:
            raise self._err  # absurd, and no longer a small int on the ESP32
        return -v if neg else v

    def _udec(self, i, places):
        """_dec of a quantity that cannot be negative (speed, DOP, error), None when empty."""
        v = self._dec(i, places, None)
        if v is not None and v < 0:
            raise self._err
        return v

    def _coord(self, i, max_deg):
        """Fields i ((d)ddmm.mmmm...) and i+1 (N/S/E/W) in 1e-7 degree, None when empty.

        Minutes are kept to 1e-7 minute (the 8th decimal rounds) so every intermediate
        stays a small int on a 32-bit port; the result rounds half up to 1e-7 degree.
        """
        if self._empty(i):
            return None
        buf = self._buf
        a = self._fs[i]
        b = self._fs[i + 1] - 1
        whole = 0
        while a < b and buf[a] != 46:
            d = buf[a] - 48
            if d < 0 or d > 9:
                raise self._err
            whole = whole * 10 + d
            a += 1
        if a == self._fs[i] or whole > 18059:
            raise self._err
        a += 1  # the '.'
        frac = 0
        k = 0
        while a < b:
            d = buf[a] - 48
            if d < 0 or d > 9:
                raise self._err
            if k < 7:
                frac = frac * 10 + d
            elif k == 7 and d >= 5:
                frac += 1
            k += 1
            a += 1
        while k < 7:
            frac *= 10
            k += 1
        deg = whole // 100
        minutes = whole - deg * 100
        if minutes > 59 or deg > max_deg or (deg == max_deg and (minutes or frac)):
            raise self._err  # beyond 90 deg of latitude or 180 of longitude
        v = deg * 10000000 + (minutes * 10000000 + frac + 30) // 60
        h = self._char(i + 1)
        if h == 83 or h == 87:  # 'S' 'W'
            return -v
        if h == 78 or h == 69:  # 'N' 'E'
            return v
        raise self._err

    def _digits2(self, a):
        buf = self._buf
        hi = buf[a] - 48
        lo = buf[a + 1] - 48
        if hi < 0 or hi > 9 or lo < 0 or lo > 9:
            raise self._err
        return hi * 10 + lo

    def _time(self, i):
        """Field i hhmmss[.sss] as milliseconds of the day, None when empty."""
        if self._empty(i):
            return None
        a = self._fs[i]
        b = self._fs[i + 1] - 1
        if b - a < 6:
            raise self._err
        hh = self._digits2(a)
        mm = self._digits2(a + 2)
        ss = self._digits2(a + 4)
        if hh > 23 or mm > 59 or ss > 60:
            raise self._err
        ms = 0
        a += 6
        if a < b:
            if self._buf[a] != 46:
                raise self._err
            a += 1
            scale = 100
            while a < b:
                d = self._buf[a] - 48
                if d < 0 or d > 9:
                    raise self._err
                ms += d * scale
                scale //= 10
                a += 1
        return ((hh * 60 + mm) * 60 + ss) * 1000 + ms

    def _ddmmyy(self, i):
        """Field i ddmmyy as days since 1970-01-01, None when empty."""
        if self._empty(i):
            return None
        a = self._fs[i]
        if self._fs[i + 1] - 1 - a != 6:
            raise self._err
        yy = self._digits2(a + 4)
        return self._days(
            2000 + yy if yy < 80 else 1900 + yy, self._digits2(a + 2), self._digits2(a)
        )

    def _days(self, y, m, d):
        if m < 1 or m > 12 or d < 1:
            raise self._err
        if d > _MDAYS[m - 1]:
            leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
            if not (m == 2 and d == 29 and leap):
                raise self._err  # no such date (31 February)
        return days_from_civil(y, m, d)
