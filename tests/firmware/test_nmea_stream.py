"""gnss.nmea framing and decoding: chunking, noise, rejections, dates, allocation.

Runs under CPython (pytest) and micropython (tests/firmware/mprun.py). Expected values
come from the recordings in ../shared/data/nmea (counted by hand or by grep, as each test
says) or are hand-computed in the comments. The fix-by-fix comparison with gpsd's
decoding is in test_nmea.py.
"""

import fwtest
from gnss.nmea import NmeaReader

_GPSD = "nmea/gpsd/"


def _log_chunks(path):
    """The log's receiver bytes without gpsd's '#' header lines."""
    for line in fwtest.read_lines(path):
        if not line.startswith(b"#"):
            yield line


# ---- framing: chunking, noise, rejections ------------------------------------------------


def _snap(f):
    return (
        f.time_s,
        f.time_ms,
        f.tod_ms,
        f.valid,
        f.lat_e7,
        f.lon_e7,
        f.alt_cm,
        f.quality,
        f.mode,
        f.sats_used,
        f.hdop_x10,
        f.speed_cmps,
        f.course_cdeg,
        f.acc_m,
        f.sats_seen,
        f.cn0_max,
        f.cn0_mean,
    )


def _run(feeds):
    out = []
    r = NmeaReader(lambda f: out.append(_snap(f)))
    for data in feeds:
        r.feed(data)
    r.flush()
    return out, r


def _log_bytes(rel):
    return b"".join(_log_chunks(fwtest.data_path(rel)))


class _Lcg:
    """Deterministic chunk sizes (the same under both interpreters)."""

    def __init__(self, seed):
        self.x = seed

    def next(self, n):
        self.x = (self.x * 1103515245 + 12345) & 0x7FFFFFFF
        return self.x % n


def _random_chunks(data, seed):
    rnd = _Lcg(seed)
    mv = memoryview(data)
    i = 0
    while i < len(data):
        k = 1 + rnd.next(97)
        yield mv[i : i + k]
        i += k


def test_chunking_does_not_change_fixes():
    # 3 epochs of a 4-constellation Quectel, 14 of Trimble RTK at 10 Hz (gpsd's .chk counts)
    data = _log_bytes(_GPSD + "quectel-eg25-g-2.log") + _log_bytes(_GPSD + "nmea-fuzzy-cases.log")
    whole, r0 = _run([data])
    assert len(whole) == 17
    bytewise, r1 = _run(data[i : i + 1] for i in range(len(data)))
    assert bytewise == whole
    for seed in (1, 2, 3):
        chunked, r2 = _run(_random_chunks(data, seed))
        assert chunked == whole
        assert r2.counts() == r0.counts()
    assert r1.counts() == r0.counts()


def test_binary_noise_between_sentences_is_skipped_and_counted():
    clean = list(_log_chunks(fwtest.data_path(_GPSD + "mt3339.log")))
    noise = bytes(range(256))

    def noisy():
        for line in clean:
            yield line
            yield noise

    expect, _ = _run(clean)
    got, r = _run(noisy())
    assert got == expect
    blocks = len(clean)
    # Per block, hand-counted: bytes 0x00-0x23 except CR LF (34) and 0x80-0xff (128) are
    # noise; '$' (0x24) opens a false sentence that 0x7f ends as non-printable.
    assert r.noise_bytes == 162 * blocks
    assert r.non_printable == blocks
    assert r.crc_fails == 0 and r.truncated == 0


def test_ubx_interleaved_with_nmea():
    # pynmeagps' capture: UBX frames and NMEA on one stream. `grep -a` counts 17 '$'
    # sentences: 2 GNGGA, 8 GNGSA, 2 GLGSV, 1 GPGSV, 1 GAGSV, 1 GBGSV and two '$'
    # bytes inside UBX payloads.
    with open(fwtest.data_path("nmea/pynmeagps/pygpsdata-mixed.log"), "rb") as f:
        data = f.read()
    out, r = _run([data])
    assert r.sentences == 15
    assert r.noise_bytes > 0
    assert r.fixes == 2
    # 5327.03557 N = 53 + 27.03557/60 = 53.45059283; 00214.42234 W = -(2 + 14.42234/60)
    assert out[0][4:6] == (534505928, -22403723)


def test_bad_checksum_is_counted():
    # pynmeagps' capture with one corrupted checksum character: "$GNVTG,...*3)"
    _, r = _run(_log_chunks(fwtest.data_path("nmea/pynmeagps/pygpsdata-nmeabadck2.log")))
    assert r.crc_fails == 1
    assert r.sentences == 7  # the other 7 lines


def _sentence(body):
    """'$' + body + '*hh' CR LF with the XOR checksum computed here."""
    cs = 0
    for c in body:
        cs ^= c
    return b"$" + body + b"*%02X\r\n" % cs


def test_rejections_are_counted():
    gga = _sentence(
        b"GPGGA,202640.000,4404.1306,N,12118.8515,W,2,10,0.98,1127.7,M,-19.6,M,0000,0000"
    )
    assert (
        gga == b"$GPGGA,202640.000,4404.1306,N,12118.8515,W,2,10,0.98,1127.7,M,-19.6,M,"
        b"0000,0000*6C\r\n"
    )  # the line as mt3339 sent it
    lines = (
        gga,
        gga[:-3] + b"D\r\n",  # crc_fails
        gga[:-5] + b"\r\n",  # no_checksum
        gga[:-5] + b"," * 60 + b"*00\r\n",  # too_long
        gga[:20] + b"\x00" + gga[20:],  # non_printable
        gga[:30] + gga,  # truncated, then a good sentence
        _sentence(b"GPXXX,1"),  # unknown
        _sentence(b"PMTK001,604,3"),  # unknown (proprietary)
        _sentence(b"GPGGA,2026x0.000,,,,,0,,,,,,,,"),  # bad_fields
        _sentence(b"GPRMC,202640.000,A,4404.1306,N,12118.8515,W,0.03,225.97,991315,,,D"),
    )
    out, r = _run(lines)
    assert r.sentences == 2
    assert r.crc_fails == 1
    assert r.no_checksum == 1
    assert r.too_long == 1
    assert r.non_printable == 1
    assert r.truncated == 1
    assert r.unknown == 2
    assert r.bad_fields == 2  # the bad time and the date 99/13/15
    assert len(out) == 1 and out[0][3] is True


def test_lower_case_checksums():
    # magellan-ec10: 38 RMC (checksums like *4a) and 38 RMB (not decoded)
    _, r = _run(_log_chunks(fwtest.data_path(_GPSD + "magellan-ec10.log")))
    assert r.sentences == 38 and r.unknown == 38 and r.crc_fails == 0
    _, r = _run(_log_chunks(fwtest.data_path("nmea/pynmeagps/pygpsdata-nmea4lc.log")))
    assert r.crc_fails == 0 and r.sentences > 0


def test_sentences_without_checksum_are_counted():
    # README: sl869 has one sentence without a checksum, mtk-3301 three $POLYN lines
    _, r = _run(_log_chunks(fwtest.data_path(_GPSD + "sl869.log")))
    assert r.no_checksum == 1
    _, r = _run(_log_chunks(fwtest.data_path(_GPSD + "mtk-3301.log")))
    assert r.no_checksum == 3


def test_cut_off_last_sentence():
    # holux-gm-210's last GGA has no checksum and no CR LF: flush() refuses it
    _, r = _run(_log_chunks(fwtest.data_path(_GPSD + "holux-gm-210.log")))
    assert r.no_checksum == 1


# ---- values ----------------------------------------------------------------------------


def test_accuracy_from_hdop_and_high_precision_coordinates():
    # Hand-computed: 4134.49795459 N = 41 + 34.49795459/60 = 41.5749659098 -> 415749659;
    # 09345.03431408 W = -(93 + 45.03431408/60) = -93.750571901 -> -937505719;
    # HDOP 0.9, DGPS (quality 2): UERE 2 m -> ceil(1.8) = 2 m; 0.148 kn = 7.6 cm/s -> 8.
    data = (
        b"$GNGGA,132819.60,4134.49795459,N,09345.03431408,W,2,10,0.9,278.161,M,"
        b"-31.442,M,6.6,0133*6A\r\n$GNRMC,132819.60,A,4134.49795459,N,09345.034314"
        b"08,W,0.148,124.888,180320,11.5985,E,D*3F\r\n"
    )
    out, _ = _run([data])
    f = out[0]
    assert f[0] == 1584538099 and f[1] == 600  # 2020-03-18T13:28:19.600Z
    assert f[4:7] == (415749659, -937505719, 27816)
    assert f[11:14] == (8, 12489, 2)


def test_date_from_reference_across_midnight():
    # An RMC dates the epoch 23:59:59 of 2015-04-13; the following GGA-only epochs at
    # 00:00:00 and 00:00:01 belong to 2015-04-14 (hand-computed Unix times).
    def gga(t):
        return _sentence(b"GPGGA," + t + b",4404.1306,N,12118.8515,W,1,10,0.98,1127.7,M,-19.6,M,,")

    rmc = _sentence(b"GPRMC,235959.000,A,4404.1306,N,12118.8515,W,0.03,225.97,130415,,,D")
    out, _ = _run([gga(b"235958.000"), rmc, gga(b"000000.000"), gga(b"000001.000")])
    assert [f[0] for f in out] == [None, 1428969599, 1428969600, 1428969601]


def test_mutated_log_never_raises():
    """Random byte changes in a real log, checksums recomputed on most lines so that the
    damage reaches the field decoders: feed() must count, never raise."""
    lines = list(_log_chunks(fwtest.data_path(_GPSD + "quectel-eg25-g-2.log")))
    alphabet = b"0123456789.,-*$ANSEWV\r\x00\xff"
    rnd = _Lcg(7)
    for _ in range(20):
        r = NmeaReader(lambda f: None)
        for line in lines:
            b = bytearray(line)
            for _ in range(rnd.next(4)):
                b[rnd.next(len(b))] = alphabet[rnd.next(len(alphabet))]
            star = b.find(b"*")
            if b[:1] == b"$" and star > 0 and rnd.next(5):
                cs = 0
                for c in b[1:star]:
                    cs ^= c
                b = b[:star] + b"*%02X\r\n" % cs
            r.feed(b)
        r.flush()
        assert r.callback_errors == 0
    assert r.sentences + r.unknown + r.bad_fields > 0


def test_gga_rmc_decoding_allocates_nothing():
    """Under micropython, heap_lock() makes any allocation raise MemoryError."""
    import micropython

    lines = [
        ln
        for ln in _log_chunks(fwtest.data_path(_GPSD + "mt3339.log"))
        if b"GGA" in ln or b"RMC" in ln
    ][:12]
    data = b"".join(lines)
    count = [0]

    def on_fix(f):
        count[0] += 1

    r = NmeaReader(on_fix)
    r.feed(data)  # warm up: first-time attribute and dict set-up
    before = r.sentences
    micropython.heap_lock()
    try:
        r.feed(data)
        r.feed(data)
    finally:
        micropython.heap_unlock()
    assert r.callback_errors == 0, r.last_error
    assert r.sentences - before == 24
    assert count[0] >= 12
