"""Streaming NMEA 0183 reader: bytes in any chunking -> one `gnss.fix.Fix` per receiver epoch.

    reader = NmeaReader(on_fix)      # on_fix(fix) is called once per epoch
    reader.set_time_floor(unix_s)    # optional: GPS week rollover anchor (build date)
    reader.set_time_ref(unix_s)      # optional: a time known to be current (network time)
    reader.feed(uart_bytes)          # bytes / bytearray / memoryview, any size; never raises
    reader.flush()                   # end of stream: emit the pending epoch

The callback receives the reader's single, reused Fix: copy what you keep (see gnss/fix.py).

Framing, checksums and the rejection counters: gnss/sentence.py (SentenceReader, the base
class). Checksum-valid sentences not decoded here (proprietary, GBS, GRS, TXT, RMB...) are
counted in `unknown`; decoded types with fewer fields than the standard gives them (GGA 14,
RMC 11, GNS 12, GSA 17, GST 8, VTG 8, GLL 6, ZDA 6, GSV 3) in `too_short`. Every '$' ends
in exactly one counter: started == sentences + unknown + bad_fields + too_short +
crc_fails + no_checksum + too_long + non_printable + truncated (after flush()).

Decoded: GGA RMC GSA GSV VTG GNS ZDA GLL GST from the talkers GP GL GA GB BD GQ QZ GI GN,
and Quectel's $PQGSV/$PQGSA (BeiDou/QZSS with the system ID in the last field).

Epochs: a sentence carrying a UTC time of day different from the current epoch's starts a
new epoch and emits the previous one. GSA, GSV and VTG carry no time and join the current
epoch. Sentences with an empty time join the current epoch, except that a repeated
GGA/RMC/GNS/GLL/ZDA/GST in a time-less epoch (a cold start) also closes it, so that the
badge still gets one (invalid) fix per cycle.

Time rules:
- Date: RMC ddmmyy (yy < 80 -> 20yy, else 19yy) or ZDA. An epoch without a date of its own
  takes the date of the last dated epoch, choosing the previous, same or next day so that
  its time is nearest that reference (midnight crossing). Without any date seen, time_s is
  None: the reader never invents a date or a time from empty fields, and never reads the
  port's clock (so MicroPython's 2000 epoch cannot reach a Fix).
- GPS week rollover: with set_time_floor(unix_s), a receiver date more than 512 weeks
  before the floor gets +1024 weeks until it is not (counted in `rollovers`): a receiver
  that missed the 2019 rollover and says 2000-10-14 means 2020-05-30. Dates after the floor,
  or less than 512 weeks before it, are kept as sent.
- Stale fixes (counted in `stale`, Fix.stale True, Fix.valid False): an epoch more than
  STALE_MS (3 s) older than set_time_ref's time (then time_s is None too), or more than
  STALE_MS older than the previous timed epoch (a receiver repeating an old fix; the
  following epochs are judged against it, so a receiver whose clock really stepped back
  loses one epoch). RMC status V, GGA quality 0, GSA mode 1, GNS 'N', GLL V: not valid.

Satellites and C/N0 (for the anti-cheat checks; every array preallocated in the Fix, the
same objects for the reader's life, updated in place, nothing allocated per sentence):
- one row per satellite AND signal, k in range(fix.n_sigs): fix.sat_sys[k] (SYS_* of
  gnss.fix: the GSA/GSV NMEA 4.11 system ID, else the talker, else inferred from the PRN),
  fix.sat_prn[k] (as sent), fix.sat_sig[k] (NMEA 4.10/4.11 GSV signal ID, 0 = not sent; e.g.
  GPS 1 = L1 C/A, 6 = L2 CL, 7/8 = L5; Galileo 7 = E1, 2 = E5b), fix.sat_el[k] (deg,
  EL_UNKNOWN), fix.sat_az[k] (deg, AZ_UNKNOWN), fix.sat_cn0[k] (dB-Hz, 0 = not tracked),
  fix.sat_used[k] (1 when the epoch's GSA lists the satellite; all its signals).
- rows come from the last complete GSV cycle of each constellation; a constellation whose
  new cycle does not list a satellite again loses it at the end of that epoch.
- per-epoch summary: fix.sats_seen (distinct satellites), fix.sats_new / fix.sats_lost
  (satellites that appeared / vanished since the previous epoch: bulk changes are a
  spoofing sign), fix.cn0_count (rows with a C/N0), fix.cn0_max, fix.cn0_min, fix.cn0_mean
  (floor), fix.cn0_spread (max - min). A detector checks e.g. cn0_max > 45, or cn0_count >=
  3 with cn0_spread < 15, reading these ints in on_fix; per constellation or per signal it
  loops over the rows (e.g. only sat_sig[k] in (0, 1) for the L1 signals).
- read them inside on_fix (the next epoch overwrites them); `sats_dropped` counts rows
  beyond the table's size (NmeaReader(on_fix, max_sats), gnss.fix.MAX_SATS = 64 rows by
  default; a dual-band receiver needs about 96).

Accuracy (fix.acc_m, every valid fix with a GST or a DOP): see gnss/fix.py's error model.

Hot path: the bytes are copied into one preallocated buffer while the checksum is XORed and
the field starts noted (gnss/sentence.py), fields are decoded by offsets with integer
arithmetic (no floats, no slicing, no str), and the Fix is updated in place, so GGA/RMC
decoding allocates nothing on the unix port (tests/firmware/test_nmea_stream.py checks it
under micropython.heap_lock()). On the 32-bit ESP32 a longitude beyond +-107.37 deg, and
time_s, are big ints and allocate one object each.
"""

from array import array

from micropython import const

from gnss.fix import (
    AZ_UNKNOWN,
    EL_UNKNOWN,
    MAX_SATS,
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
from gnss.sentence import NO_INT, SentenceReader, _hexval

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

_ZDA_Y0 = const(1980)  # ZDA years accepted: the RMC ddmmyy window (yy 80..79)
_ZDA_Y1 = const(2079)
_HALF_DAY_MS = const(43200000)
_DAY_MS = const(86400000)
_ROLLOVER_DAYS = const(7168)  # 1024 GPS weeks
_HALF_ROLLOVER_DAYS = const(3584)
STALE_MS = const(3000)  # older than this behind the previous epoch or set_time_ref: stale
_SYS_PQ = const(7)
_NO_DAY = const(-1)  # NmeaReader._tm: no such time reference
_REF = const(0)  # NmeaReader._tm offsets, each (day, ms of day)
_FLOOR = const(2)
_TRUST = const(4)
_LAST = const(6)  # the PQ talker: the constellation is in the sentence's last field


def _infer_sys(prn, talker_sys):
    """Constellation of a PRN under a GN talker without system ID, or under GP (some
    receivers list GLONASS and QZSS there), by the NMEA 4.10 / u-blox numbering."""
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
    return talker_sys


def _older(day, tod, ref_day, ref_tod):
    """(day, tod) is more than STALE_MS before (ref_day, ref_tod); small ints only."""
    d = ref_day - day
    if d > 1:
        return True
    if d < -1:
        return False
    return d * _DAY_MS + ref_tod - tod > STALE_MS


class NmeaReader(SentenceReader):
    """Counters (ints, never reset) beyond SentenceReader's: `fixes` emitted, `sats_dropped`
    (GSV rows beyond max_sats), `callback_errors` (exceptions raised by on_fix,
    swallowed so that feed() never raises; the last one is kept in `last_error`).
    The Fix being assembled is `reader.fix`; it is also the one passed to on_fix.
    """

    def __init__(self, on_fix, max_sats=MAX_SATS):
        SentenceReader.__init__(self)
        self.on_fix = on_fix
        self.fix = Fix(max_sats)
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
            0x5051: _SYS_PQ,  # Quectel's $PQGSV / $PQGSA (BeiDou, QZSS)
        }
        self._sys = 0  # constellation of the sentence being decoded
        # GSA "used" list of the current epoch
        self._used_sys = bytearray(_MAX_USED)
        self._used_prn = array("H", bytes(2 * _MAX_USED))
        self._gv = array("h", bytes(2 * 16))  # the 4 GSV groups being decoded
        self._n_used = 0
        self._gsa_epoch = -1
        self._gsv_epoch = [-1] * 8  # per constellation: epoch in which GSV last cleared it
        # date reference for epochs without a date of their own
        # Time references as (days since 1970, ms of the day), _NO_DAY = none, in one array
        # (fewer attributes: the instance dict is one of the badge's larger blocks):
        # the last dated epoch (for undated ones), the rollover anchor (set_time_floor),
        # a trusted current time (set_time_ref), the newest timed epoch.
        self._tm = array("i", (_NO_DAY, 0, _NO_DAY, 0, _NO_DAY, 0, _NO_DAY, 0))
        self.rollovers = 0
        self.stale = 0
        self._epoch = 0  # epoch counter
        self._new_epoch()

    def set_time_floor(self, unix_s):
        """Anchor the GPS week rollover correction at unix_s (the firmware's build date,
        gnss.timefloor.BUILD_FLOOR_S, or a later network time): a receiver date more than
        512 weeks before it gets +1024 weeks until it is not. None: no correction."""
        self._tm[_FLOOR] = _NO_DAY if unix_s is None else unix_s // 86400

    def set_time_ref(self, unix_s):
        """A time known to be current (network time just received): a later epoch whose
        time is more than STALE_MS before it is stale: no time_s, not valid. None: none."""
        if unix_s is None:
            self._tm[_TRUST] = _NO_DAY
            return
        self._tm[_TRUST] = unix_s // 86400
        self._tm[_TRUST + 1] = unix_s % 86400 * 1000

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
            else:
                # the stream's first timed sentence: GSV/GSA before it were a partial
                # cycle of an epoch we missed; this epoch's own cycle replaces them
                self._epoch += 1
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
            tm = self._tm
            if day is None and tm[_REF] != _NO_DAY:
                day = tm[_REF]
                if tod - tm[_REF + 1] > _HALF_DAY_MS:
                    day -= 1
                elif tm[_REF + 1] - tod > _HALF_DAY_MS:
                    day += 1
            elif day is not None and tm[_FLOOR] != _NO_DAY:
                while tm[_FLOOR] - day > _HALF_ROLLOVER_DAYS:
                    day += _ROLLOVER_DAYS  # a receiver that missed a GPS week rollover
                    self.rollovers += 1
            if day is not None:
                if tm[_TRUST] != _NO_DAY and _older(day, tod, tm[_TRUST], tm[_TRUST + 1]):
                    f.stale = True  # before a trusted current time: this time is not now
                else:
                    f.time_s = day * 86400 + tod // 1000
                    f.time_ms = tod % 1000
                    if tm[_LAST] != _NO_DAY and _older(day, tod, tm[_LAST], tm[_LAST + 1]):
                        f.stale = True  # the receiver repeats an old fix
                    tm[_LAST] = day
                    tm[_LAST + 1] = tod
                tm[_REF] = day
                tm[_REF + 1] = tod
        valid = self._ok and not self._bad and not f.stale
        if f.stale:
            self.stale += 1
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
        if self._nf < 15:
            raise self._short
        tod = self._time(1)
        lat = self._coord(2, 90)
        lon = self._coord(4, 180)
        q = self._int(6, None)
        ns = self._int(7, None)
        hdop = self._udec(8, 1)
        alt = self._dec(9, 2, None)
        if q is not None and not 0 <= q <= 9:
            raise self._err  # one digit: 0 no fix .. 8 simulation
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
        if self._nf < 13:
            raise self._short
        tod = self._time(1)
        lat = self._coord(2, 90)
        lon = self._coord(4, 180)
        ns = self._int(7, None)
        hdop = self._udec(8, 1)
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
        if self._nf < 12:
            raise self._short
        tod = self._time(1)
        status = self._char(2)
        lat = self._coord(3, 90)
        lon = self._coord(5, 180)
        knots_milli = self._udec(7, 3)
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
        if self._nf < 9:
            raise self._short
        course = self._dec(1, 2, None)
        knots_milli = self._udec(5, 3)
        kmh_milli = self._udec(7, 3)
        f = self.fix
        if f.speed_cmps is None:
            if kmh_milli is not None:
                f.speed_cmps = (kmh_milli + 18) // 36  # 1 km/h = 100/36 cm/s
            elif knots_milli is not None:
                f.speed_cmps = (knots_milli * 1852 + 18000) // 36000
        if f.course_cdeg is None and course is not None:
            f.course_cdeg = course % 36000

    def _gll(self):
        if self._nf < 7:
            raise self._short
        lat = self._coord(1, 90)
        lon = self._coord(3, 180)
        tod = self._time(5)
        status = self._char(6)
        self._begin(tod, _K_GLL)
        if status:
            self._vote(status == 65)
        self._position(lat, lon, _RANK_GLL)

    def _zda(self):
        if self._nf < 7:
            raise self._short
        tod = self._time(1)
        day = None
        if not self._empty(2):
            year = self._int(4, 0)
            if not _ZDA_Y0 <= year <= _ZDA_Y1:
                raise self._err  # no year, or one no receiver sends (as RMC's yy allows)
            day = self._days(year, self._int(3, 0), self._int(2, 0))
        self._begin(tod, _K_ZDA)
        if day is not None:
            self._day = day

    def _gst(self):
        if self._nf < 9:
            raise self._short
        tod = self._time(1)
        sd_lat = self._udec(6, 2)
        sd_lon = self._udec(7, 2)
        self._begin(tod, _K_GST)
        if sd_lat is not None and sd_lon is not None:
            self._gst_acc = acc_from_gst(sd_lat, sd_lon)

    def _gsa(self):
        if self._nf < 18:
            raise self._short
        mode = self._int(2, None)
        hdop = self._udec(16, 1)
        # NMEA 4.11 system ID (one hex digit; SiRF puts a DOP there), else the talker's
        sys = self._sys
        if not self._empty(18) and self._fs[19] - self._fs[18] == 2:
            sid = _hexval(self._char(18))
            if 1 <= sid <= 6:
                sys = sid
        if sys == _SYS_PQ:
            raise self._err
        gv = self._gv
        self._ints(3, 12, gv)
        for j in range(12):  # validate before changing anything
            if gv[j] < 0 and gv[j] != NO_INT:
                raise self._err
        if self._gsa_epoch != self._epoch:
            self._gsa_epoch = self._epoch
            self._n_used = 0
        for j in range(12):
            prn = gv[j]
            if prn > 0 and self._n_used < _MAX_USED:
                self._used_sys[self._n_used] = sys if sys > 1 else _infer_sys(prn, sys)
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
        if self._nf < 4:
            raise self._short
        nf = self._nf
        msg = self._int(2, 0)
        sys = self._sys
        if sys == _SYS_PQ:  # Quectel: groups, signal ID, system ID
            nf -= 1
            sys = _hexval(self._char(nf)) if self._fs[nf + 1] - self._fs[nf] == 2 else -1
            if not 1 <= sys <= 6:
                raise self._err
        extra = (nf - 4) % 4
        groups = (nf - 4) // 4 + (1 if extra > 1 else 0)  # extra == 1: the signal ID
        sig = _hexval(self._char(nf - 1)) if extra == 1 and not self._empty(nf - 1) else 0
        if sig < 0 or groups > 4:
            raise self._err
        gv = self._gv
        self._ints(4, 4 * groups, gv)
        for j in range(0, 4 * groups, 4):  # validate every group before changing anything
            prn = gv[j]
            el = gv[j + 1]
            az = gv[j + 2]
            cn0 = gv[j + 3]
            if prn == NO_INT:
                gv[j] = prn = 0
            if el == NO_INT:
                gv[j + 1] = el = EL_UNKNOWN
            if az == NO_INT:
                gv[j + 2] = az = AZ_UNKNOWN
            if cn0 == NO_INT:
                gv[j + 3] = cn0 = 0
            if not (
                prn >= 0
                and (-90 <= el <= 90 or el == EL_UNKNOWN)
                and -1 <= az <= 360
                and 0 <= cn0 <= 99
            ):
                raise self._err
        fix = self.fix
        if msg == 1 and self._gsv_epoch[sys] != self._epoch:
            self._gsv_epoch[sys] = self._epoch
            fix.forget(sys)
        for j in range(0, 4 * groups, 4):
            prn = gv[j]
            if prn:
                s = sys if sys > 1 else _infer_sys(prn, sys)
                if not fix.upsert(s, prn, sig, gv[j + 1], gv[j + 2], gv[j + 3]):
                    self.sats_dropped += 1
