"""CPython stand-in for MicroPython's `micropython` module, for the firmware tests only.

Firmware code writes `from micropython import const` as it does on the badge; under pytest
this shim answers instead. It is never on the badge's path.
"""


def const(value):
    return value


def native(fn):
    return fn


viper = native


def heap_lock():
    return 0


def heap_unlock():
    return 0


def mem_peak():
    return 0
