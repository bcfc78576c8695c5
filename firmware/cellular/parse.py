"""Decoders of standard (3GPP TS 27.007) answers shared by both dialects: fields of a line,
registration (+CSQ and +CCLK: cellular/info.py, cold). Integers only. A line that does not
decode gives None (the caller counts it).

Registration stat codes (+CREG/+CGREG/+CEREG): 0 not registered, not searching; 1 home;
2 searching; 3 denied; 4 unknown; 5 roaming; 6/7 SMS only (home/roaming); 8 emergency only.
"""

from micropython import const

STAT_NOT_SEARCHING = const(0)
STAT_HOME = const(1)
STAT_SEARCHING = const(2)
STAT_DENIED = const(3)
STAT_UNKNOWN = const(4)
STAT_ROAMING = const(5)
STAT_NAMES = ("not searching", "home", "searching", "denied", "unknown", "roaming",
              "SMS only (home)", "SMS only (roaming)", "emergency only")


def fields(line):
    """b'+CSQ: 28,99' -> ['28', '99'] (quotes removed, spaces trimmed)."""
    _, _, rest = line.partition(b":")
    return [f.strip().strip('"') for f in rest.decode().split(",")]


def to_int(text, base=10):
    try:
        return int(text, base)
    except ValueError:
        return None


def reg_stat(line, read=True):
    """Registration stat of a +CREG/+CGREG/+CEREG line. read=True: the answer to `?`
    (`<n>,<stat>,...`); read=False: the URC (`<stat>,...`)."""
    f = fields(line)
    i = 1 if read else 0
    if len(f) <= i:
        return None
    return to_int(f[i])


def registered(stat):
    return stat == STAT_HOME or stat == STAT_ROAMING


def stat_name(stat):
    if stat is not None and 0 <= stat < len(STAT_NAMES):
        return STAT_NAMES[stat]
    return "stat %r" % (stat,)
