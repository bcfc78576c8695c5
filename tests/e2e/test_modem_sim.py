"""The modem simulator against real modules: recorded transcripts replayed into it answer
the same, and the AT manuals' framing, HTTP flows, network time and faults.

Transcripts (../shared/data/at, see its README): a SIMCom A7670G session (LilyGO examples)
and a Quectel EC25/BG96 capture (thejbte/cellular-modem), IMEI/IMSI/ICCID masked there as
"first 6 digits, then X". The simulator is configured as the recorded module was (model
strings, PLMN, cell, IP); the test checks that the answers have the recorded layout, byte
for byte where the capture is byte-exact.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from consolekit import DATA, need

from host.sim.modem.cells import Cell, CellScript, Stage
from host.sim.modem.faults import KINDS, FaultError, FaultPlan, parse_script
from host.sim.modem.quectel import quectel_config
from host.sim.modem.server import make_modem
from host.sim.modem.simcom import simcom_config

LILYGO = DATA / "at" / "lilygo" / "a7670g_boot_register_mqtt_session.md"
THEJBTE = DATA / "at" / "thejbte_cellular_modem" / "quectel_ec25_bg96_responses.txt"
FINALS = ("OK", "ERROR")


class At:
    """A scripted AT client on a fake clock: what a driver would write, and what came back."""

    def __init__(
        self,
        dialect="simcom",
        config=None,
        cells=None,
        faults=None,
        forward=None,
        utc=None,
        boot=True,
    ):
        self.t = 0.0
        kw = {"utc": utc} if utc else {}
        self.modem = make_modem(
            dialect, config, cells=cells, faults=faults, forward=forward, clock=lambda: self.t, **kw
        )
        if boot:
            self.boot = self.wait(2.0)

    def wait(self, seconds: float) -> bytes:
        out = b""
        for _ in range(int(seconds / 0.01)):
            self.t += 0.01
            out += self.modem.take()
        return out

    def send(self, data: bytes, settle: float = 0.05) -> bytes:
        self.modem.feed(data)
        return self.modem.take() + self.wait(settle)

    def cmd(self, line: str, settle: float = 0.05) -> bytes:
        return self.send(line.encode() + b"\r", settle)


def quiet(at: At) -> At:
    at.cmd("ATE0")
    return at


def lines_of(raw: bytes) -> list[str]:
    return [x for x in re.split(r"\r\n|\r", raw.decode("latin-1")) if x.strip()]


# --- the SIMCom A7670G transcript -------------------------------------------------------
def recorded(lines: list[str], command: str) -> list[str]:
    """Answer lines (information lines and the final code) that follow the first line that
    is exactly `command` in the transcript; echoes and blank lines skipped."""
    i = lines.index(command) + 1
    out = []
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if not line.strip() or line == command:
            continue
        out.append(line)
        if line in FINALS or line.startswith("+CME ERROR"):
            return out
    raise AssertionError(f"no final result code after {command}")


def a7670() -> At:
    # The recorded module, as its transcript shows it (IMEI blank: masked by its author).
    config = simcom_config(
        profile="a7670",
        model="A7670G-LLSE",
        revision="A124B01A7670M7",
        build="A7670M7_B01V01_240722",
        imei="",
        ip="10.4.112.219",
        boot_sim_error=13,
        boot_s=3.0,
        sim_ready_s=0.5,
    )
    serving = Cell(
        460, 11, 0x7764, 117148181, 127, 100, 1, -88, -15, -63, -4, cpsi_quality=(8, 53, 60, -4)
    )
    return At("simcom", config, cells=CellScript((Stage(serving),)), boot=False)


def test_a7670_boot_answers_only_after_atready():
    need(LILYGO, "the LilyGO A7670G transcript")
    at = a7670()
    # The transcript: several AT unanswered while the module boots, then *ATREADY: 1, OK.
    assert at.cmd("AT", 0.5) == b""
    assert at.cmd("AT", 0.5) == b""
    assert lines_of(at.wait(2.5)) == ["*ATREADY: 1"]
    assert lines_of(at.cmd("AT", 0.0)) == ["AT", "OK"]  # echo on after power-up


def test_a7670_transcript_replays_the_same():
    need(LILYGO, "the LilyGO A7670G transcript")
    text = LILYGO.read_text().splitlines()
    at = a7670()
    at.wait(3.1)
    quiet(at)
    # SIM not ready yet: the recorded +CME ERROR: 13, then the +CPIN: READY URC.
    assert lines_of(at.cmd("AT+CPIN?", 0.01)) == recorded(text, "AT+CPIN?")
    assert "+CPIN: READY" in lines_of(at.wait(1.0))
    for command in ("AT+CEREG?", "AT+CPSI?", "AT+NETOPEN", "AT+IPADDR", "AT+SIMCOMATI"):
        got = [x for x in lines_of(at.cmd(command, 0.0)) if not x.startswith("+NETOPEN")]
        assert got == recorded(text, command), command
    # AT+NETOPEN's outcome is the later URC, as recorded ("+NETOPEN: 0").
    at.cmd("AT+NETCLOSE")
    assert lines_of(at.cmd("AT+NETOPEN", 0.2)) == ["OK", "+NETOPEN: 0"]


# --- the Quectel EC25 / BG96 capture -------------------------------------------------------
def capture() -> dict[str, bytes]:
    out = {}
    for line in THEJBTE.read_text().splitlines():
        if line and not line.startswith("#") and "\t" in line:
            name, value = line.split("\t", 1)
            out[name.removeprefix("CM_CMD_MOCK_")] = json.loads(value).encode("latin-1")
    return out


def ec25(**overrides) -> At:
    config = quectel_config(
        **{
            "model": "EC25",
            "revision": "EC25AUXGAR08A03M1G",
            "imei": "862708123456789",
            "imsi": "732101123456789",
            "iccid": "89571012345678901234",
            "ip": "10.101.234.65",
            "operator": "#CoberturaCLARO Claro",
            **overrides,
        }
    )
    # Claro Colombia, LTE band 7, EARFCN 3075 (the +QNWINFO of the capture); CSQ 28 means
    # -57 dBm (27.007: -113 + 2 * 28).
    serving = Cell(732, 101, 0x2D0, 0x1B3C01, 101, 3075, 7, -85, -9, -57, 12, mnc_digits=3)
    return At("quectel", config, cells=CellScript((Stage(serving),)))


def mask(raw: bytes) -> bytes:
    """The capture's masking: digits after the first 6 of an identity become X."""
    return re.sub(rb"\d{7,}", lambda m: m.group()[:6] + b"X" * (len(m.group()) - 6), raw)


@pytest.mark.parametrize(
    "name,command",
    [
        ("GENERAL_RESPONSE", "AT"),
        ("GSQ_RESPONSE", "AT+CSQ"),
        ("QNWINFO_RESPONSE", "AT+QNWINFO"),
        ("ATI_RESPONSE", "ATI"),
        ("CREG_RESPONSE", "AT+CREG?"),
        ("COPS_RESPONSE", "AT+COPS?"),
        ("CPIN_RESPONSE", "AT+CPIN?"),
        ("ERROR_GENERAL_RESPONSE", "AT+NOSUCHCOMMAND"),
    ],
)
def test_ec25_capture_byte_for_byte(name, command):
    need(THEJBTE, "the thejbte Quectel capture")
    at = quiet(ec25())
    assert at.cmd(command) == capture()[name]


@pytest.mark.parametrize(
    "name,command",
    [("GSN_RESPONSE", "AT+CGSN"), ("IMSI_RESPONSE", "AT+CIMI"), ("CCID_RESPONSE", "AT+QCCID")],
)
def test_ec25_identities_have_the_recorded_layout(name, command):
    need(THEJBTE, "the thejbte Quectel capture")
    at = quiet(ec25())
    assert mask(at.cmd(command)) == capture()[name]


def test_ec25_pdp_context_and_dead_sim_as_captured():
    need(THEJBTE, "the thejbte Quectel capture")
    cap = capture()
    at = quiet(ec25())
    assert at.cmd("AT+QIACT=1") == b"\r\nOK\r\n"
    assert at.cmd("AT+QIACT?") == cap["QIACT_GET_RESPONSE"]
    dead = quiet(ec25(sim_failed=True))
    dead.cmd("AT+CMEE=2")
    assert dead.cmd("AT+CPIN?") == cap["CPIN_RESPONSE_BAD"]


def test_bg96_with_echo_on_as_captured():
    need(THEJBTE, "the thejbte Quectel capture")
    at = ec25(model="BG96", revision="BG96MAR02A07M1G")  # echo still on: never sent ATE0
    assert at.cmd("ATI") == capture()["ATI_RESPONSE2_ECHO"]


# --- network time, signal, registration -----------------------------------------------------
def test_cclk_is_local_time_with_the_zone_in_quarter_hours():
    utc = datetime(2026, 11, 30, 1, 30, 0, tzinfo=timezone.utc).timestamp()
    at = quiet(At(utc=lambda: utc))
    # Shanghai, UTC+8 = 32 quarter hours: 01:30 UTC is 09:30 local.
    assert lines_of(at.cmd("AT+CCLK?")) == ['+CCLK: "26/11/30,09:30:00+32"', "OK"]
    nl = quiet(At(config=simcom_config(tz_quarters=-14), utc=lambda: utc))
    # Newfoundland, UTC-3:30 = -14 quarter hours: 01:30 UTC is 22:00 the day before.
    assert lines_of(nl.cmd("AT+CCLK?")) == ['+CCLK: "26/11/29,22:00:00-14"', "OK"]


def test_registration_urcs_follow_the_network():
    at = At(config=simcom_config(sim_ready_s=0.5), boot=False)
    at.wait(0.01)
    quiet(at)
    at.cmd("AT+CEREG=1")
    out = lines_of(at.wait(1.0))
    # searching once the SIM is ready, then registered (27.007 <stat> 2 then 1)
    assert [x for x in out if x.startswith("+CEREG")] == ["+CEREG: 2", "+CEREG: 1"]
    at.cmd("AT+CEREG=2")
    tac, eci = CellScript().now().serving.tac, CellScript().now().serving.cell_id
    assert lines_of(at.cmd("AT+CEREG?"))[0] == '+CEREG: 2,1,"%04X","%X",7' % (tac, eci)


def test_cells_in_both_dialects():
    s = CellScript().now()
    simcom = quiet(At())
    cpsi = lines_of(simcom.cmd("AT+CPSI?"))[0]
    # SIM7600 layout: RSRQ, RSRP, RSSI in tenths of dB / dBm
    assert cpsi == "+CPSI: LTE,Online,460-01,0x%04X,%d,%d,EUTRAN-BAND3,1650,5,5,%d,%d,%d,%d" % (
        s.serving.tac,
        s.serving.cell_id,
        s.serving.pci,
        10 * s.serving.rsrq_db,
        10 * s.serving.rsrp_dbm,
        10 * s.serving.rssi_dbm,
        s.serving.sinr_db,
    )
    ceng = lines_of(simcom.cmd("AT+CENG?"))
    assert len(ceng) == 3 + len(s.neighbours) and ceng[-1] == "OK"  # head, serving, ..., OK
    q = quiet(At("quectel"))
    serving = lines_of(q.cmd('AT+QENG="servingcell"'))[0]
    f = serving.split(",")
    assert f[:4] == ['+QENG: "servingcell"', '"NOCONN"', '"LTE"', '"FDD"']
    assert (int(f[4]), int(f[5]), int(f[6], 16), int(f[12], 16), int(f[13])) == (
        460,
        1,
        s.serving.cell_id,
        s.serving.tac,
        s.serving.rsrp_dbm,
    )
    neigh = lines_of(q.cmd('AT+QENG="neighbourcell"'))
    assert len(neigh) == len(s.neighbours) + 1
    assert neigh[0].startswith('+QENG: "neighbourcell intra","LTE",1650,311,')


# --- HTTP -----------------------------------------------------------------------------------
class Host:
    def __init__(self, status=200, body=b'{"ok": true, "ack_seq": 60}'):
        self.status, self.body, self.seen = status, body, []

    def __call__(self, url, body, content_type):
        self.seen.append((url, body, content_type))
        return self.status, self.body


def simcom_ready(faults=None, host=None) -> At:
    at = quiet(At(faults=faults, forward=host or Host()))
    for line in (
        "AT+HTTPINIT",
        'AT+HTTPPARA="URL","http://127.0.0.1:5000/api/v1/batches"',
        'AT+HTTPPARA="CONTENT","application/octet-stream"',
    ):
        assert at.cmd(line) == b"\r\nOK\r\n", line
    return at


def simcom_post(at: At, body: bytes) -> bytes:
    out = at.cmd("AT+HTTPDATA=%d,10000" % len(body))
    if not out.endswith(b"\r\nDOWNLOAD\r\n"):
        return out
    out += at.send(body)
    return out + at.cmd("AT+HTTPACTION=1", 1.0)


def test_simcom_post_reaches_the_host_and_reads_back():
    host = Host()
    at = simcom_ready(host=host)
    out = simcom_post(at, b"\x00VPB1 body")
    assert out == (
        b"\r\nDOWNLOAD\r\n\r\nOK\r\n\r\nOK\r\n\r\n+HTTPACTION: 1,200,%d\r\n" % len(host.body)
    )
    assert host.seen == [
        ("http://127.0.0.1:5000/api/v1/batches", b"\x00VPB1 body", "application/octet-stream")
    ]
    assert at.cmd("AT+HTTPREAD?") == b"\r\n+HTTPREAD: LEN,%d\r\n\r\nOK\r\n" % len(host.body)
    n = len(host.body)
    assert at.cmd("AT+HTTPREAD=0,%d" % n) == (
        b"\r\nOK\r\n\r\n+HTTPREAD: %d\r\n%s\r\n+HTTPREAD: 0\r\n" % (n, host.body)
    )


def test_quectel_post_reaches_the_host_and_reads_back():
    host = Host(status=409, body=b'{"ok": false, "ack_seq": 3}')
    at = quiet(At("quectel", forward=host))
    at.cmd('AT+QICSGP=1,1,"cmnet","","",1')
    assert at.cmd("AT+QIACT=1") == b"\r\nOK\r\n"
    at.cmd('AT+QHTTPCFG="contextid",1')
    assert at.cmd('AT+QHTTPCFG="contenttype",2') == b"\r\nOK\r\n"
    url = b"http://127.0.0.1:5000/api/v1/batches"
    assert at.cmd("AT+QHTTPURL=%d,80" % len(url)) == b"\r\nCONNECT\r\n"
    assert at.send(url) == b"\r\nOK\r\n"
    assert at.cmd("AT+QHTTPPOST=4,80,80") == b"\r\nCONNECT\r\n"
    assert at.send(b"VPB1", 0.5) == b"\r\nOK\r\n\r\n+QHTTPPOST: 0,409,%d\r\n" % len(host.body)
    assert at.cmd("AT+QHTTPREAD=80") == (
        b"\r\nCONNECT\r\n" + host.body + b"\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n"
    )
    assert host.seen == [(url.decode(), b"VPB1", "application/octet-stream")]


def test_httpdata_times_out_when_the_body_stops_short():
    at = simcom_ready()
    assert at.cmd("AT+HTTPDATA=10,500") == b"\r\nDOWNLOAD\r\n"
    assert at.send(b"only4", 1.0) == b"\r\nERROR\r\n"  # 500 ms passed with 5 of 10 bytes


# --- faults ---------------------------------------------------------------------------------
def faulted(kind: str) -> tuple[At, Host]:
    host = Host()
    return simcom_ready(FaultPlan(script={1: kind}, hold=4), host), host


def test_fault_no_sim():
    at, host = faulted("no_sim")
    assert simcom_post(at, b"body") == b"\r\n+CME ERROR: 10\r\n"
    assert at.cmd("AT+CPIN?") == b"\r\n+CME ERROR: 10\r\n"
    at.cmd("AT")
    assert lines_of(at.cmd("AT")) == ["+CPIN: READY", "OK"]  # re-seated after 4 commands
    assert lines_of(at.cmd("AT+CPIN?")) == ["+CPIN: READY", "OK"]
    assert host.seen == []


def test_fault_reg_denied():
    at, host = faulted("reg_denied")
    at.modem.reg_n["CEREG"] = 1
    out = lines_of(simcom_post(at, b"body"))
    assert out[0] == "+CEREG: 3" and out[-1] == "+HTTPACTION: 1,717,0"
    assert lines_of(at.cmd("AT+CEREG?")) == ["+CEREG: 1,3", "OK"]
    assert host.seen == []


def test_fault_signal_loss_after_the_host_stored_the_body():
    at, host = faulted("signal_loss")
    out = lines_of(simcom_post(at, b"body"))
    assert out[-1] == "+HTTPACTION: 1,706,0"
    assert len(host.seen) == 1  # the host got it; the answer was lost
    assert lines_of(at.cmd("AT+CSQ")) == ["+CSQ: 99,99", "OK"]


def test_fault_cme_error_follows_cmee():
    at, _ = faulted("cme_error")
    assert simcom_post(at, b"body") == b"\r\n+CME ERROR: 100\r\n"
    plain = At(faults=FaultPlan(script={1: "cme_error"}))
    for line in ("ATE0", "AT+CMEE=0", "AT+HTTPINIT"):
        plain.cmd(line)
    assert plain.cmd("AT+HTTPDATA=4,1000") == b"\r\nERROR\r\n"


def test_fault_http_5xx_and_timeout():
    at, host = faulted("http_5xx")
    assert lines_of(simcom_post(at, b"body"))[-1].startswith("+HTTPACTION: 1,503,")
    assert host.seen == []
    at, host = faulted("http_timeout")
    out = simcom_post(at, b"body")
    assert lines_of(out)[-1] == "+HTTPACTION: 1,705,0" and host.seen == []


def test_fault_urc_inside_a_response():
    at, _ = faulted("urc_inside")
    assert simcom_post(at, b"body").endswith(b"+HTTPACTION: 1,200,27\r\n")
    out = at.cmd("AT+CSQ")
    # serving cell RSSI -58 dBm: (-58 + 113) // 2 = 27 (27.007: 27 means -59..-58 dBm)
    assert out == b"\r\n+CSQ: 27,99\r\n\r\n+CGEV: EPS PDN ACT 1\r\n\r\nOK\r\n"


def test_fault_garbage_before_the_answer():
    at, _ = faulted("garbage")
    out = simcom_post(at, b"body")
    assert out.startswith(b"\x00\xff\xfe") and b"DOWNLOAD" in out


def test_fault_hang_until_reset():
    at, _ = faulted("hang")
    assert simcom_post(at, b"body") == b""
    assert at.cmd("AT", 1.0) == b""
    # a hung module answers nothing, but (hang_reset="any") the reset takes it down
    assert lines_of(at.cmd("AT+CRESET", 0.5))[:1] == ["RDY"]
    assert at.cmd("AT") == b"AT\r\r\nOK\r\n"  # echo is back on after the reset


def test_fault_hang_pwrkey_only():
    at = simcom_ready(FaultPlan(script={1: "hang"}))
    at.modem.cfg.hang_reset = "pwrkey"
    simcom_post(at, b"body")
    assert at.cmd("AT+CRESET", 0.5) == b""
    at.modem.power_off()
    at.modem.power_on()
    assert lines_of(at.wait(0.5))[:1] == ["RDY"]


def test_fault_brownout_brings_echo_back():
    at, _ = faulted("brownout")
    out = at.cmd("AT+HTTPDATA=4,1000")
    # rebooted: boot URC, the command echoed, the SIM busy again (its start-up)
    assert out == b"\r\nRDY\r\nAT+HTTPDATA=4,1000\r\r\n+CME ERROR: 14\r\n"
    at.wait(1.0)
    assert at.cmd("AT+HTTPDATA=4,1000") == b"AT+HTTPDATA=4,1000\r\r\nERROR\r\n"  # no HTTPINIT


# --- the plan -------------------------------------------------------------------------------
def test_fault_plan_is_reproducible_and_covers_every_kind():
    a = FaultPlan(rate=0.2, seed=7)
    b = FaultPlan(rate=0.2, seed=7)
    seq_a = [a.for_attempt(k) for k in range(1, 401)]
    assert seq_a == [b.for_attempt(k) for k in range(1, 401)]
    faulted_n = sum(1 for x in seq_a if x)
    assert 0.15 <= faulted_n / 400 <= 0.25
    assert set(a.counts()) == set(KINDS)
    assert all(not (x and y) for x, y in zip(seq_a, seq_a[1:], strict=False))  # gap = 1


def test_fault_script_and_bad_input():
    assert parse_script("3:no_sim, 7:hang") == {3: "no_sim", 7: "hang"}
    plan = FaultPlan(script={2: "garbage"})
    assert [plan.for_attempt(k) for k in (1, 2, 3)] == [None, "garbage", None]
    with pytest.raises(FaultError, match="want ATTEMPT:KIND"):
        parse_script("x:hang")
    with pytest.raises(FaultError, match="unknown fault kind"):
        FaultPlan(script={1: "meteor"})
    with pytest.raises(FaultError, match="outside 0..1"):
        FaultPlan(rate=1.5)


def test_unknown_input_is_counted_not_fatal():
    at = quiet(At())
    assert at.cmd("hello modem") == b""
    assert at.cmd("AT+WHAT?") == b"\r\nERROR\r\n"
    assert at.modem.stats["dropped_lines"] == 1 and at.modem.stats["unknown_commands"] == 1


# --- the server: TCP and pty ----------------------------------------------------------------
def read_until(recv, marker: bytes, limit: float = 5.0) -> bytes:
    import time

    out = b""
    end = time.monotonic() + limit
    while marker not in out and time.monotonic() < end:
        out += recv()
    return out


def test_tcp_reconnect_is_a_power_cycle():
    import socket

    from host.sim.modem.server import ModemServer

    server = ModemServer("simcom").start()
    try:
        port = int(server.address.rsplit(":", 1)[1])
        for _ in range(2):  # each connection: the module boots, echo on
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.settimeout(0.2)

                def recv(s=s):
                    try:
                        return s.recv(4096)
                    except TimeoutError:
                        return b""

                assert b"RDY" in read_until(recv, b"RDY")
                s.sendall(b"ATE0\r")
                assert read_until(recv, b"OK\r\n").endswith(b"ATE0\r\r\nOK\r\n")
        assert server.stats()["connections"] == 2 and server.stats()["boots"] >= 2
    finally:
        server.stop()
    assert server.error is None


def test_pty_serves_the_same_modem():
    import os
    import select

    from host.sim.modem.server import ModemServer

    server = ModemServer("quectel", transport="pty").start()
    fd = os.open(server.address, os.O_RDWR | os.O_NOCTTY)
    try:

        def recv():
            ready, _, _ = select.select([fd], [], [], 0.2)
            return os.read(fd, 4096) if ready else b""

        assert b"RDY" in read_until(recv, b"RDY")
        os.write(fd, b"ATI\r")
        assert read_until(recv, b"OK\r\n").endswith(
            b"ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n"
        )
    finally:
        os.close(fd)
        server.stop()


def test_demo_command_refuses_bad_fault_options(tmp_path):
    from click.testing import CliRunner

    from host.sim.cli import demo

    run = CliRunner().invoke
    r = run(demo, ["--headless", "--faults", "2:meteor"])
    assert r.exit_code == 2 and "unknown fault kind" in r.output
    r = run(demo, ["--headless", "--uplink", "http", "--fault-rate", "0.2"])
    assert r.exit_code == 2 and "faults need --uplink modem" in r.output
    (tmp_path / "precious.txt").write_text("keep me")
    r = run(demo, ["--headless", "--workdir", str(tmp_path)])
    assert r.exit_code == 2 and (tmp_path / "precious.txt").exists()
