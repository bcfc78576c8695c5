"""UART receive-buffer sizing (gnss/rx_budget.py): hand-computed cases, and the per-epoch byte
model checked against a real four-constellation log. CPython and micropython."""

import fwtest
from gnss.control import (
    OUT_BADGE,
    OUT_GGA,
    OUT_GLL,
    OUT_GSA,
    OUT_GST,
    OUT_GSV,
    OUT_RMC,
    OUT_VTG,
    OUT_ZDA,
)
from gnss.rx_budget import epoch_bytes, fits, rx_buffer_bytes, stall_bytes

_ALL = OUT_RMC | OUT_GGA | OUT_GSA | OUT_GSV | OUT_GLL | OUT_VTG | OUT_ZDA | OUT_GST


def test_badge_default_gps_beidou_at_9600():
    # RMC GGA GSA GSV GST; GPS 12 and BeiDou 16 satellites in view:
    #   RMC 70 + GGA 79 + GST 54                 = 203
    #   GSA 2 constellations x 60                = 120
    #   GSV ceil(12/4) + ceil(16/4) = 7 x 72     = 504
    #                                     epoch  = 827 B
    epoch = epoch_bytes(OUT_BADGE, (12, 16))
    assert epoch == 827
    # 9600 baud 8N1 carries 960 B/s: 827 B per 1 s epoch fits.
    assert fits(9600, epoch, 1000)
    # A 2500 ms stall beginning with a burst: 2 whole epochs (1654 B) + 500 ms of the third
    # at 960 B/s (480 B) = 2134 B, under the line's 2400 B in 2.5 s.
    assert stall_bytes(9600, epoch, 1000, 2500) == 2134
    # + 82 B in flight = 2216 B -> 2304 (9 x 256).
    assert rx_buffer_bytes(9600, epoch, 1000, 2500) == 2304


def test_four_constellations_do_not_fit_9600_baud():
    # GPS 12, GLONASS 12, Galileo 10, BeiDou 10: GSV 3+3+3+3 = 12 x 72 = 864,
    # GSA 4 x 60 = 240, RMC GGA GST 203: 1307 B per epoch > 960 B/s.
    epoch = epoch_bytes(OUT_BADGE, (12, 12, 10, 10))
    assert epoch == 1307
    assert not fits(9600, epoch, 1000)
    # The line then limits what arrives: 2500 ms x 960 B/s = 2400 B; + 82 = 2482 -> 2560.
    assert stall_bytes(9600, epoch, 1000, 2500) == 2400
    assert rx_buffer_bytes(9600, epoch, 1000, 2500) == 2560
    # At 38400 baud (3840 B/s) it fits; 10 Hz of it would need 13070 B/s and does not.
    assert fits(38400, epoch, 1000) and not fits(38400, epoch, 100)


def test_ten_hz_rmc_only_and_the_floor():
    # RMC alone at 10 Hz: 70 B every 100 ms. A 1000 ms stall holds 10 bursts = 700 B;
    # + 82 = 782 -> 1024.
    epoch = epoch_bytes(OUT_RMC, (12,))
    assert epoch == 70 and stall_bytes(9600, epoch, 100, 1000) == 700
    assert rx_buffer_bytes(9600, epoch, 100, 1000) == 1024
    # No stall at all still leaves one sentence in flight and the 256 B floor.
    assert rx_buffer_bytes(9600, epoch, 1000, 0) == 256


def _m9n_epochs(path):
    """(satellites per GSV talker, bytes per epoch of the modelled types) from the log."""
    kinds = (b"RMC", b"GGA", b"GSA", b"GSV", b"GLL", b"VTG", b"ZDA", b"GST")
    sats = {}
    epochs = []
    for line in fwtest.read_lines(path):
        if not line.startswith(b"$"):
            continue
        kind = line[3:6]
        if kind == b"RMC":
            epochs.append(0)
        if kind == b"GSV":
            sats[line[1:3]] = int(line.split(b",")[3])
        if kind in kinds and epochs:
            epochs[-1] += len(line.rstrip(b"\r\n")) + 2
    return sats, epochs


def test_model_bounds_a_real_four_constellation_epoch():
    sats, epochs = _m9n_epochs(fwtest.data_path("nmea/gpsd/ublox-neo-m9n-nmea.log"))
    # README: NEO-M9N, GN GP GL GA GB; its GSV headers give 16/10/10/7 satellites.
    assert sats == {b"GP": 16, b"GL": 10, b"GA": 10, b"GB": 7}
    model = epoch_bytes(_ALL, (16, 10, 10, 7))
    # 70+79+52+35+38+54 = 328; GSA 4 x 60 = 240; GSV (4+3+3+2) x 72 = 864: 1432 B.
    assert model == 1432
    assert len(epochs) == 61
    assert max(epochs) <= model  # an upper bound for every real epoch...
    assert model * 100 <= max(epochs) * 115  # ...and not more than 15 % above the largest
