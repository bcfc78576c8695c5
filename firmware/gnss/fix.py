"""One GNSS fix per receiver epoch, and the arithmetic that finishes it.

`Fix` is filled in place by `gnss.nmea.NmeaReader` and handed to its `on_fix` callback.
The reader reuses ONE Fix object for every epoch: a callback that keeps values must copy
them (ints and None are immutable, so `t = fix.time_s` is a copy; the satellite arrays
are not: copy what you need from them, e.g. `bytes(fix.sat_cn0[:fix.sats_seen])`).

Unknown values are None, except `valid` (False), `mode` (1 = no fix), `sats_seen` and
`cn0_max`/`cn0_mean` (0 = none reported).

Error model for `acc_m` (horizontal accuracy radius, metres, about one sigma / 68 %, the
same meaning as Android's Location.getAccuracy):
- when the receiver sends GST, acc_m = ceil(sqrt(sd_lat^2 + sd_lon^2)), the receiver's own
  1-sigma error ellipse turned into a radius;
- otherwise acc_m = ceil(HDOP x UERE), with the user equivalent range error UERE chosen
  by the GGA fix quality: 5 m for an autonomous fix (quality 1, also used when GGA is
  absent), 2 m for DGPS/SBAS (2) and PPS (3), 0.1 m for RTK fixed (4), 1 m for RTK float
  (5), 20 m for dead reckoning / estimated (6) and anything else;
- never less than 1 m; None when the fix is not valid or no DOP/GST is known.
"""

from array import array

from micropython import const

MAX_SATS = const(64)  # satellites kept from GSV; more are counted in NmeaReader.sats_dropped

# Constellation ids: the NMEA 4.11 GSA/GSV "system ID" numbering. 0 = unknown.
SYS_GPS = const(1)  # also SBAS, which NMEA reports under the GP talker
SYS_GLONASS = const(2)
SYS_GALILEO = const(3)
SYS_BEIDOU = const(4)
SYS_QZSS = const(5)
SYS_NAVIC = const(6)

EL_UNKNOWN = const(-128)  # sat_el when the GSV field is empty
AZ_UNKNOWN = const(-1)  # sat_az when the GSV field is empty

# UERE in decimetres by GGA quality (index); see the module docstring.
_UERE_DM = b"\x32\x32\x14\x14\x01\x0a\xc8"  # 0:50 1:50 2:20 3:20 4:1 5:10 6:200
_UERE_DM_OTHER = const(200)


class Fix:
    """One receiver epoch. Attributes (units in the names, None = unknown):

    time_s       int, Unix UTC seconds; None when the date or the time of day is unknown
    time_ms      int 0..999, milliseconds of time_s; None with time_s
    tod_ms       int, UTC time of day in ms as the receiver sent it (even without a date)
    valid        bool, the receiver reported a usable fix (RMC A, GGA quality>0, GSA mode>=2,
                 GNS mode not N, GLL A) and no sentence of the epoch said it is invalid
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
    sats_seen    int, satellites in sat_* below (all constellations, last GSV of each)
    sat_sys      bytearray, SYS_* per satellite
    sat_prn      array('H'), the satellite number as the receiver sent it in GSV
    sat_el       array('b'), elevation in degrees, EL_UNKNOWN if not sent
    sat_az       array('h'), azimuth in degrees, AZ_UNKNOWN if not sent
    sat_cn0      bytearray, C/N0 in dB-Hz, 0 = not tracked
    sat_used     bytearray, 1 when the last GSA listed the satellite as used
    cn0_max      int, strongest C/N0, 0 = none
    cn0_mean     int, floor of the mean C/N0 of satellites with a C/N0, 0 = none
    """

    def __init__(self):
        self.sat_sys = bytearray(MAX_SATS)
        self.sat_prn = array("H", bytes(2 * MAX_SATS))
        self.sat_el = array("b", bytes(MAX_SATS))
        self.sat_az = array("h", bytes(2 * MAX_SATS))
        self.sat_cn0 = bytearray(MAX_SATS)
        self.sat_used = bytearray(MAX_SATS)
        self.sats_seen = 0
        self.cn0_max = 0
        self.cn0_mean = 0
        self.reset()

    def reset(self):
        """Forget the per-epoch values (the satellite table persists across epochs)."""
        self.time_s = None
        self.time_ms = None
        self.tod_ms = None
        self.valid = False
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
        """Drop the satellites of one constellation (sys 0: all) before a new GSV cycle."""
        k = 0
        for j in range(self.sats_seen):
            if sys and self.sat_sys[j] != sys:
                if k != j:
                    self.sat_sys[k] = self.sat_sys[j]
                    self.sat_prn[k] = self.sat_prn[j]
                    self.sat_el[k] = self.sat_el[j]
                    self.sat_az[k] = self.sat_az[j]
                    self.sat_cn0[k] = self.sat_cn0[j]
                    self.sat_used[k] = self.sat_used[j]
                k += 1
        self.sats_seen = k

    def upsert(self, sys, prn, el, az, cn0):
        """Add or update one satellite; False when the table is full.

        A second signal of the same satellite (L2, L5) keeps the stronger C/N0 and does not
        overwrite a known elevation/azimuth with an unknown one.
        """
        n = self.sats_seen
        k = 0
        while k < n and (self.sat_prn[k] != prn or self.sat_sys[k] != sys):
            k += 1
        if k == n:
            if n >= MAX_SATS:
                return False
            self.sats_seen = n + 1
            self.sat_sys[k] = sys
            self.sat_prn[k] = prn
            self.sat_el[k] = EL_UNKNOWN
            self.sat_az[k] = AZ_UNKNOWN
            self.sat_cn0[k] = 0
            self.sat_used[k] = 0
        if el != EL_UNKNOWN:
            self.sat_el[k] = el
        if az != AZ_UNKNOWN:
            self.sat_az[k] = az
        if cn0 > self.sat_cn0[k]:
            self.sat_cn0[k] = cn0
        return True

    def sky(self, used_sys, used_prn, n_used):
        """Set sat_used from a GSA list (n_used (sys, prn) pairs), cn0_max and cn0_mean."""
        cmax = 0
        csum = 0
        cnt = 0
        for k in range(self.sats_seen):
            s = self.sat_sys[k]
            p = self.sat_prn[k]
            u = 0
            for j in range(n_used):
                if used_prn[j] == p and used_sys[j] == s:
                    u = 1
                    break
            self.sat_used[k] = u
            c = self.sat_cn0[k]
            if c:
                cnt += 1
                csum += c
                if c > cmax:
                    cmax = c
        self.cn0_max = cmax
        self.cn0_mean = csum // cnt if cnt else 0

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
