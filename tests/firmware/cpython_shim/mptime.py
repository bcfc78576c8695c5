"""CPython stand-in for MicroPython's time additions (ticks_ms, ticks_diff, sleep_ms).

Firmware imports them from `time` as it does on the badge; tests/firmware/conftest.py
calls install() so that CPython's own `time` module answers too. Never on the badge.
"""

import time


def _ticks_ms():
    return int(time.monotonic() * 1000)


def _ticks_diff(a, b):
    return a - b


def _sleep_ms(ms):
    time.sleep(ms / 1000)


def install():
    for name, fn in (("ticks_ms", _ticks_ms), ("ticks_diff", _ticks_diff),
                     ("sleep_ms", _sleep_ms)):
        if not hasattr(time, name):
            setattr(time, name, fn)
