"""The AT channel against a scripted byte stream: final codes, URCs mid-response, chunking,
echo, garbage, timeouts, data prompts and raw binary answers. Cases from issue 4."""

from cellular.at_errors import CME, ERROR, TIMEOUT, AtError
from fakemodem import Data, Later, channel


def _raises(fn):
    try:
        fn()
    except AtError as e:
        return e
    raise AssertionError("no AtError")


def test_ok_with_intermediate_lines_across_chunks():
    for chunk in (1, 2, 3, 5, 64):
        ch, _, _ = channel([(b"AT+CSQ", b"\r\n+CSQ: 28,99\r\n\r\nOK\r\n")], chunk)
        assert ch.command("AT+CSQ", expect=b"+CSQ:") == [b"+CSQ: 28,99"]
        assert ch.garbage_lines == 0


def test_urc_inside_response_goes_to_listeners_once():
    # issue 4: AT+CIMI answered with a DST URC inside: the IMSI is the line, DST: 1 a URC.
    ch, _, _ = channel([(b"AT+CIMI", b"\r\nDST: 1\r\n\r\n001010123456789\r\n\r\nOK\r\n")])
    heard = []
    ch.add_listener(heard.append)
    assert ch.command("AT+CIMI") == [b"001010123456789"]
    assert heard == [b"DST: 1"]


def test_echo_left_on_is_dropped():
    # issue 4: `ATE0\r\r\nOK\r\n` from a module whose echo an earlier session left on
    ch, _, _ = channel([(b"ATE0", b"ATE0\r\r\nOK\r\n"),
                        (b"AT+QNWINFO", b"AT+QNWINFO\r\r\n+QNWINFO: \"EDGE\",\"732101\","
                                        b"\"GSM 1900\",583\r\n\r\nOK\r\n")])
    assert ch.command("ATE0") == []
    assert ch.command("AT+QNWINFO") == [b'+QNWINFO: "EDGE","732101","GSM 1900",583']
    assert ch.echoes == 2


def test_cme_numeric_and_verbose_mean_the_same():
    ch, _, _ = channel([(b"AT+CPIN?", b"\r\n+CME ERROR: 10\r\n"),
                        (b"AT+CPIN?", b"\r\n+CME ERROR: SIM not inserted\r\n"),
                        (b"AT+CPIN?", b"\r\n+CME ERROR: SIM failure\r\n")])
    a = _raises(lambda: ch.command("AT+CPIN?"))
    b = _raises(lambda: ch.command("AT+CPIN?"))
    c = _raises(lambda: ch.command("AT+CPIN?"))
    assert (a.kind, a.code, a.reason) == (CME, 10, "SIM not inserted")
    assert (b.kind, b.code) == (CME, 10) and a.sim_absent() and b.sim_absent()
    assert c.code == 13 and not c.sim_absent()


def test_bare_error_and_cms():
    ch, _, _ = channel([(b"AT+FOO", b"\r\nERROR\r\n"), (b"AT+CMGS*", b"\r\n+CMS ERROR: 500\r\n")])
    assert _raises(lambda: ch.command("AT+FOO")).kind == ERROR
    e = _raises(lambda: ch.command('AT+CMGS="1"'))
    assert (e.kind, e.code) == ("cms", 500)


def test_timeout_then_late_ok_is_counted_not_crashing():
    ch, _, clock = channel([(b"AT", None), (b"AT", b"\r\nOK\r\n")])
    e = _raises(lambda: ch.command("AT", 1000))
    assert e.kind == TIMEOUT and ch.timeouts == 1 and clock.now >= 1000
    assert ch.command("AT") == []


def test_garbage_is_logged_and_counted():
    ch, fake, _ = channel([(b"AT", b"\r\nOK\r\n")])
    ch.feed(b"\r\n\x00\xff\xfe junk\r\nhello there\r\n" + b"x" * 400 + b"\r\n")
    assert ch.garbage_lines == 3
    assert ch.command("AT") == []


def test_trailing_result_after_ok():
    # issue 4: `+HTTPACTION:0,200,7438` without a space, trailing the command's OK
    ch, _, _ = channel([(b"AT+HTTPACTION=0",
                         [b"\r\nOK\r\n", Later(b"\r\n+HTTPACTION:0,200,7438\r\n")])])
    ch.command("AT+HTTPACTION=0", then=b"+HTTPACTION:")
    assert ch.wait_urc(b"+HTTPACTION:", 60000) == b"+HTTPACTION:0,200,7438"


def test_netopen_outcome_awaited_with_own_timeout():
    ch, _, clock = channel([(b"AT+NETOPEN", [b"\r\nOK\r\n", Later(b"\r\n+NETOPEN: 0\r\n")]),
                            (b"AT+NETOPEN", b"\r\nOK\r\n")])
    ch.command("AT+NETOPEN", then=b"+NETOPEN:")
    assert ch.wait_urc(b"+NETOPEN:", 30000) == b"+NETOPEN: 0"
    ch.command("AT+NETOPEN", then=b"+NETOPEN:")
    t0 = clock.now
    assert _raises(lambda: ch.wait_urc(b"+NETOPEN:", 30000)).kind == TIMEOUT
    assert clock.now - t0 >= 30000


def test_download_prompt_and_raw_answer():
    body = bytes(range(256)) * 2
    answer = b'{"ok": true, "ack_seq": 60}'
    ch, fake, _ = channel([
        (b"AT+HTTPDATA=512,10000", [b"\r\nDOWNLOAD\r\n", Data(512), b"\r\nOK\r\n"]),
        (b"AT+HTTPREAD=0,27", [b"\r\nOK\r\n", Later(b"\r\n+HTTPREAD: 27\r\n" + answer
                                                    + b"\r\n+HTTPREAD: 0\r\n")]),
    ], chunk=5)
    ch.command("AT+HTTPDATA=512,10000", prompt=b"DOWNLOAD", data=body)
    assert fake.data == [body]
    ch.command("AT+HTTPREAD=0,27", then=b"+HTTPREAD:0", raw=(b"+HTTPREAD:", None))
    ch.wait_urc(b"+HTTPREAD:0", 1000)
    assert bytes(ch.raw[:ch.raw_len]) == answer
    assert ch.garbage_lines == 0


def test_binary_raw_answer_with_crlf_inside():
    payload = b"\r\nOK\r\n\x00\xff+CME ERROR: 3\r\n"
    ch, _, _ = channel([(b"AT+QHTTPREAD=80", [b"\r\nCONNECT\r\n" + payload + b"\r\nOK\r\n",
                                              Later(b"\r\n+QHTTPREAD: 0\r\n")])], chunk=3)
    ch.command("AT+QHTTPREAD=80", then=b"+QHTTPREAD:", raw=(b"CONNECT", len(payload)))
    assert ch.wait_urc(b"+QHTTPREAD:", 1000) == b"+QHTTPREAD: 0"
    assert bytes(ch.raw[:ch.raw_len]) == payload


def test_sms_prompt_without_newline():
    ch, fake, _ = channel([(b'AT+CMGS="123"', [b"\r\n> ", Data(3), b"\r\n+CMGS: 7\r\n\r\nOK\r\n"])])
    assert ch.command('AT+CMGS="123"', prompt=b">", data=b"hi\x1a", expect=b"+CMGS:") == \
        [b"+CMGS: 7"]
    assert fake.data == [b"hi\x1a"]


def test_error_before_prompt():
    ch, _, _ = channel([(b"AT+HTTPDATA=9,10000", b"\r\n+CME ERROR: 3\r\n")])
    e = _raises(lambda: ch.command("AT+HTTPDATA=9,10000", prompt=b"DOWNLOAD", data=b"x" * 9))
    assert e.code == 3 and e.reason == "operation not allowed"


def test_urcs_between_commands():
    ch, _, _ = channel([(b"AT", b"\r\nOK\r\n")])
    heard = []
    ch.add_listener(heard.append)
    ch.feed(b"\r\n+CEREG: 2\r\n\r\nRDY\r\n\r\n+CPIN: READY\r\n")
    assert heard == [b"+CEREG: 2", b"RDY", b"+CPIN: READY"]
    assert ch.garbage_lines == 0


def test_lilygo_a7670_transcript_never_crashes():
    # Real A7670G session (host echo and application log lines mixed in): fed as if it
    # arrived unsolicited, every line is a URC or counted garbage; none raises.
    import fwtest

    path = fwtest.data_path("at/lilygo/a7670g_boot_register_mqtt_session.md")
    ch, _, _ = channel([])
    heard = []
    ch.add_listener(heard.append)
    for line in fwtest.read_lines(path):
        ch.feed(line)
    assert b"+CPSI: LTE,Online,460-11,0x7764,117148181,127,EUTRAN-BAND1,100,5,5,8,53,60,-4" \
        in heard
    assert b"+CEREG: 0,1" in heard and b"+CPIN: READY" in heard
    assert ch.garbage_lines > 0


def test_negative_raw_count_copies_nothing():
    # A raw count below zero (a caller passing a module's bad length on) copies no byte and
    # never shrinks the raw buffer; the answer's lines are read as lines.
    ch, _, _ = channel([(b"AT+QHTTPREAD=80", b"\r\nCONNECT\r\nhello\r\n\r\nOK\r\n")], chunk=4)
    size = len(ch.raw)
    assert ch.command("AT+QHTTPREAD=80", raw=(b"CONNECT", -5)) == [b"hello"]
    assert ch.raw_len == 0 and len(ch.raw) == size
