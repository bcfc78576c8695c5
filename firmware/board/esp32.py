"""The ESP32 board: GNSS on a UART, the uplink over WiFi when a known network is in range,
the LED and the button on pins, the badge's files on the littlefs root.

Written against micropython-esp32-stubs; it runs only on the badge (no simulator here).
Cellular uplink: issue 4 (firmware/cellular/). Known networks: /wifi.json,
{"SSID": "password", ...}, written at provisioning.
"""

import json
import time

import machine
import network
from micropython import const

from board import HeapWatch

_GNSS_UART = const(2)
_GNSS_TX = const(17)
_GNSS_RX = const(16)
_GNSS_BAUD = const(9600)
_LED_PIN = const(2)
_BUTTON_PIN = const(0)
_WIFI_CONNECT_MS = const(10000)


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


class Board(HeapWatch):
    def __init__(self, fs="/data", host=None, timeout_s=15, **_ignored):
        self.fs_root = fs
        self.host = host
        self.timeout_s = timeout_s
        self._led = machine.Pin(_LED_PIN, machine.Pin.OUT)
        self._button = machine.Pin(_BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
        self._wlan = None

    def open_gnss(self):
        uart = machine.UART(_GNSS_UART, baudrate=_GNSS_BAUD, tx=_GNSS_TX, rx=_GNSS_RX,
                            rxbuf=1024, timeout=50)
        return _UartStream(uart)

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

    def uplink(self):
        if not self.host:
            return None
        return _WifiUplink(self, self.host, self.timeout_s)

    def led(self, on):
        self._led.value(1 if on else 0)

    def button(self):
        return self._button.value() == 0

    def idle_ms(self, ms):
        time.sleep_ms(ms)
