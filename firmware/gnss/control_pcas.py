"""Quectel L76K and other CASIC (AT6558-class) receivers: PCAS commands.

Layouts from Quectel's "L76K GNSS Protocol Specification" V1.1 (2.3 PCAS messages) and the
CASIC "Multimode Satellite Navigation Receiver Protocol Specification" it derives from:
- PCAS02 the positioning / output period in ms (1000 = 1 Hz, down to 100);
- PCAS03 one output divider per sentence (0 off, n every n fixes) in the order GGA GLL GSA
  GSV RMC VTG ZDA ANT DHV LPS, two reserved (empty) fields, UTC GST: the 14-field form
  the L76K accepts;
- PCAS06,0 queries the firmware version (answered by a TXT sentence);
- PCAS12 standby for n seconds (CASIC specification; the L76K document does not list it):
  any byte on RX ends it early. The L76K has no cyclic power-save mode by command: its
  other power states are driven by its ON/OFF and V_BCKP pins (the board layer's job).
"""

from micropython import const

from gnss import control as c

_STANDBY_MAX_S = const(65535)


class PcasControl(c.NmeaControl):
    OUTPUT = b"PCAS03"
    RATE = b"PCAS02"
    FIELDS = 14
    SLOTS = (
        (c.OUT_GGA, 0),
        (c.OUT_GLL, 1),
        (c.OUT_GSA, 2),
        (c.OUT_GSV, 3),
        (c.OUT_RMC, 4),
        (c.OUT_VTG, 5),
        (c.OUT_ZDA, 6),
        (c.OUT_GST, 13),
    )
    BLANK = (10, 11)

    def __init__(self, write):
        super().__init__(write, 64)

    def sleep(self, seconds=_STANDBY_MAX_S):
        return self._value(b"PCAS12", min(seconds, _STANDBY_MAX_S))

    def wake(self):
        return self._value(b"PCAS06", 0)
