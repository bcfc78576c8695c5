"""The ESP32's cellular modem: UART1, PWRKEY and DTR pins (LilyGO T-SIM7600 / T-A7670 wiring).

PWRKEY drives the module's PWRKEY through an NPN transistor on these boards: pin high =
PWRKEY pulled low. Timings come from the dialect (cellular/simcom.py, cellular/quectel.py:
the hardware design manuals' minimum pulse and boot time). DTR high lets the module sleep
after AT+CSCLK=1; low wakes it.
"""

import time

import machine
from micropython import const

MODEM_UART = const(1)
MODEM_TX = const(27)
MODEM_RX = const(26)
MODEM_BAUD = const(115200)
MODEM_PWRKEY = const(4)
MODEM_DTR = const(32)
_RXBUF = const(2048)  # an HTTP answer is < 1 KB; URCs while the loop signs a batch


class _UartStream:
    def __init__(self, uart):
        self.uart = uart

    def readinto(self, buf):
        return self.uart.readinto(buf)

    def write(self, data):
        self.uart.write(data)


class ModemPower:
    def __init__(self, on_ms, boot_ms):
        self.on_ms = on_ms
        self.boot_ms = boot_ms
        self._key = machine.Pin(MODEM_PWRKEY, machine.Pin.OUT, value=0)
        self._dtr = machine.Pin(MODEM_DTR, machine.Pin.OUT, value=0)

    def on(self):
        self._dtr.value(0)
        self._key.value(1)
        time.sleep_ms(self.on_ms)
        self._key.value(0)
        time.sleep_ms(self.boot_ms)
        return None

    def sleep(self, on):
        self._dtr.value(1 if on else 0)


def make_modem(dialect="simcom", apn="internet", url=""):
    from cellular.at import AtChannel
    from cellular.modem import Modem, make_dialect

    uart = machine.UART(MODEM_UART, baudrate=MODEM_BAUD, tx=MODEM_TX, rx=MODEM_RX,
                        rxbuf=_RXBUF, timeout=0)
    ch = AtChannel(_UartStream(uart))
    d = make_dialect(dialect, ch)
    return Modem(ch, d, ModemPower(d.pwrkey_on_ms, d.boot_ms), apn, url)
