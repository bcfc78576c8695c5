"""What the modem knows besides the uplink (cold code, import when needed): signal, network
time, identities, PSM. Functions of a `cellular.modem.Modem`."""

from cellular.at_errors import AtError
from cellular.parse import fields, to_int


def csq_dbm(line):
    """+CSQ: <rssi>,<ber> -> dBm: 0 -> -113, 1 -> -111, 2..30 -> -109..-53 (2 dB steps),
    31 -> -51 or more; 99 unknown -> None. 100..191 (TD-SCDMA) -> -116..-25."""
    f = fields(line)
    rssi = to_int(f[0]) if f else None
    if rssi is None or rssi == 99 or rssi > 191:
        return None
    if rssi <= 31:
        return -113 + 2 * rssi
    if rssi >= 100:
        return -216 + rssi
    return None


def _days_from_civil(y, m, d):
    # Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date.
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def cclk_utc(line, min_year=2020):
    """+CCLK: "yy/MM/dd,hh:mm:ss±zz" (local time, zz quarter hours east of UTC) -> UTC unix
    seconds; None when malformed or before min_year (a clock the network never set)."""
    _, _, rest = line.partition(b":")
    s = rest.decode().strip().strip('"')
    if len(s) < 17 or s[2] != "/" or s[8] != ",":
        return None
    y, mo, d = to_int(s[0:2]), to_int(s[3:5]), to_int(s[6:8])
    h, mi, sec = to_int(s[9:11]), to_int(s[12:14]), to_int(s[15:17])
    zone = to_int(s[17:]) if len(s) > 17 else 0
    if None in (y, mo, d, h, mi, sec, zone) or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    y += 1900 if y >= 70 else 2000  # modems' unset clocks show 1970/1980
    if y < min_year or h > 23 or mi > 59 or sec > 60:
        return None
    local = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec
    return local - zone * 900


def signal_dbm(m):
    for line in m.cmd("AT+CSQ", 1000, expect=b"+CSQ:"):
        return csq_dbm(line)
    return None


def network_time(m):
    """UTC unix seconds from AT+CCLK? (None when the network never set the clock)."""
    for line in m.cmd("AT+CCLK?", 1000, expect=b"+CCLK:"):
        return cclk_utc(line)
    return None


def imei(m):
    for line in m.cmd("AT+CGSN", 1000):
        text = line.decode().strip()
        if text.isdigit():
            return text
    return None


def iccid(m):
    return m.dialect.iccid()


def psm(m, tau="00100001", active="00000001"):
    """Ask for PSM (AT+CPSMS); the network may refuse: the answer says nothing."""
    try:
        m.cmd('AT+CPSMS=1,,,"%s","%s"' % (tau, active))
        return True
    except AtError:
        return False
