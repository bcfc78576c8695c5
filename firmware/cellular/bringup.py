"""Bring-up of the modem (cold code, cellular.modem loads it for each bring-up and drops it
after): power, AT sync, ATE0, AT+CMEE=1, SIM, registration, PDP context, HTTP service.
Functions of the `cellular.modem.Modem` they act on; failures go through `m._fail(why)`."""

from time import ticks_diff

from micropython import const

from cellular.at_errors import CME, CME_SIM_BUSY, CME_SIM_FAILURE, AtError
from cellular.modem import DATA_READY, OFF, REGISTERED, SEARCHING, SLEEPING
from cellular.parse import STAT_DENIED, reg_stat, registered, stat_name

_SIM_TRIES = const(10)
_SYNC_TRIES = const(3)
_REG_POLL_MS = const(1000)


def bring_up(m):
    m.bring_ups += 1
    if m.state == SLEEPING:
        m.wake()
    if not m._powered or not _sync(m):
        _power_cycle(m)
        if not _sync(m):
            m._fail("no answer to AT after a power cycle")
    m.cmd("ATE0")
    m.cmd("AT+CMEE=1")
    _sim_ready(m)
    _wait_registered(m)
    if not m._http_open or m._suspect:
        m.dialect.attach(m.apn)
        m._url_sent = None
        if m.url:  # a bring-up for cells() before any post has no URL yet: the post sets it
            m.dialect.http_open(m.url)
            m._url_sent = m.url
        m._http_open = True
    m._suspect = False
    m.state = DATA_READY
    m.reason = ""


def _power_cycle(m):
    m.power_cycles += 1
    m.state = OFF
    m._http_open = False
    if m.power is not None:
        stream = m.power.on()
        if stream is not None:
            m.ch.stream = stream
    m._powered = True


def _sync(m):
    for _ in range(_SYNC_TRIES):
        try:
            m.ch.command("AT", 1000)
            return True
        except OSError:  # no answer, or the link is gone: a power cycle follows
            m.retries += 1
    return False


def _sim_ready(m):
    for _ in range(_SIM_TRIES):
        try:
            lines = m.cmd("AT+CPIN?", 5000, expect=b"+CPIN:")
        except AtError as e:
            if e.sim_absent():
                m._fail("SIM absent")
            if e.kind == CME and e.code in (CME_SIM_BUSY, CME_SIM_FAILURE):
                m.retries += 1
                m._sleep(1000)
                continue
            raise
        for line in lines:
            if b"READY" in line:
                return
            m._fail("SIM locked: " + line.decode())
    m._fail("SIM not ready")


def registration(m):
    """Registration stat: AT+CEREG? (LTE), then AT+CREG? when not registered there."""
    stat = None
    for query, prefix in (("AT+CEREG?", b"+CEREG:"), ("AT+CREG?", b"+CREG:")):
        for line in m.cmd(query, 2000, expect=prefix):
            stat = reg_stat(line)
        if registered(stat):
            break
    m.stat = stat
    return stat


def _wait_registered(m):
    start = m._clock()
    while True:
        stat = registration(m)
        if registered(stat):
            m.state = REGISTERED
            return
        if stat == STAT_DENIED:
            m._fail("registration denied")
        m.state = SEARCHING
        m.reason = stat_name(stat)
        if ticks_diff(m._clock(), start) >= m.reg_timeout_ms:
            m._fail("not registered: " + stat_name(stat))
        m._sleep(_REG_POLL_MS)
