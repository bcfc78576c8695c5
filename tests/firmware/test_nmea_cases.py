"""gnss.nmea on the cases from public bug reports listed in issue 3, and the time rules.

Runs under CPython (pytest) and micropython (tests/firmware/mprun.py). Every sentence and
expected value is the issue's; Unix times are hand-computed in the comments
(days since 1970 x 86400 + seconds of the day).
"""

from gnss.nmea import NmeaReader
from gnss.sentence import MAX_LEN
from gnss.timefloor import BUILD_FLOOR_S


def _run(*lines, floor=None, ref=None):
    out = []
    r = NmeaReader(
        lambda f: out.append(
            (f.time_s, f.time_ms, f.tod_ms, f.valid, f.lat_e7, f.lon_e7, f.stale, f.mode)
        )
    )
    if floor is not None:
        r.set_time_floor(floor)
    if ref is not None:
        r.set_time_ref(ref)
    for line in lines:
        r.feed(line + b"\r\n")
    r.flush()
    assert r.callback_errors == 0, r.last_error
    return out, r


def _sentence(body):
    cs = 0
    for c in body:
        cs ^= c
    return b"$" + body + b"*%02X" % cs


def _rejections(r):
    c = r.counts()
    return sum(v for k, v in c.items() if k not in ("started", "sentences", "noise_bytes"))


def test_checksum_00_is_a_checksum():
    out, r = _run(b"$GPRMC,173138.000,A,4807.0384,N,01131.0000,E,000.0,000.0,170318,000.0,E,A*00")
    assert r.sentences == 1 and r.crc_fails == 0
    # 2018-03-17: 17607 days (17532 to 2018-01-01, + 31 + 28 + 16) x 86400 = 1521244800,
    # + 17:31:38 (63098 s) = 1521307898
    # 48 + 7.0384/60 = 48.11730667 -> 481173067; 11 + 31/60 = 11.51666667 -> 115166667
    assert out == [(1521307898, 0, 63098000, True, 481173067, 115166667, False, 2)]


def test_truncated_gga_is_rejected_and_the_last_fix_kept():
    good = _sentence(b"GPGGA,123518,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
    out, r = _run(good, b"$GPGGA,123519,4807.038,N,01131.000,E,1,08*77")
    assert r.sentences == 1 and r.too_short == 1 and r.crc_fails == 0
    # one epoch, the good one's (12:35:18 = 45318 s): the short one neither opened an
    # epoch nor changed it; 48 + 7.038/60 = 48.1173 -> 481173000
    assert len(out) == 1
    assert out[0][2:6] == (45318000, True, 481173000, 115166667)


def test_hemisphere_sign_near_the_equator_and_the_meridian():
    out, _ = _run(b"$GPGGA,120000.00,0015.0000,S,00030.0000,E,1,08,0.9,10.0,M,0.0,M,,*75")
    # 15' S = -0.25 deg, 30' E = +0.5 deg
    assert out[0][4:6] == (-2500000, 5000000)


def test_gn_talker_decodes_like_gp():
    gn = b"$GNRMC,083559.00,A,4807.0380,N,01131.0000,E,0.004,77.52,091202,,,A*4B"
    gp = _sentence(b"GPRMC,083559.00,A,4807.0380,N,01131.0000,E,0.004,77.52,091202,,,A")
    out_gn, _ = _run(gn)
    out_gp, _ = _run(gp)
    assert out_gn == out_gp
    # 2002-12-09: 12030 days (11688 to 2002-01-01, + 334 + 8) x 86400 = 1039392000,
    # + 08:35:59 (30959 s) = 1039422959; 48 + 7.038/60 = 48.1173
    assert out_gn[0][0] == 1039422959
    assert out_gn[0][4:6] == (481173000, 115166667)


def test_overrun_splice_is_discarded():
    out, r = _run(
        b"$GPRMC,123519,A,4807.038,N,01131.0$GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,"
        b"545.4,M,46.9,M,,*4D"
    )
    assert r.truncated == 1 and r.sentences == 1 and r.crc_fails == 0
    assert out[0][2:4] == (45320000, True)  # 12:35:20


def test_week_rollover_corrected_against_the_floor():
    rmc = b"$GPRMC,101500.00,A,4807.0380,N,01131.0000,E,0.00,0.00,141000,,,A*5D"
    # a trusted floor in 2024 (2024-06-01T00:00:00Z)
    out, r = _run(rmc, floor=1717200000)
    # 2000-10-14 + 1024 weeks (7168 days) = 2020-05-30; 2020-05-30T10:15:00Z:
    # 18412 days (18262 to 2020-01-01, + 31 + 29 + 31 + 30 + 29) x 86400 = 1590796800
    # + 36900 s = 1590833700
    assert out[0][0] == 1590833700 and out[0][3] is True
    assert r.rollovers == 1
    # without a floor the date is the receiver's: 2000-10-14 (11244 days) -> 971518500
    out, r = _run(rmc)
    assert out[0][0] == 971518500 and r.rollovers == 0


def test_empty_rmc_invents_nothing():
    out, r = _run(b"$GPRMC,,V,,,,,,,,,,N*53")
    assert r.sentences == 1
    assert out == [(None, None, None, False, None, None, False, 1)]


def test_gga_after_midnight_takes_the_next_day():
    gga = b"GPGGA,%s,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"
    rmc = b"GPRMC,%s,A,4807.038,N,01131.000,E,0.0,0.0,%s,,,A"
    lines = (
        _sentence(gga % b"235901"),
        _sentence(rmc % (b"235901", b"010124")),
        _sentence(gga % b"000001"),
        _sentence(rmc % (b"000001", b"020124")),
    )
    # 2024-01-01: 19723 days x 86400 = 1704067200; + 23:59:01 = 1704153541;
    # 2024-01-02T00:00:01Z = 1704153600 + 1 = 1704153601
    out, _ = _run(*lines)
    assert [f[0] for f in out] == [1704153541, 1704153601]
    # the same when the second RMC never comes: the date nearest the reference
    out, _ = _run(*lines[:3])
    assert [f[0] for f in out] == [1704153541, 1704153601]


def test_status_v_is_never_valid():
    rmc = _sentence(b"GPRMC,101500.00,V,4807.0380,N,01131.0000,E,0.00,0.00,141024,,,N")
    gga = _sentence(b"GPGGA,101500.00,4807.0380,N,01131.0000,E,1,08,0.9,545.4,M,46.9,M,,")
    out, _ = _run(gga, rmc)
    assert len(out) == 1 and out[0][3] is False and out[0][7] == 1


def test_fix_older_than_the_time_reference_loses_time_and_validity():
    # 2024-10-14T10:15:00Z (1728900900): 20010 days (19723 to 2024-01-01, + 287) x 86400
    # + 36900 s
    rmc = _sentence(b"GPRMC,101500.00,A,4807.0380,N,01131.0000,E,0.00,0.00,141024,,,A")
    out, r = _run(rmc, ref=1728900900 + 4)  # network time 4 s later: this fix is old
    assert out[0][0] is None and out[0][3] is False and out[0][6] is True
    assert r.stale == 1
    out, r = _run(rmc, ref=1728900900 + 3)  # within STALE_MS (3 s): current
    assert out[0][0] == 1728900900 and out[0][3] is True and r.stale == 0
    # the build-date floor alone does not make it stale (it only anchors the rollover)
    out, r = _run(rmc, floor=BUILD_FLOOR_S)
    assert out[0][0] == 1728900900 and r.stale == 0 and r.rollovers == 0


def test_receiver_default_date_never_reaches_the_wire():
    # a cold receiver's clock: 2000-01-01 (MicroPython's epoch) or 1980-01-06 (GPS's),
    # after the app learnt the network time (2026-12-01T00:00:00Z)
    for date in (b"010100", b"060180"):
        rmc = _sentence(b"GPRMC,000012.00,A,4807.0380,N,01131.0000,E,0.00,0.00," + date + b",,,A")
        out, _ = _run(rmc, floor=BUILD_FLOOR_S, ref=BUILD_FLOOR_S)
        assert out[0][0] is None and out[0][3] is False, out


def test_a_repeated_old_fix_is_stale():
    def rmc(t):
        return _sentence(b"GPRMC," + t + b",A,4807.0380,N,01131.0000,E,0.00,0.00,141024,,,A")

    # 10:15:00, 10:15:01, then 10:14:50 again (11 s back), then 10:15:02
    out, r = _run(rmc(b"101500"), rmc(b"101501"), rmc(b"101450"), rmc(b"101502"))
    assert [f[3] for f in out] == [True, True, False, True]
    assert [f[6] for f in out] == [False, False, True, False]
    assert r.stale == 1
    # a step back within STALE_MS (2 s) is jitter, not staleness
    out, r = _run(rmc(b"101500"), rmc(b"101502"), rmc(b"101501"))
    assert r.stale == 0


def test_lower_case_hex_and_no_checksum():
    body = b"GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"
    out, r = _run(
        _sentence(body)
        .lower()
        .replace(b"$gpgga", b"$GPGGA")
        .replace(b",n,", b",N,")
        .replace(b",e,", b",E,")
        .replace(b",m,", b",M,"),
        b"$" + body,
    )
    assert r.sentences == 1 and r.no_checksum == 1


def test_every_rejection_is_counted():
    good = _sentence(b"GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
    lines = (
        good,
        good[:-1] + b"0",  # crc_fails (the checksum is 4D)
        good[:-3],  # no_checksum
        b"$GPGGA,123519,4807.038,N,01131.000,E,1,08*77",  # too_short
        _sentence(b"GPGGA,12x520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),  # bad
        good[:20] + b"\x01" + good[20:],  # non_printable
        good[:-3] + b"," * 100 + b"*00",  # too_long
        good[:30] + good,  # truncated, then the good one again
        _sentence(b"PUBX,00"),  # unknown
        b"\xb5\x62\x01\x07\x00\x00",  # UBX bytes between sentences: noise
    )
    out, r = _run(*lines)
    c = r.counts()
    assert c["sentences"] == 2 and c["crc_fails"] == 1 and c["no_checksum"] == 1
    assert c["too_short"] == 1 and c["bad_fields"] == 1 and c["non_printable"] == 1
    assert c["too_long"] == 1 and c["truncated"] == 1 and c["unknown"] == 1
    # noise: the rest of the line after its non-printable byte (good[20:]); after the
    # 120th byte of the long line (MAX_LEN) its byte 121 is refused and the rest, up to
    # CR LF, is noise; and the 6 UBX bytes
    assert c["noise_bytes"] == (len(good) - 20) + (len(lines[6]) - (MAX_LEN + 1)) + 6
    assert c["started"] == c["sentences"] + _rejections(r) == 10


def test_accuracy_error_model():
    def gga(q, hdop):
        return _sentence(
            b"GPGGA,101500.00,4807.038,N,01131.000,E," + q + b",08," + hdop + b",545.4,M,46.9,M,,"
        )

    acc = []
    r = NmeaReader(lambda f: acc.append(f.acc_m))
    gsa = _sentence(b"GPGSA,A,3,01,02,03,04,,,,,,,,,2.0,1.3,1.5")
    gst = _sentence(b"GPGST,101500.00,1.0,2.0,1.0,45.0,3.0,4.0,5.0")
    for lines in (
        (gga(b"1", b"0.9"),),  # HDOP 0.9 x UERE 5 m = 4.5 -> 5
        (gga(b"2", b"0.9"),),  # DGPS: 0.9 x 2 m = 1.8 -> 2
        (gga(b"4", b"0.9"),),  # RTK fixed: 0.9 x 0.1 m = 0.09 -> at least 1
        (gga(b"1", b""), gsa),  # no GGA HDOP: GSA's 1.3 x 5 m = 6.5 -> 7
        (gga(b"1", b"0.9"), gst),  # GST: sqrt(3^2 + 4^2) = 5 m, whatever the HDOP
        (gga(b"0", b"0.9"),),  # no fix: no accuracy
    ):
        for line in lines:
            r.feed(line + b"\r\n")
        r.flush()
    assert acc == [5, 2, 1, 7, 5, None]


def test_absurd_values_with_valid_checksums_are_rejected():
    rmc = b"GPRMC,101500.00,A,4807.0380,N,01131.0000,E,0.00,0.00,%s,,,A"
    gga = b"GPGGA,120000.00,%s,N,%s,E,%s,08,%s,10.0,M,0.0,M,,"
    zda = b"GPZDA,101500.00,14,10,%s,00,00"
    bad = (
        rmc % b"310299",  # 31 February 1999: no such day
        rmc % b"290223",  # 29 February 2023: 2023 is not a leap year
        rmc % b"310424",  # 31 April: April has 30 days
        b"GPRMC,256060.00,A,4807.0380,N,01131.0000,E,0.00,0.00,141024,,,A",  # 25:60:60
        b"GPRMC,101500.00,A,4807.0380,N,01131.0000,E,-1.0,0.00,141024,,,A",  # speed < 0
        gga % (b"9999.0000", b"01131.000", b"1", b"0.9"),  # 99 deg 99 min
        gga % (b"9000.0001", b"01131.000", b"1", b"0.9"),  # beyond the pole
        gga % (b"4807.038", b"18000.0001", b"1", b"0.9"),  # beyond 180 E
        gga % (b"4807.038", b"01131.000", b"99999999999999999", b"0.9"),  # quality: 1 digit
        gga % (b"4807.038", b"01131.000", b"1", b"-0.9"),  # HDOP < 0
        gga % (b"4807.038", b"01131.000", b"1", b"99999999999.9"),  # not a small int
        zda % b"99999999999",  # a year beyond any array or small int
        zda % b"",  # a day and month without a year: no year 0 invented
        zda % b"24",  # a 2-digit year: not the 4 digits ZDA has
    )
    out, r = _run(*[_sentence(b) for b in bad])
    assert out == [] and r.bad_fields == len(bad) and r.sentences == 0
    assert r.started == len(bad)
    # the edges are accepted: the poles and 180 E, and 29 February of a leap year
    # 2024-02-29: 19723 days to 2024-01-01 + 31 + 28 = 19782 x 86400 = 1709164800, + 36900 s
    out, r = _run(
        _sentence(rmc % b"290224"),
        _sentence(gga % (b"9000.0000", b"18000.0000", b"1", b"0.9")),
        _sentence(zda % b"2024"),
    )
    assert r.sentences == 3 and r.bad_fields == 0
    assert out[0][0] == 1709201700
    assert out[1][4:6] == (900000000, 1800000000)


def test_a_checksum_without_an_address_is_too_short():
    # 'G' ^ 'P' = 0x47 ^ 0x50 = 0x17: a right checksum, no room for talker and type
    out, r = _run(b"$GP*17", b"$*00", b"$,*2C")
    assert out == [] and r.too_short == 3 and r.crc_fails == 0 and r.started == 3
