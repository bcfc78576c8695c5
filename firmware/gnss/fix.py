"""One GNSS fix per receiver epoch, and the arithmetic that finishes it.

`Fix` is filled in place by `gnss.nmea.NmeaReader` and handed to its `on_fix` callback.
The reader reuses ONE Fix object for every epoch: a callback that keeps values must copy
them (ints and None are immutable, so `t = fix.time_s` is a copy; the satellite arrays
are not: copy what you need from them, e.g. `bytes(fix.sat_cn0[:fix.n_sigs])`).

Unknown values are None, except `valid` and `stale` (False), `mode` (1 = no fix), and the
satellite counts and C/N0 summary (0 = none reported). The satellite table and its summary
are the anti-cheat inputs: see "Satellites and C/N0" in gnss/nmea.py.

Error model for `acc_m` (horizontal accuracy radius, metres, about one sigma / 63-68 %, the
same meaning as Android's Location.getAccuracy), computed for every valid fix:
- when the receiver sends GST, acc_m = ceil(sqrt(sd_lat^2 + sd_lon^2)) (acc_from_gst): the
  receiver's own 1-sigma latitude and longitude errors combined into the horizontal DRMS;
- otherwise acc_m = ceil(HDOP x UERE) (acc_from_hdop), the DRMS of the usual model of
  independent, equal range errors (horizontal error = HDOP x range error), with the user
  equivalent range error UERE chosen by the GGA fix quality: 5 m for an autonomous fix
  (quality 1, also used when GGA is absent), 2 m for DGPS/SBAS (2) and PPS (3), 0.1 m for
  RTK fixed (4), 1 m for RTK float (5), 20 m for dead reckoning / estimated (6) and
  anything else; HDOP from GGA/GNS, else from the epoch's GSA;
- never less than 1 m; None when the fix is not valid or no DOP/GST is known.
Checked against gpsd's GST (tests/firmware/test_nmea.py) and by hand
(tests/firmware/test_nmea_cases.py test_accuracy_error_model).
"""

from array import array

from micropython import const

# GSV rows (one per satellite and signal) a Fix keeps by default: single-band receivers list
# fewer; a dual-band ZED-F9P lists 82 (its tests pass max_sats=96)
MAX_SATS = const(64)

# Constellation ids: the NMEA 4.11 GSA/GSV "system ID" numbering. 0 = unknown.
SYS_GPS = const(1)  # also SBAS, which NMEA reports under the GP talker
SYS_GLONASS = const(2)
SYS_GALILEO = const(3)
SYS_BEIDOU = const(4)
SYS_QZSS = const(5)
SYS_NAVIC = const(6)

SIG_NONE = const(0)  # sat_sig when the GSV carries no signal ID (NMEA before 4.10)
EL_UNKNOWN = const(-128)  # sat_el when the GSV field is empty
AZ_UNKNOWN = const(-1)  # sat_az when the GSV field is empty

# Row states (Fix._state bits)
_STALE = const(1)  # its constellation started a new GSV cycle that has not listed it (yet)
_NEW = const(2)  # added since the last epoch
_FIRST = const(4)  # the first row of its satellite (later rows are more signals of it)
# sky() marks used satellites in a bitmap of (sys, PRN & 255): PRNs 256 apart share a bit,
# harmless as no receiver mixes two numberings of one constellation (BeiDou 201-263/401-463)

# UERE in decimetres by GGA quality (index); see the module docstring.
_UERE_DM = b"\x32\x32\x14\x14\x01\x0a\xc8"  # 0:50 1:50 2:20 3:20 4:1 5:10 6:200
_UERE_DM_OTHER = const(200)


class Fix:
    """One receiver epoch. Attributes (units in the names, None = unknown):

    time_s       int, Unix UTC seconds; None when the date or the time of day is unknown,
                 or when the time is older than the reader's time floor (see gnss.nmea)
    time_ms      int 0..999, milliseconds of time_s; None with time_s
    tod_ms       int, UTC time of day in ms as the receiver sent it (even without a date)
    valid        bool, the receiver reported a usable fix (RMC A, GGA quality>0, GSA mode>=2,
                 GNS mode not N, GLL A), no sentence of the epoch said it is invalid, and
                 the fix is not stale (gnss.nmea: older than the time reference)
    stale        bool, the fix was refused as stale (then valid is False)
    lat_e7, lon_e7  int, 1e-7 degree, north/east positive
    alt_cm       int, altitude above mean sea level (GGA/GNS)
    quality      int, GGA fix quality (0 invalid, 1 GPS, 2 DGPS, 4 RTK fixed, 5 float, 6 DR)
    mode         int, 1 no fix, 2 2D, 3 3D (gpsd TPV mode): GSA mode when sent, else 3 for a
                 valid fix with altitude, 2 for a valid fix without, 1 otherwise
    sats_used    int, satellites in the solution (GGA/GNS, else counted from GSA)
    hdop_x10     int, HDOP x 10 (GGA/GNS, else GSA)
    speed_cmps   int, speed over ground in cm/s (RMC knots, else VTG km/h)
    course_cdeg  int, course over ground in 1/100 degree (RMC, else VTG)
    acc_m        int, horizontal accuracy radius in metres (error model above)

    Satellites (see "Satellites and C/N0" in the module docstring):
    n_sigs       int, rows in the sat_* arrays (one per satellite and signal)
    sat_sys      bytearray, SYS_* per row
    sat_prn      array('H'), the satellite number as the receiver sent it in GSV
    sat_sig      bytearray, NMEA 4.10/4.11 GSV signal ID, SIG_NONE when not sent
    sat_el       array('b'), elevation in degrees, EL_UNKNOWN if not sent
    sat_az       array('h'), azimuth in degrees, AZ_UNKNOWN if not sent
    sat_cn0      bytearray, C/N0 in dB-Hz, 0 = not tracked
    sat_used     bytearray, 1 when the epoch's GSA listed the satellite as used
    sats_seen    int, distinct satellites (sys, prn) among the rows
    sats_new     int, satellites listed this epoch that the previous epoch did not list
    sats_lost    int, satellites the previous epoch listed and this epoch's GSV dropped
    cn0_count    int, rows with a C/N0 (> 0)
    cn0_max, cn0_min  int, strongest and weakest C/N0 of those rows, 0 = none
    cn0_mean     int, floor of their mean, 0 = none
    cn0_spread   int, cn0_max - cn0_min, 0 = none
    """

    def __init__(self, max_sats=MAX_SATS):
        self.sat_sys = bytearray(max_sats)
        self.sat_prn = array("H", bytes(2 * max_sats))
        self.sat_sig = bytearray(max_sats)
        self.sat_el = array("b", bytes(max_sats))
        self.sat_az = array("h", bytes(2 * max_sats))
        self.sat_cn0 = bytearray(max_sats)
        self.sat_used = bytearray(max_sats)
        self._state = bytearray(max_sats)
        self._usedmap = bytearray(8 * 32)  # bit per (sys, PRN & 255)
        self.n_sigs = 0
        self._hint = 0  # row after the one upsert() set last
        self.sats_seen = 0
        self.sats_new = 0
        self.sats_lost = 0
        self.cn0_count = 0
        self.cn0_max = 0
        self.cn0_min = 0
        self.cn0_mean = 0
        self.cn0_spread = 0
        self.reset()

    def reset(self):
        """Forget the per-epoch values (the satellite table persists across epochs)."""
        self.time_s = None
        self.time_ms = None
        self.tod_ms = None
        self.valid = False
        self.stale = False
        self.lat_e7 = None
        self.lon_e7 = None
        self.alt_cm = None
        self.quality = None
        self.mode = 1
        self.sats_used = None
        self.hdop_x10 = None
        self.speed_cmps = None
        self.course_cdeg = None
        self.acc_m = None

    def forget(self, sys):
        """A new GSV cycle of constellation `sys` (0: all) begins: its rows become stale;
        the ones the cycle does not list again are dropped when the epoch ends (sky())."""
        st = self._state
        sat_sys = self.sat_sys
        for k in range(self.n_sigs):
            if not sys or sat_sys[k] == sys:
                st[k] |= _STALE

    def upsert(self, sys, prn, sig, el, az, cn0):
        """Set the row of one satellite signal from a GSV group; False when the table is full."""
        n = self.n_sigs
        sat_sys = self.sat_sys
        sat_prn = self.sat_prn
        sat_sig = self.sat_sig
        # Receivers list a cycle in the same order each time: look from the row after
        # the last one set first, then from the top.
        k = self._hint
        while k < n:
            if sat_prn[k] == prn and sat_sig[k] == sig and sat_sys[k] == sys:
                break
            k += 1
        if k >= n:
            first = _FIRST
            k = 0
            while k < n:
                if sat_prn[k] == prn and sat_sys[k] == sys:
                    if sat_sig[k] == sig:
                        break
                    first = 0
                k += 1
        if k == n:
            if n >= len(sat_sys):
                return False
            self.n_sigs = n + 1
            sat_sys[k] = sys
            sat_prn[k] = prn
            sat_sig[k] = sig
            self._state[k] = _NEW | first
            self.sat_used[k] = 0
        else:
            self._state[k] &= _NEW | _FIRST
        self.sat_el[k] = el
        self.sat_az[k] = az
        self.sat_cn0[k] = cn0
        self._hint = k + 1
        return True

    def sky(self, used_sys, used_prn, n_used):
        """End of epoch: drop stale rows, mark used satellites from the GSA list (n_used
        (sys, prn) pairs), and compute the satellite and C/N0 summary."""
        st = self._state
        sat_sys = self.sat_sys
        sat_prn = self.sat_prn
        sat_cn0 = self.sat_cn0
        n = self.n_sigs
        k = 0
        new = 0
        lost = 0
        for j in range(n):
            s = st[j]
            if s & _STALE:
                if s & _FIRST:
                    lost += 1
                continue
            if s & _NEW and s & _FIRST:
                new += 1
            if k != j:
                sat_sys[k] = sat_sys[j]
                sat_prn[k] = sat_prn[j]
                self.sat_sig[k] = self.sat_sig[j]
                self.sat_el[k] = self.sat_el[j]
                self.sat_az[k] = self.sat_az[j]
                sat_cn0[k] = sat_cn0[j]
            st[k] = s & _FIRST
            k += 1
        n = k
        self.n_sigs = n
        if lost and n:
            self._refirst()
        self.sats_new = new
        self.sats_lost = lost
        um = self._usedmap
        for j in range(n_used):
            p = used_prn[j] & 255
            um[(used_sys[j] & 7) << 5 | p >> 3] |= 1 << (p & 7)
        seen = 0
        cmax = 0
        cmin = 255
        csum = 0
        cnt = 0
        sat_used = self.sat_used
        for k in range(n):
            seen += st[k] >> 2  # _FIRST
            p = sat_prn[k] & 255
            sat_used[k] = um[(sat_sys[k] & 7) << 5 | p >> 3] >> (p & 7) & 1
            c = sat_cn0[k]
            if c:
                cnt += 1
                csum += c
                if c > cmax:
                    cmax = c
                if c < cmin:
                    cmin = c
        for j in range(n_used):
            um[(used_sys[j] & 7) << 5 | (used_prn[j] & 255) >> 3] = 0
        self.sats_seen = seen
        self.cn0_count = cnt
        if cnt:
            self.cn0_max = cmax
            self.cn0_min = cmin
            self.cn0_mean = csum // cnt
            self.cn0_spread = cmax - cmin
        else:
            self.cn0_max = self.cn0_min = self.cn0_mean = self.cn0_spread = 0

    def _refirst(self):
        """Rows whose satellite lost its first row: mark the new first row of each."""
        st = self._state
        for k in range(self.n_sigs):
            f = _FIRST
            for j in range(k):
                if self.sat_prn[j] == self.sat_prn[k] and self.sat_sys[j] == self.sat_sys[k]:
                    f = 0
                    break
            st[k] = f

    def __repr__(self):
        return "Fix(t=%r.%r valid=%r lat_e7=%r lon_e7=%r alt_cm=%r mode=%r acc_m=%r)" % (
            self.time_s,
            self.time_ms,
            self.valid,
            self.lat_e7,
            self.lon_e7,
            self.alt_cm,
            self.mode,
            self.acc_m,
        )


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    if m <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def isqrt(n):
    """Integer square root (floor) of n >= 0."""
    if n < 2:
        return n
    x = n
    y = (x + 1) // 2
    while y < x:
        x = y
        y = (x + n // x) // 2
    return x


def acc_from_gst(sd_lat_cm, sd_lon_cm):
    """Accuracy radius in metres from GST 1-sigma latitude/longitude errors (cm)."""
    r_cm = isqrt(sd_lat_cm * sd_lat_cm + sd_lon_cm * sd_lon_cm)
    return max(1, (r_cm + 99) // 100)


def acc_from_hdop(hdop_x10, quality):
    """Accuracy radius in metres from HDOP x 10 and the GGA quality (None = unknown)."""
    if quality is None:
        quality = 1
    uere_dm = _UERE_DM[quality] if 0 <= quality < len(_UERE_DM) else _UERE_DM_OTHER
    # hdop_x10 * uere_dm is in centimetres.
    return max(1, (hdop_x10 * uere_dm + 99) // 100)
