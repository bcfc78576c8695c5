"""The ESP32 board: GNSS on a UART, the uplink over WiFi when a known network is in range,
the LED and the button on pins, the badge's files on the littlefs root.

Written against micropython-esp32-stubs; it runs only on the badge (no simulator here).
Cellular uplink: issue 4 (firmware/cellular/). Known networks: /wifi.json,
{"SSID": "password", ...}, written at provisioning.

GNSS UART receive buffer: sized by gnss/rx_budget.py from the configured baud rate, output
period, sentences and satellites in view, and the longest time the main loop does not read
(`gnss_stall_ms`). Its default is the uploader's HTTP timeout plus _SIGN_STALL_MS, because
the fix loop calls the uploader, which signs and posts before it returns. With the defaults
(9600 baud, 1 Hz, RMC GGA GSA GSV GST, GPS 12 + BeiDou 16 satellites = 827 B per epoch,
15 s + 3 s) that is 18 x 827 B = 14886 B + 82 B in flight -> 15104 B, in the ESP-IDF heap
(not MicroPython's).
"""

import json
import time

import machine
import network
from gnss.control import OUT_BADGE
from micropython import const

from board import HeapWatch

_GNSS_UART = const(2)
_GNSS_TX = const(17)
_GNSS_RX = const(16)
_GNSS_BAUD = const(9600)
_LED_PIN = const(2)
_BUTTON_PIN = const(0)
_WIFI_CONNECT_MS = const(10000)
# Ed25519 signing of a batch plus the log append on the ESP32: an estimate to replace with a
# measurement on the badge (bench sign_batch_ms_mpy is this machine's unix port).
_SIGN_STALL_MS = const(3000)


class _UartStream:
    def __init__(self, uart):
        self.uart = uart

    def readinto(self, buf):
        return self.uart.readinto(buf)  # None when nothing arrived before the timeout

    def close(self):
        self.uart.deinit()


class _WifiUplink:
    """HTTP over WiFi; with no known network in range a post fails like a network error."""

    def __init__(self, board, host, timeout_s):
        from badge.http import HttpUplink

        self.board = board
        self.http = HttpUplink(host, timeout_s)

    def post(self, path, body):
        if not self.board._wifi_up():
            raise OSError("no known WiFi network in range")
        return self.http.post(path, body)


class _WifiOrModem:
    """A known WiFi network when one is in range, else the cellular modem."""

    def __init__(self, wifi, modem):
        self.wifi = wifi
        self.modem = modem

    def post(self, path, body):
        if self.wifi.board._wifi_up():
            return self.wifi.http.post(path, body)
        return self.modem.post(path, body)


class Board(HeapWatch):
    def __init__(self, fs="/data", host=None, timeout_s=15, gnss_kind="ubx_m8",
                 gnss_baud=_GNSS_BAUD, gnss_period_ms=1000, gnss_output=OUT_BADGE,
                 gnss_sats=(12, 16), gnss_stall_ms=None, modem_dialect="simcom",
                 apn="internet", **_ignored):
        self.modem_dialect = modem_dialect  # cellular modem: board/esp32_modem.py
        self.apn = apn
        self.fs_root = fs
        self.host = host
        self.timeout_s = timeout_s
        self.gnss_kind = gnss_kind
        self.gnss_baud = gnss_baud
        self.gnss_period_ms = gnss_period_ms
        self.gnss_output = gnss_output
        self.gnss_sats = gnss_sats
        if gnss_stall_ms is None:
            gnss_stall_ms = timeout_s * 1000 + _SIGN_STALL_MS
        self.gnss_stall_ms = gnss_stall_ms
        self._led = machine.Pin(_LED_PIN, machine.Pin.OUT)
        self._button = machine.Pin(_BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
        self._wlan = None
        self._gnss_uart = None

    def gnss_rxbuf(self):
        from gnss.rx_budget import epoch_bytes, rx_buffer_bytes

        epoch = epoch_bytes(self.gnss_output, self.gnss_sats)
        return rx_buffer_bytes(self.gnss_baud, epoch, self.gnss_period_ms, self.gnss_stall_ms)

    def open_gnss(self):
        if self._gnss_uart is None:
            self._gnss_uart = machine.UART(
                _GNSS_UART, baudrate=self.gnss_baud, tx=_GNSS_TX, rx=_GNSS_RX,
                rxbuf=self.gnss_rxbuf(), timeout=50)
        return _UartStream(self._gnss_uart)

    def gnss_write(self, data):
        """Bytes to the receiver (commands from gnss/control*.py)."""
        if self._gnss_uart is None:
            self.open_gnss()
        self._gnss_uart.write(data)

    def gnss_control(self):
        from gnss.control import make_control

        return make_control(self.gnss_kind, self.gnss_write)

    def _known_networks(self):
        try:
            with open("/wifi.json") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def _wifi_up(self):
        if self._wlan is None:
            self._wlan = network.WLAN(network.STA_IF)
            self._wlan.active(True)
        if self._wlan.isconnected():
            return True
        known = self._known_networks()
        for entry in self._wlan.scan():
            ssid = entry[0].decode()
            if ssid in known:
                self._wlan.connect(ssid, known[ssid])
                start = time.ticks_ms()
                while not self._wlan.isconnected():
                    if time.ticks_diff(time.ticks_ms(), start) > _WIFI_CONNECT_MS:
                        break
                    time.sleep_ms(100)
                return self._wlan.isconnected()
        return False

    def modem(self):
        """The cellular modem (board/esp32_modem.py), made on first use."""
        if getattr(self, "_modem", None) is None:
            from board.esp32_modem import make_modem

            self._modem = make_modem(self.modem_dialect, self.apn)
        return self._modem

    def cell_reporter(self, batch_size):
        from cellular.observe import CellReporter

        return CellReporter(self.modem(), batch_size)

    def uplink(self):
        if not self.host:
            return None
        from cellular.modem import ModemUplink

        return _WifiOrModem(_WifiUplink(self, self.host, self.timeout_s),
                            ModemUplink(self.modem(), self.host))

    def led(self, on):
        self._led.value(1 if on else 0)

    def reset(self):
        machine.reset()

    def show_verdict(self, accepted):
        """Check-in verdict on the LED: accepted = steady 1 s, refused = 5 fast blinks."""
        if accepted:
            self.led(True)
            time.sleep_ms(1000)
        else:
            for _ in range(5):
                self.led(True)
                time.sleep_ms(100)
                self.led(False)
                time.sleep_ms(100)
        self.led(False)

    def button(self):
        return self._button.value() == 0

    def idle_ms(self, ms):
        time.sleep_ms(ms)
