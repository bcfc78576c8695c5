"""The modem driver (bring-up, upload, recovery per fault kind) against scripted modems."""

import json

from cellular.modem import DATA_READY, FAILED, SEARCHING, Modem, ModemUplink, make_dialect
from fakemodem import (
    ACK,
    BASE,
    OK,
    PATH,
    URL,
    Data,
    FakeModem,
    Later,
    asc,
    channel,
    simcom_bring_up,
    simcom_upload,
)


def make(script, dialect="simcom", power=None, chunk=7):
    ch, fake, clock = channel(script, chunk)
    modem = Modem(ch, make_dialect(dialect, ch), power, url=URL, reg_timeout_ms=10000)
    return modem, ch, fake, clock



def test_simcom_upload_three_round_trips_after_bring_up():
    body = bytes(range(200))
    script = simcom_bring_up() + simcom_upload(200, 200, ACK) + simcom_upload(200, 200, ACK)
    modem, ch, fake, _ = make(script)
    up = ModemUplink(modem, BASE)
    assert up.post(PATH, memoryview(body)) == (200, json.loads(ACK))
    assert modem.state == DATA_READY
    before = len(fake.sent)
    assert up.post(PATH, body)[0] == 200
    assert len(fake.sent) - before == 3  # HTTPDATA, HTTPACTION, HTTPREAD: URL set once
    assert fake.data == [body, body]
    assert not fake.script and ch.garbage_lines == 0


QUECTEL_BRING_UP = [
    (b"AT", OK), (b"ATE0", OK), (b"AT+CMEE=1", OK),
    (b"AT+CPIN?", b"\r\n+CPIN: READY\r\n" + OK),
    (b"AT+CEREG?", b"\r\n+CEREG: 0,5\r\n" + OK),
    (b'AT+QICSGP=1,1,"internet","","",1', OK), (b"AT+QIACT=1", OK),
    (b'AT+QHTTPCFG="contextid",1', OK), (b'AT+QHTTPCFG="contenttype",2', OK),
    (asc("AT+QHTTPURL=%d,80" % len(URL)), [b"\r\nCONNECT\r\n", Data(len(URL)), OK]),
]


def test_quectel_upload():
    body = b"\x01" * 150
    script = QUECTEL_BRING_UP + [
        (b"AT+QHTTPPOST=150,80,80", [b"\r\nCONNECT\r\n", Data(150), OK,
                                     Later(asc("\r\n+QHTTPPOST: 0,409,%d\r\n" % len(ACK)))]),
        (b"AT+QHTTPREAD=80",
         [b"\r\nCONNECT\r\n" + ACK + b"\r\nOK\r\n", Later(b"\r\n+QHTTPREAD: 0\r\n")]),
    ]
    modem, ch, fake, _ = make(script, "quectel")
    status, answer = ModemUplink(modem, BASE).post(PATH, body)
    assert (status, answer["ack_seq"]) == (409, 60)  # a host answer comes back as it is
    assert fake.data == [URL.encode(), body]


def test_quectel_negative_length_is_a_transport_failure():
    # `+QHTTPPOST: 0,200,-5`: the manual's <content_length> is a byte count (>= 0), so the
    # line is unreadable: OSError (the records stay queued), no AT+QHTTPREAD sent, and the
    # next upload reads its whole answer into the same raw buffer.
    def post(n, result):
        return (asc("AT+QHTTPPOST=%d,80,80" % n), [b"\r\nCONNECT\r\n", Data(n), OK,
                                                   Later(result)])

    script = QUECTEL_BRING_UP + [
        post(3, b"\r\n+QHTTPPOST: 0,200,-5\r\n"),
    ] + QUECTEL_BRING_UP + [  # the whole bring-up is redone after a failed upload
        post(3, asc("\r\n+QHTTPPOST: 0,200,%d\r\n" % len(ACK))),
        (b"AT+QHTTPREAD=80",
         [b"\r\nCONNECT\r\n" + ACK + b"\r\nOK\r\n", Later(b"\r\n+QHTTPREAD: 0\r\n")]),
    ]
    modem, ch, fake, _ = make(script, "quectel")
    up = ModemUplink(modem, BASE)
    raw_size = len(ch.raw)
    try:
        up.post(PATH, b"abc")
        raise AssertionError("a negative length must raise")
    except OSError as e:
        assert "-5" in str(e)
    assert modem.upload_failures == 1 and len(ch.raw) == raw_size
    assert up.post(PATH, b"abc") == (200, json.loads(ACK))
    assert not fake.script


def test_sim_busy_is_retried_after_a_second():
    script = simcom_bring_up()
    script[3:3] = [(b"AT+CPIN?", b"\r\n+CME ERROR: 14\r\n")]
    modem, _, fake, clock = make(script)
    modem.ensure_ready()
    assert modem.state == DATA_READY and modem.retries == 1 and clock.now >= 1000


def test_sim_absent_is_permanent_and_backs_off():
    script = simcom_bring_up()[:3] + [(b"AT+CPIN?", b"\r\n+CME ERROR: SIM not inserted\r\n")]
    modem, _, fake, _ = make(script)
    try:
        modem.ensure_ready()
        raise AssertionError("no failure")
    except OSError as e:
        assert "SIM absent" in str(e)
    assert (modem.state, modem.reason) == (FAILED, "SIM absent")
    sent = len(fake.sent)
    try:
        modem.ensure_ready()  # within the backoff: no command goes out
    except OSError:
        pass
    assert len(fake.sent) == sent


def test_bare_error_leads_to_cmee_and_one_retry():
    script = simcom_bring_up()
    script[4:4] = [(b"AT+CEREG?", b"\r\nERROR\r\n"), (b"AT+CMEE=1", OK)]
    modem, _, fake, _ = make(script)
    modem.ensure_ready()
    assert modem.state == DATA_READY and modem.retries == 1


def test_registration_denied_fails():
    script = simcom_bring_up()[:4] + [(b"AT+CEREG?", b"\r\n+CEREG: 0,3\r\n" + OK),
                                      (b"AT+CREG?", b"\r\n+CREG: 0,3\r\n" + OK)]
    modem, _, _, _ = make(script)
    try:
        modem.ensure_ready()
    except OSError:
        pass
    assert (modem.state, modem.reason) == (FAILED, "registration denied")


def test_searching_then_registered():
    script = simcom_bring_up()
    script[4:4] = [(b"AT+CEREG?", b"\r\n+CEREG: 0,2\r\n" + OK),
                   (b"AT+CREG?", b"\r\n+CREG: 0,2\r\n" + OK)]
    modem, _, _, clock = make(script)
    modem.ensure_ready()
    assert modem.state == DATA_READY and clock.now >= 1000


def test_module_transport_error_then_recheck():
    # +HTTPACTION: 1,603,0 (DNS) and 1,714,0: no body read, OSError, modem re-checked
    body = b"x" * 10
    fail = simcom_upload(10, 603, b"")[:2]
    recheck = [(b"AT", OK), (b"ATE0", OK), (b"AT+CMEE=1", OK),
               (b"AT+CPIN?", b"\r\n+CPIN: READY\r\n" + OK),
               (b"AT+CEREG?", b"\r\n+CEREG: 0,1\r\n" + OK),
               (b'AT+CGDCONT=1,"IP","internet"', OK), (b"AT+CGACT=1,1", OK),
               (b"AT+HTTPINIT", b"\r\nERROR\r\n"), (b"AT+HTTPTERM", OK), (b"AT+HTTPINIT", OK),
               (asc('AT+HTTPPARA="URL","%s"' % URL), OK),
               (b'AT+HTTPPARA="CONTENT","application/octet-stream"', OK)]
    script = simcom_bring_up() + fail + recheck + simcom_upload(10, 200, ACK)
    modem, _, fake, _ = make(script)
    up = ModemUplink(modem, BASE)
    try:
        up.post(PATH, body)
        raise AssertionError("603 must raise")
    except OSError as e:
        assert "603" in str(e)
    assert modem.upload_failures == 1
    assert up.post(PATH, body)[0] == 200
    assert not fake.script


def test_registration_lost_mid_upload():
    body = b"y" * 5
    script = simcom_bring_up() + [
        (b"AT+HTTPDATA=5,10000", [b"\r\nDOWNLOAD\r\n", Data(5), OK]),
        (b"AT+HTTPACTION=1", [OK, Later(b"\r\n+CEREG: 2\r\n"),
                              Later(b"\r\n+HTTPACTION: 1,714,0\r\n")]),
    ]
    modem, _, _, _ = make(script)
    try:
        ModemUplink(modem, BASE).post(PATH, body)
        raise AssertionError("714 must raise")
    except OSError:
        pass
    assert modem.state == SEARCHING and "registration lost" in modem.reason


class Power:
    """Board power stand-in: on() hands back a freshly booted module (echo on again)."""

    def __init__(self, script):
        self.script = script
        self.cycles = 0
        self.modem = None

    def on(self):
        self.cycles += 1
        self.modem = FakeModem(self.script)
        return self.modem

    def sleep(self, on):
        pass


def test_stuck_modem_is_power_cycled_and_echo_tolerated():
    after = [(b"AT", b"AT\r\r\nOK\r\n"), (b"ATE0", b"ATE0\r\r\nOK\r\n")] + simcom_bring_up()[2:]
    power = Power(after)
    modem, ch, fake, clock = make([(b"AT", None), (b"AT", None), (b"AT", None)], power=power)
    ch.stream = fake
    modem._powered = True  # it was running: only the silence triggers the power cycle
    modem.ensure_ready()
    assert modem.state == DATA_READY and power.cycles == 1 and modem.power_cycles == 1
    assert ch.timeouts == 3 and ch.echoes == 2


def test_network_time_signal_ids_and_cells():
    script = [
        (b"AT+CCLK?", b'\r\n+CCLK: "24/03/09,16:15:02-20"\r\n' + OK),
        (b"AT+CSQ", b"\r\n+CSQ: 31,99\r\n" + OK),
        (b"AT+CGSN", b"\r\n862708012345678\r\n" + OK),
        (b"AT+CICCID", b"\r\n+ICCID: 89860012345678901234\r\n" + OK),
    ]
    from cellular import info

    modem, _, _, _ = make(script)
    assert info.network_time(modem) == 1710018902
    assert info.signal_dbm(modem) == -51
    assert info.imei(modem) == "862708012345678"
    assert info.iccid(modem) == "89860012345678901234"
    cells = simcom_bring_up() + [(b"AT+CPSI?", b"\r\n+CPSI: LTE,Online,460-11,0x7764,"
                                 b"117148181,127,EUTRAN-BAND1,100,5,5,8,53,60,-4\r\n" + OK)]
    modem, _, _, _ = make(cells)
    assert modem.cells() == [(3, 0, 460, 11, 2, -88, 30564, 117148181, 100)]

