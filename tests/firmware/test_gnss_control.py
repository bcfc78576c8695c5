"""Receiver control commands (gnss/control*.py): the complete bytes on the wire.

Runs under CPython (pytest) and micropython (tests/firmware/mprun.py). Expected bytes are
strings published with their checksums in receiver manuals and widely used drivers, as
each group says (MTK's PMTK manual and Adafruit_GPS; Quectel L76K / CASIC examples; u-blox
u-center captures and the UBX-ACK frames in the `ublox` crate's tests). Where no published
string exists, the frame is assembled by hand in the test from the manual's layout and its
checksum computed with a different formula from the firmware's (see _fletcher).
"""

import fwtest
from gnss.control import (
    OUT_GGA,
    OUT_GLL,
    OUT_GSA,
    OUT_GST,
    OUT_GSV,
    OUT_RMC,
    OUT_VTG,
    make_control,
)
from gnss.control_ubx import UbxAckReader


class _Port:
    """Stands in for board.gnss_write: keeps what was written, one entry per command."""

    def __init__(self):
        self.sent = []

    def write(self, data):
        self.sent.append(bytes(data))


def _control(kind):
    port = _Port()
    return make_control(kind, port.write), port


def _one(kind, method, *args):
    ctl, port = _control(kind)
    n = getattr(ctl, method)(*args)
    assert len(port.sent) == 1, port.sent
    assert n == len(port.sent[0])
    return port.sent[0]


def _hex(text):
    return bytes(int(h, 16) for h in text.split())


def _fletcher(body):
    # Closed form of the 8-bit Fletcher sum over n bytes: CK_A = sum(b_i),
    # CK_B = sum((n - i) * b_i), both mod 256 (not the running sums the firmware uses).
    n = len(body)
    a = sum(body) % 256
    b = sum((n - i) * body[i] for i in range(n)) % 256
    return bytes((a, b))


def _ubx(cls, msg_id, payload):
    body = bytes((cls, msg_id, len(payload) & 0xFF, len(payload) >> 8)) + payload
    return b"\xb5\x62" + body + _fletcher(body)


# ---- MTK: PMTK (Adafruit_GPS's PMTK_* strings; MTK manual's PMTK225 and PMTK000 samples) ----


def test_pmtk_rate_strings():
    assert _one("pmtk", "set_rate", 1000) == b"$PMTK220,1000*1F\r\n"
    assert _one("pmtk", "set_rate", 500) == b"$PMTK220,500*2B\r\n"
    assert _one("pmtk", "set_rate", 200) == b"$PMTK220,200*2C\r\n"
    assert _one("pmtk", "set_rate", 100) == b"$PMTK220,100*2F\r\n"
    assert _one("pmtk", "set_rate", 5000) == b"$PMTK220,5000*1B\r\n"
    assert _one("pmtk", "set_rate", 10000) == b"$PMTK220,10000*2F\r\n"


def test_pmtk_output_strings():
    def pmtk314(first_six, checksum):
        return b"$PMTK314," + first_six + b",0,0,0,0,0,0,0,0,0,0,0,0,0*" + checksum + b"\r\n"

    assert _one("pmtk", "set_output", OUT_RMC | OUT_GGA) == pmtk314(b"0,1,0,1,0,0", b"28")
    assert _one("pmtk", "set_output", OUT_RMC) == pmtk314(b"0,1,0,0,0,0", b"29")
    assert _one("pmtk", "set_output", OUT_GLL) == pmtk314(b"1,0,0,0,0,0", b"29")
    assert _one("pmtk", "set_output", OUT_VTG) == pmtk314(b"0,0,1,0,0,0", b"29")
    every = OUT_GLL | OUT_RMC | OUT_VTG | OUT_GGA | OUT_GSA | OUT_GSV
    assert _one("pmtk", "set_output", every) == pmtk314(b"1,1,1,1,1,1", b"28")


def test_pmtk_power_strings():
    assert _one("pmtk", "sleep") == b"$PMTK161,0*28\r\n"
    assert _one("pmtk", "leave_power_save") == b"$PMTK225,0*2B\r\n"
    assert _one("pmtk", "enter_power_save") == b"$PMTK225,8*23\r\n"
    assert _one("pmtk", "periodic", 3000, 12000, 18000, 72000) == (
        b"$PMTK225,2,3000,12000,18000,72000*15\r\n")
    assert _one("pmtk", "wake") == b"$PMTK000*32\r\n"


# ---- Quectel L76K / CASIC: PCAS (strings published in L76K and AT6558 drivers) ------------


def test_pcas_rate_strings():
    assert _one("pcas", "set_rate", 1000) == b"$PCAS02,1000*2E\r\n"
    assert _one("pcas", "set_rate", 500) == b"$PCAS02,500*1A\r\n"
    assert _one("pcas", "set_rate", 200) == b"$PCAS02,200*1D\r\n"
    assert _one("pcas", "set_rate", 100) == b"$PCAS02,100*1E\r\n"


def test_pcas_output_strings():
    gga_rmc = OUT_GGA | OUT_RMC
    assert _one("pcas", "set_output", gga_rmc) == b"$PCAS03,1,0,0,0,1,0,0,0,0,0,,,0,0*02\r\n"
    assert _one("pcas", "set_output", OUT_RMC) == b"$PCAS03,0,0,0,0,1,0,0,0,0,0,,,0,0*03\r\n"
    assert _one("pcas", "set_output", 0) == b"$PCAS03,0,0,0,0,0,0,0,0,0,0,,,0,0*02\r\n"


def test_pcas_power_strings():
    assert _one("pcas", "sleep") == b"$PCAS12,65535*1E\r\n"
    assert _one("pcas", "wake") == b"$PCAS06,0*1B\r\n"
    ctl, port = _control("pcas")
    # No cyclic power-save command in the L76K's protocol: nothing sent, counted.
    assert ctl.enter_power_save() == 0 and ctl.leave_power_save() == 0
    assert port.sent == [] and ctl.unsupported == 2


# ---- u-blox M8: UBX (u-center captures, published in many drivers) --------------------------


def test_ubx_m8_rate_frames():
    assert _one("ubx_m8", "set_rate", 1000) == _hex("B5 62 06 08 06 00 E8 03 01 00 01 00 01 39")
    assert _one("ubx_m8", "set_rate", 500) == _hex("B5 62 06 08 06 00 F4 01 01 00 01 00 0B 77")
    assert _one("ubx_m8", "set_rate", 100) == _hex("B5 62 06 08 06 00 64 00 01 00 01 00 7A 12")
    assert _one("ubx_m8", "set_rate", 10000) == _hex("B5 62 06 08 06 00 10 27 01 00 01 00 4D DD")


def test_ubx_m8_output_frames():
    ctl, port = _control("ubx_m8")
    ctl.set_output(OUT_GGA | OUT_RMC)
    assert port.sent == [
        _hex("B5 62 06 01 03 00 F0 00 01 FB 10"),  # GGA on
        _hex("B5 62 06 01 03 00 F0 01 00 FB 11"),  # GLL off
        _hex("B5 62 06 01 03 00 F0 02 00 FC 13"),  # GSA off
        _hex("B5 62 06 01 03 00 F0 03 00 FD 15"),  # GSV off
        _hex("B5 62 06 01 03 00 F0 04 01 FF 18"),  # RMC on
        _hex("B5 62 06 01 03 00 F0 05 00 FF 19"),  # VTG off
        _hex("B5 62 06 01 03 00 F0 07 00 01 1D"),  # GST off
        _ubx(0x06, 0x01, b"\xf0\x08\x00"),  # ZDA off (no published capture found)
    ]
    assert ctl.commands_sent == 8 and ctl.bytes_sent == 88


def test_ubx_m8_power_frames():
    assert _one("ubx_m8", "enter_power_save") == _hex("B5 62 06 11 02 00 08 01 22 92")
    assert _one("ubx_m8", "leave_power_save") == _hex("B5 62 06 11 02 00 08 00 21 91")
    assert _one("ubx_m8", "sleep") == _hex("B5 62 02 41 08 00 00 00 00 00 02 00 00 00 4D 3B")
    assert _one("ubx_m8", "wake") == b"\xff" * 8


# ---- u-blox M10: CFG-VALSET ------------------------------------------------------------------


def test_ubx_m10_valset_frames():
    ctl, port = _control("ubx_m10")
    ctl.valset_u1(0x209100BB, 0)  # CFG-MSGOUT-NMEA_ID_GGA_UART1 = 0
    ctl.valset_u1(0x209100B6, 1)  # CFG-MSGOUT-NMEA_ID_GNS_UART1 = 1
    ctl.valset_u1(0x20910009, 1)  # CFG-MSGOUT-UBX_NAV_PVT_USB = 1
    ctl.set_rate(250)  # CFG-RATE-MEAS = 250 ms
    assert port.sent == [
        _hex("B5 62 06 8A 09 00 00 01 00 00 BB 00 91 20 00 06 CB"),
        _hex("B5 62 06 8A 09 00 00 01 00 00 B6 00 91 20 01 02 B3"),
        _hex("B5 62 06 8A 09 00 00 01 00 00 09 00 91 20 01 55 52"),
        _hex("B5 62 06 8A 0A 00 00 01 00 00 01 00 21 30 FA 00 E7 E5"),
    ]


def test_ubx_m10_output_and_power_frames():
    head = b"\x00\x01\x00\x00"  # version 0, RAM layer, reserved
    # Keys little-endian (CFG-MSGOUT-NMEA_ID_xxx_UART1), one U1 rate each.
    keys = (b"\xbb", b"\xca", b"\xc0", b"\xc5", b"\xac", b"\xb1", b"\xd4", b"\xd9")
    rates = (1, 0, 1, 1, 1, 0, 1, 0)  # GGA GLL GSA GSV RMC VTG GST ZDA
    body = b"".join(keys[i] + b"\x00\x91\x20" + bytes((rates[i],)) for i in range(8))
    mask = OUT_GGA | OUT_GSA | OUT_GSV | OUT_RMC | OUT_GST
    assert _one("ubx_m10", "set_output", mask) == _ubx(0x06, 0x8A, head + body)
    # CFG-PM-OPERATEMODE (0x20D00001): 2 = PSMCT, 0 = FULL.
    assert _one("ubx_m10", "enter_power_save") == _ubx(0x06, 0x8A, head + b"\x01\x00\xd0\x20\x02")
    assert _one("ubx_m10", "leave_power_save") == _ubx(0x06, 0x8A, head + b"\x01\x00\xd0\x20\x00")
    # RXM-PMREQ v0: duration 0, flags backup|force (0x06), wakeupSources UART RX (0x08).
    pmreq = b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00" + b"\x06\x00\x00\x00" + b"\x08\x00\x00\x00"
    assert _one("ubx_m10", "sleep") == _ubx(0x02, 0x41, pmreq)


def test_fletcher_formula_agrees_on_published_frames():
    # The test's own checksum, checked on published frames before it is trusted above.
    for frame in (
        _hex("B5 62 06 08 06 00 E8 03 01 00 01 00 01 39"),
        _hex("B5 62 02 41 08 00 00 00 00 00 02 00 00 00 4D 3B"),
        _hex("B5 62 06 8A 0A 00 00 01 00 00 01 00 21 30 FA 00 E7 E5"),
    ):
        assert _fletcher(frame[2:-2]) == frame[-2:]


def test_unknown_kind_is_a_clear_error():
    try:
        make_control("sirf", _Port().write)
    except ValueError as e:
        assert "sirf" in str(e)
    else:
        raise AssertionError("no error for an unknown receiver kind")


# ---- UBX-ACK in the receiver's stream ------------------------------------------------------

_ACK_CFG_MSG = _hex("B5 62 05 01 02 00 06 01 0F 38")  # ublox crate: FULL_ACK_ACK_PACK
_NAK_CFG_MSG = _hex("B5 62 05 00 02 00 06 01 0E 33")  # u-blox AlpSrv sample: NAK of CFG-MSG


def test_ack_and_nak_between_nmea_lines_in_any_chunking():
    rmc = b"$GNRMC,083559.00,A,4807.0380,N,01131.0000,E,0.004,77.52,091202,,,A*4B\r\n"
    stream = rmc + _ACK_CFG_MSG + rmc[:20] + _NAK_CFG_MSG + rmc
    for size in (1, 3, 7, len(stream)):
        r = UbxAckReader()
        r.expect(0x06, 0x01)
        seen = []
        for i in range(0, len(stream), size):
            r.feed(stream[i : i + size])
            seen.append(r.result)
        assert r.acks == 1 and r.naks == 1 and r.bad_checksum == 0
        if size < 20:  # a chunk boundary fell between the ACK and the NAK
            assert True in seen
        assert r.result is False


def test_ack_for_another_command_leaves_result_unset():
    r = UbxAckReader()
    r.expect(0x06, 0x8A)
    r.feed(_ACK_CFG_MSG)
    assert r.acks == 1 and r.result is None


def test_corrupted_ack_is_counted_not_taken():
    bad = bytearray(_ACK_CFG_MSG)
    bad[7] ^= 0x01  # the acknowledged id
    r = UbxAckReader()
    r.expect(0x06, 0x01)
    r.feed(bad)
    r.feed(_ACK_CFG_MSG)
    assert r.bad_checksum == 1 and r.acks == 1 and r.result is True


def test_real_mixed_ubx_nmea_stream():
    # pynmeagps's capture of an M9-class receiver: NMEA with NAV-PVT and NAV-SAT frames in
    # between (4 UBX frames, counted with a hex viewer: B5 62 01 07 x2, B5 62 01 35 x2).
    path = fwtest.data_path("nmea/pynmeagps/pygpsdata-mixed.log")
    r = UbxAckReader()
    r.expect(0x06, 0x01)
    with open(path, "rb") as f:
        data = f.read()
    r.feed(data)
    assert r.other_frames == 4 and r.bad_checksum == 0 and r.acks == 0
    # The same stream with an ACK spliced in after its first NAV-PVT.
    cut = data.find(b"\xb5\x62\x01\x07") + 8 + 92
    r2 = UbxAckReader()
    r2.expect(0x06, 0x01)
    r2.feed(data[:cut] + _ACK_CFG_MSG + data[cut:])
    assert r2.result is True and r2.other_frames == 4 and r2.bad_checksum == 0


# ---- through the board layer -----------------------------------------------------------------


def test_unix_board_writes_commands_beside_a_file_source():
    from board.unix import Board

    d = fwtest.tmpdir("gnssctl")
    try:
        log = d + "/rx.nmea"
        with open(log, "wb") as f:
            f.write(b"$GPRMC,,V,,,,,,,,,,N*53\r\n")
        board = Board(fs=d, gnss="file:" + log, gnss_kind="pcas", gnss_tx=d + "/tx.bin")
        board.open_gnss().close()
        ctl = board.gnss_control()
        ctl.set_rate(1000)
        ctl.set_output(OUT_GGA | OUT_RMC)
        with open(d + "/tx.bin", "rb") as f:
            sent = f.read()
        assert sent == b"$PCAS02,1000*2E\r\n$PCAS03,1,0,0,0,1,0,0,0,0,0,,,0,0*02\r\n"
        assert board.gnss_tx_bytes == len(sent)
    finally:
        fwtest.rmtree(d)
