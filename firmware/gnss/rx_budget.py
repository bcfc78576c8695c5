"""UART receive buffer for the GNSS stream: the bytes that can arrive while the main loop
does not read (integer arithmetic; board/esp32.py sizes its UART with it).

Bytes per epoch (`epoch_bytes`): every enabled sentence at the longest length (CR LF
included) seen in the real multi-constellation logs of ../shared/data/nmea/gpsd (u-blox
NEO-M9N and ZED-F9P, four constellations):
    RMC 70  GGA 79  GSA 60  GSV 72  GLL 52  VTG 35  ZDA 38  GST 54
one RMC GGA GLL VTG ZDA GST per epoch, one GSA per constellation (NMEA 4.10+ and u-blox
multi-GNSS output), ceil(satellites / 4) GSV per constellation and signal.
Against the NEO-M9N log (16/10/10/7 satellites, all eight types): the model gives 1432 B,
the log's epochs measure 1313..1325 B of those types (tests/firmware/test_gnss_rx_budget.py).

Arrival (`stall_bytes`): the receiver sends each epoch as one burst at line speed (8N1:
baud / 10 bytes per second) once per period. The worst stall of T ms begins at a burst's
first byte: k = T // period whole bursts, plus what of the next burst the line carries in
the remaining T - k * period ms; never more than the line carries in T.
Buffer (`rx_buffer_bytes`) = that + one longest sentence (82 B, NMEA 0183's limit: a line
already in flight), rounded up to 256 B, at least 256 (the ESP-IDF UART driver wants more
than its 128-byte hardware FIFO).
"""

from micropython import const

from gnss.control import OUT_GGA, OUT_GLL, OUT_GSA, OUT_GST, OUT_GSV, OUT_RMC, OUT_VTG, OUT_ZDA

_ONCE = ((OUT_RMC, 70), (OUT_GGA, 79), (OUT_GLL, 52), (OUT_VTG, 35), (OUT_ZDA, 38), (OUT_GST, 54))
_GSA_BYTES = const(60)
_GSV_BYTES = const(72)
_SATS_PER_GSV = const(4)
SENTENCE_MAX = const(82)
_ROUND = const(256)


def epoch_bytes(mask, sats, signals=1):
    """Longest epoch for the OUT_* sentences in `mask`; `sats`: satellites in view per
    constellation, e.g. (12, 16) for GPS + BeiDou."""
    total = 0
    for bit, size in _ONCE:
        if mask & bit:
            total += size
    if mask & OUT_GSA:
        total += _GSA_BYTES * len(sats)
    if mask & OUT_GSV:
        for n in sats:
            total += _GSV_BYTES * signals * ((max(n, 1) + _SATS_PER_GSV - 1) // _SATS_PER_GSV)
    return total


def line_bytes_per_s(baud):
    return baud // 10  # 8N1: start + 8 data + stop bits per byte


def fits(baud, epoch, period_ms):
    """Whether one epoch leaves the receiver before the next begins."""
    return epoch * 1000 <= line_bytes_per_s(baud) * period_ms


def _ceil_div(a, b):
    return (a + b - 1) // b


def stall_bytes(baud, epoch, period_ms, stall_ms):
    line = line_bytes_per_s(baud)
    whole = stall_ms // period_ms
    rest_ms = stall_ms - whole * period_ms
    worst = whole * epoch + min(epoch, _ceil_div(rest_ms * line, 1000))
    return min(worst, _ceil_div(stall_ms * line, 1000))


def rx_buffer_bytes(baud, epoch, period_ms, stall_ms):
    need = stall_bytes(baud, epoch, period_ms, stall_ms) + SENTENCE_MAX
    return max(_ROUND, _ceil_div(need, _ROUND) * _ROUND)
