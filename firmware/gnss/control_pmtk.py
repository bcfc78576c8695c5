"""MTK receivers (MT3339/MT3333 and the Quectel L70/L76/L80/L86 built on them): PMTK commands.

Layouts from the MediaTek "PMTK command packet" manual (GlobalTop PMTK_A11) and Quectel's
"L76 Series GNSS Protocol Specification" V3.3, which document the same packets:
- PMTK314 SET_NMEA_OUTPUT: 19 fields, each an output divider (0 off, 1 every fix) in the
  order GLL RMC VTG GGA GSA GSV GRS GST, 8..16 reserved, ZDA (17), MCHN (18);
- PMTK220 SET_POS_FIX: the fix / output period in ms (100..10000);
- PMTK225 periodic mode: 0 normal, 2 periodic standby (run, sleep, second run, second
  sleep, ms), 8 AlwaysLocate standby (the receiver adapts its duty cycle to motion);
- PMTK161,0 standby until any byte arrives on RX; PMTK000 is the test packet, answered by
  PMTK001,0,3, which makes it a wake-up that also proves the receiver is awake.
"""

from micropython import const

from gnss import control as c

_MODE_NORMAL = const(0)
_MODE_PERIODIC_STANDBY = const(2)
_MODE_ALWAYSLOCATE_STANDBY = const(8)


class PmtkControl(c.NmeaControl):
    OUTPUT = b"PMTK314"
    RATE = b"PMTK220"
    FIELDS = 19
    SLOTS = (
        (c.OUT_GLL, 0),
        (c.OUT_RMC, 1),
        (c.OUT_VTG, 2),
        (c.OUT_GGA, 3),
        (c.OUT_GSA, 4),
        (c.OUT_GSV, 5),
        (c.OUT_GST, 7),
        (c.OUT_ZDA, 17),
    )

    def __init__(self, write):
        super().__init__(write, 80)

    def enter_power_save(self):
        return self._value(b"PMTK225", _MODE_ALWAYSLOCATE_STANDBY)

    def leave_power_save(self):
        return self._value(b"PMTK225", _MODE_NORMAL)

    def periodic(self, run_ms, sleep_ms, second_run_ms=0, second_sleep_ms=0):
        """Periodic standby: run_ms tracking, sleep_ms standby; the second pair applies
        while the receiver has no fix (0, 0: the same as the first)."""
        c = self._cmd
        c.start(b"PMTK225")
        c.field(_MODE_PERIODIC_STANDBY)
        c.field(run_ms)
        c.field(sleep_ms)
        c.field(second_run_ms)
        c.field(second_sleep_ms)
        return self._send(c.finish())

    def sleep(self):
        return self._value(b"PMTK161", 0)

    def wake(self):
        return self._value(b"PMTK000", None)
