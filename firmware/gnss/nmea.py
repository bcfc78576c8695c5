"""Streaming NMEA 0183 reader: bytes in any chunking -> one `gnss.fix.Fix` per receiver epoch.

    reader = NmeaReader(on_fix)      # on_fix(fix) is called once per epoch
    reader.feed(uart_bytes)          # bytes / bytearray / memoryview, any size; never raises
    reader.flush()                   # end of stream: emit the pending epoch

The callback receives the reader's single, reused Fix: copy what you keep (see gnss/fix.py).

Framing, checksums and the rejection counters: gnss/sentence.py (SentenceReader, the base
class). Checksum-valid sentences not decoded here (proprietary, GBS, GRS, TXT, RMB...) are
counted in `unknown`.

Decoded: GGA RMC GSA GSV VTG GNS ZDA GLL GST from the talkers GP GL GA GB BD GQ QZ GI GN.

Epochs: a sentence carrying a UTC time of day different from the current epoch's starts a
new epoch and emits the previous one. GSA, GSV and VTG carry no time and join the current
epoch. Sentences with an empty time join the current epoch, except that a repeated
GGA/RMC/GNS/GLL/ZDA/GST in a time-less epoch (a cold start) also closes it, so that the
badge still gets one (invalid) fix per cycle.

Date: RMC ddmmyy (yy < 80 -> 20yy, else 19yy) or ZDA. An epoch without a date of its own
takes the date of the last dated epoch, choosing the previous, same or next day so that
its time is nearest that reference (midnight crossing). Without any date seen, time_s is
None: the reader never invents a date. GPS week rollover is NOT corrected here.

Hot path: the bytes are copied into one preallocated buffer, fields are located by
offsets into it and decoded with integer arithmetic (no floats, no slicing, no str), and
the Fix is updated in place, so GGA/RMC decoding allocates nothing on the unix port
(tests/firmware/test_nmea_stream.py checks it under micropython.heap_lock()). On the 32-bit ESP32
a longitude beyond +-107.37 deg, and time_s, are big ints and allocate one object each.
"""

from array import array

from micropython import const

from gnss.fix import (
    AZ_UNKNOWN,
    EL_UNKNOWN,
    SYS_BEIDOU,
    SYS_GALILEO,
    SYS_GLONASS,
    SYS_GPS,
    SYS_NAVIC,
    SYS_QZSS,
    Fix,
    acc_from_gst,
    acc_from_hdop,
)
from gnss.sentence import SentenceReader, _hexval

_MAX_USED = const(64)  # satellites listed as used by the GSA lines of one epoch

# Sentence types as 24-bit ints of their three letters (dict keys that allocate nothing).
_GGA = const(0x474741)
_RMC = const(0x524D43)
_GSA = const(0x475341)
_GSV = const(0x475356)
_VTG = const(0x565447)
_GNS = const(0x474E53)
_ZDA = const(0x5A4441)
_GLL = const(0x474C4C)
_GST = const(0x475354)

# Bits of the sentences with a time that were seen in the current epoch.
_K_GGA = const(1)
_K_RMC = const(2)
_K_GNS = const(4)
_K_ZDA = const(8)
_K_GLL = const(16)
_K_GST = const(32)

# Position sources, best last: a better one overwrites a worse one in the same epoch.
_RANK_GLL = const(1)
_RANK_RMC = const(2)
_RANK_GGA = const(3)  # GGA and GNS: usually the most decimals, and altitude

_HALF_DAY_MS = const(43200000)


def _infer_sys(prn):
    """Constellation of a PRN under a GN talker without system ID (NMEA 4.10 / u-blox numbering)."""
    if prn <= 64 or 120 <= prn <= 158:
        return SYS_GPS  # GPS and SBAS
    if prn <= 96:
        return SYS_GLONASS
    if 193 <= prn <= 200:
        return SYS_QZSS
    if 201 <= prn <= 263 or 401 <= prn <= 437:
        return SYS_BEIDOU
    if 301 <= prn <= 336:
        return SYS_GALILEO
    return 0


class NmeaReader(SentenceReader):
    """Counters (ints, never reset) beyond SentenceReader's: `fixes` emitted, `sats_dropped`
    (GSV satellites beyond MAX_SATS), `callback_errors` (exceptions raised by on_fix,
    swallowed so that feed() never raises; the last one is kept in `last_error`).
    The Fix being assembled is `reader.fix`; it is also the one passed to on_fix.
    """

    def __init__(self, on_fix):
        SentenceReader.__init__(self)
        self.on_fix = on_fix
        self.fix = Fix()
        self.fixes = 0
        self.sats_dropped = 0
        self.callback_errors = 0
        self.last_error = None
        self._handlers = {
            _GGA: NmeaReader._gga,
            _RMC: NmeaReader._rmc,
            _GSA: NmeaReader._gsa,
            _GSV: NmeaReader._gsv,
            _VTG: NmeaReader._vtg,
            _GNS: NmeaReader._gns,
            _ZDA: NmeaReader._zda,
            _GLL: NmeaReader._gll,
            _GST: NmeaReader._gst,
        }
        # Talker (two letters as a 16-bit int) -> constellation; 0 = several (GN).
        self._talkers = {
            0x4750: SYS_GPS,  # GP
            0x474C: SYS_GLONASS,  # GL
            0x4741: SYS_GALILEO,  # GA
            0x4742: SYS_BEIDOU,  # GB
            0x4244: SYS_BEIDOU,  # BD
            0x4751: SYS_QZSS,  # GQ
            0x515A: SYS_QZSS,  # QZ
            0x4749: SYS_NAVIC,  # GI
            0x474E: 0,  # GN
        }
        self._sys = 0  # constellation of the sentence being decoded
        # GSA "used" list of the current epoch
        self._used_sys = bytearray(_MAX_USED)
        self._used_prn = array("H", bytes(2 * _MAX_USED))
        self._n_used = 0
        self._gsa_epoch = -1
        self._gsv_epoch = [-1] * 8  # per constellation: epoch in which GSV last cleared it
        # date reference for epochs without a date of their own
        self._ref_day = None
        self._ref_tod = 0
        self._epoch = 0  # epoch counter
        self._new_epoch()

    def _new_epoch(self):
        self._tod = None  # time of day (ms) of the epoch being assembled
        self._seen = 0  # _K_* bits
        self._day = None  # days since 1970 from RMC/ZDA of this epoch
        self._ok = False  # some sentence said the fix is usable
        self._bad = False  # some sentence said it is not
        self._gsa_mode = 0
        self._gsa_hdop = None
        self._ns = None  # satellites used from GGA/GNS
        self._pos_rank = 0
        self._gst_acc = None
        self._epoch += 1

    def flush(self):
        """End of stream: decode a last sentence that lacks its CR LF, emit the pending epoch."""
        SentenceReader.flush(self)
        if self._seen:
            self._emit()

    def _decode(self):
        buf = self._buf
        if self._fs[1] != 7:  # the address is not talker (2) + type (3): proprietary or odd
            return False
        handler = self._handlers.get(buf[3] << 16 | buf[4] << 8 | buf[5])
        sys = self._talkers.get(buf[1] << 8 | buf[2])
        if handler is None or sys is None:
            return False
        self._sys = sys
        handler(self)
        return True

    # ---- epoch assembly -----------------------------------------------------------

    def _begin(self, tod, kind):
        """A sentence of time `tod` and kind `kind` was decoded: close the epoch if new."""
        if tod is None:
            if self._tod is None and self._seen & kind:
                self._emit()
        elif tod != self._tod:
            if self._seen:
                self._emit()
            self._tod = tod
        self._seen |= kind

    def _vote(self, ok):
        if ok:
            self._ok = True
        else:
            self._bad = True

    def _position(self, lat, lon, rank):
        if lat is not None and lon is not None and rank >= self._pos_rank:
            self.fix.lat_e7 = lat
            self.fix.lon_e7 = lon
            self._pos_rank = rank

    def _emit(self):
        f = self.fix
        tod = self._tod
        f.tod_ms = tod
        if tod is not None:
            day = self._day
            if day is None and self._ref_day is not None:
                day = self._ref_day
                if tod - self._ref_tod > _HALF_DAY_MS:
                    day -= 1
                elif self._ref_tod - tod > _HALF_DAY_MS:
                    day += 1
            if day is not None:
                f.time_s = day * 86400 + tod // 1000
                f.time_ms = tod % 1000
                self._ref_day = day
                self._ref_tod = tod
        valid = self._ok and not self._bad
        f.valid = valid
        if valid:
            # An altitude means 3D even when GSA says 2D (as gpsd decides: some receivers
            # send GSA mode 2 beside a GGA altitude they computed).
            f.mode = 2 if f.alt_cm is None and self._gsa_mode < 3 else 3
        else:
            f.mode = 1
        gsa_now = self._gsa_epoch == self._epoch
        if gsa_now and self._n_used:
            f.sats_used = self._n_used
        else:
            f.sats_used = self._ns
        if f.hdop_x10 is None:
            f.hdop_x10 = self._gsa_hdop
        if valid:
            if self._gst_acc is not None:
                f.acc_m = self._gst_acc
            elif f.hdop_x10 is not None:
                f.acc_m = acc_from_hdop(f.hdop_x10, f.quality)
        f.sky(self._used_sys, self._used_prn, self._n_used)
        self.fixes += 1
        try:
            self.on_fix(f)
        except Exception as e:  # noqa: BLE001 - the app's bug must not stop the reader
            self.callback_errors += 1
            self.last_error = e
        f.reset()
        self._new_epoch()

    # ---- sentence decoders: parse every field first, then change state ---------------

    def _gga(self):
        tod = self._time(1)
        lat = self._coord(2, 90)
        lon = self._coord(4, 180)
        q = self._int(6, None)
        ns = self._int(7, None)
        hdop = self._dec(8, 1, None)
        alt = self._dec(9, 2, None)
        self._begin(tod, _K_GGA)
        f = self.fix
        if q is not None:
            f.quality = q
            self._vote(q > 0)
        self._position(lat, lon, _RANK_GGA)
        if ns is not None:
            self._ns = ns
        if hdop is not None:
            f.hdop_x10 = hdop
        if alt is not None:
            f.alt_cm = alt

    def _gns(self):
        tod = self._time(1)
        lat = self._coord(2, 90)
        lon = self._coord(4, 180)
        ns = self._int(7, None)
        hdop = self._dec(8, 1, None)
        alt = self._dec(9, 2, None)
        # field 6: one mode letter per constellation, N = no fix
        fs = self._fs
        ok = 0
        seen = 0
        if not self._empty(6):
            for j in range(fs[6], fs[7] - 1):
                seen = 1
                if self._buf[j] != 78:
                    ok = 1
        self._begin(tod, _K_GNS)
        if seen:
            self._vote(ok)
        self._position(lat, lon, _RANK_GGA)
        f = self.fix
        if ns is not None:
            self._ns = ns
        if hdop is not None and f.hdop_x10 is None:
            f.hdop_x10 = hdop
        if alt is not None:
            f.alt_cm = alt

    def _rmc(self):
        tod = self._time(1)
        status = self._char(2)
        lat = self._coord(3, 90)
        lon = self._coord(5, 180)
        knots_milli = self._dec(7, 3, None)
        course = self._dec(8, 2, None)
        day = self._ddmmyy(9)
        self._begin(tod, _K_RMC)
        if status:
            self._vote(status == 65)  # 'A'
        self._position(lat, lon, _RANK_RMC)
        f = self.fix
        if knots_milli is not None:
            f.speed_cmps = (knots_milli * 1852 + 18000) // 36000  # 1 kn = 1852/3600 m/s
        if course is not None:
            f.course_cdeg = course % 36000
        if day is not None:
            self._day = day

    def _vtg(self):
        course = self._dec(1, 2, None)
        knots_milli = self._dec(5, 3, None)
        kmh_milli = self._dec(7, 3, None)
        f = self.fix
        if f.speed_cmps is None:
            if kmh_milli is not None:
                f.speed_cmps = (kmh_milli + 18) // 36  # 1 km/h = 100/36 cm/s
            elif knots_milli is not None:
                f.speed_cmps = (knots_milli * 1852 + 18000) // 36000
        if f.course_cdeg is None and course is not None:
            f.course_cdeg = course % 36000

    def _gll(self):
        lat = self._coord(1, 90)
        lon = self._coord(3, 180)
        tod = self._time(5)
        status = self._char(6)
        self._begin(tod, _K_GLL)
        if status:
            self._vote(status == 65)
        self._position(lat, lon, _RANK_GLL)

    def _zda(self):
        tod = self._time(1)
        day = None
        if not self._empty(2):
            day = self._days(self._int(4, 0), self._int(3, 0), self._int(2, 0))
        self._begin(tod, _K_ZDA)
        if day is not None:
            self._day = day

    def _gst(self):
        tod = self._time(1)
        sd_lat = self._dec(6, 2, None)
        sd_lon = self._dec(7, 2, None)
        self._begin(tod, _K_GST)
        if sd_lat is not None and sd_lon is not None:
            self._gst_acc = acc_from_gst(sd_lat, sd_lon)

    def _gsa(self):
        mode = self._int(2, None)
        hdop = self._dec(16, 1, None)
        # NMEA 4.11 system ID (one hex digit; SiRF puts a DOP there), else the talker's
        sys = self._sys
        if not self._empty(18) and self._fs[19] - self._fs[18] == 2:
            sid = _hexval(self._char(18))
            if 1 <= sid <= 6:
                sys = sid
        for i in range(3, 15):
            if not 0 <= self._int(i, 0) <= 65535:  # validate before changing anything
                raise self._err
        if self._gsa_epoch != self._epoch:
            self._gsa_epoch = self._epoch
            self._n_used = 0
        for i in range(3, 15):
            prn = self._int(i, 0)
            if prn and self._n_used < _MAX_USED:
                self._used_sys[self._n_used] = sys or _infer_sys(prn)
                self._used_prn[self._n_used] = prn
                self._n_used += 1
        if mode is not None:
            self._vote(mode >= 2)
            if mode > self._gsa_mode:
                self._gsa_mode = mode
        if hdop is not None:
            self._gsa_hdop = hdop

    def _gsv(self):
        """GSV: up to 4 (PRN, elevation, azimuth, C/N0) groups, then maybe a signal ID."""
        nf = self._nf
        msg = self._int(2, 0)
        extra = (nf - 4) % 4
        groups = (nf - 4) // 4 + (1 if extra > 1 else 0)  # extra == 1: the signal ID
        for g in range(groups):  # validate first
            i = 4 + 4 * g
            prn = self._int(i, 0)
            el = self._int(i + 1, 0)
            az = self._int(i + 2, 0)
            cn0 = self._int(i + 3, 0)
            if not (0 <= prn <= 65535 and -90 <= el <= 90 and 0 <= az <= 360 and 0 <= cn0 <= 99):
                raise self._err
        sys = self._sys
        if msg == 1 and self._gsv_epoch[sys] != self._epoch:
            self._gsv_epoch[sys] = self._epoch
            self.fix.forget(sys)
        for g in range(groups):
            i = 4 + 4 * g
            prn = self._int(i, 0)
            if prn:
                if not self.fix.upsert(
                    sys or _infer_sys(prn),
                    prn,
                    self._int(i + 1, EL_UNKNOWN),
                    self._int(i + 2, AZ_UNKNOWN),
                    self._int(i + 3, 0),
                ):
                    self.sats_dropped += 1
