"""Each fault the modem simulator injects, alone, and how the badge recovers from it.

A real receiver log (gpsd's haicom-305N: 74 epochs) through the badge firmware under
micropython, batches of 20 so that the badge makes several uploads; the fault hits upload
attempt 2. Recovery means: the badge's uploader saw one failed attempt (or none, where the
driver absorbs the fault inside its AT channel), retried, and the host ends with every
record exactly once in one verified chain.
"""

from __future__ import annotations

import pytest
from consolekit import DATA, need
from modemkit import run_through_modem, stored

from host.sim.modem.faults import FaultPlan

LOG = DATA / "nmea" / "gpsd" / "haicom-305N.log"

# kind -> (whether the upload attempt fails, what the badge reports on the way: its last
# upload error or its driver's log on stderr). A fault condition (no SIM, registration
# denied, signal lost) lasts 12 AT commands, long enough for the driver to see it in its
# own checks (AT+CPIN?, AT+CEREG?) and reach its "failed" state before the network heals.
RECOVERY = {
    "no_sim": (True, "modem: failed: SIM absent"),  # +CME ERROR: 10, then AT+CPIN? says so
    "reg_denied": (True, "modem: failed: registration denied"),  # +CEREG: 0,3
    "signal_loss": (True, "modem HTTP error 706"),  # A76XX 706: answer lost after storing
    "cme_error": (True, "cme: unknown (100)"),  # +CME ERROR: 100
    "http_5xx": (True, "503"),  # a host-side 5xx is retried, not counted as a refusal
    "http_timeout": (True, "modem HTTP error 705"),  # A76XX 705: timeout
    "urc_inside": (False, None),  # the AT channel files the URC away; the upload goes on
    "garbage": (False, "at: garbage (too long or not printable): b'\\x00\\xff\\xfe"),
    "hang": (True, "no answer within"),  # AT sync fails, then a PWRKEY power cycle
    "brownout": (True, "modem: modem restarted"),  # RDY seen: echo back on, bring-up again
}


def clean_attempts(tmp_path) -> int:
    _, badge, _ = run_through_modem(tmp_path / "clean", LOG, FaultPlan(), batch=20)
    return badge["modem_upload_attempts"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    need(LOG, "the gpsd regression log")
    return clean_attempts(tmp_path_factory.mktemp("baseline"))


@pytest.mark.parametrize("kind", list(RECOVERY))
def test_fault_recovery(kind, baseline, tmp_path):
    fails, says = RECOVERY[kind]
    demo, badge, host = run_through_modem(
        tmp_path / "demo", LOG, FaultPlan(script={2: kind}, hold=12), batch=20
    )
    assert badge["modem_faults_by_kind"] == {kind: 1}
    if says:
        assert says in (badge["last_upload_error"] or "") + demo.badge.stderr
    # the spoiled attempt was retried once: one body more than a clean day
    assert badge["modem_upload_attempts"] == baseline + fails
    assert (badge["upload_errors"] > 0) == fails
    # nothing lost, nothing twice
    assert badge["records_pending"] == 0 and badge["records_rejected"] == 0
    assert host["records_stored"] == badge["records_signed"] == badge["records_uploaded"]
    assert host["chain_complete"] and host["signatures_verified"] == host["records_stored"]
    assert stored(demo)["covered"] == host["records_stored"]
    if kind == "hang":
        assert badge["modem_connections"] == 2  # the badge pressed PWRKEY once
    if kind == "signal_loss":
        assert badge["modem_forwarded"] == baseline + 1  # the host saw that batch twice


@pytest.mark.parametrize("kinds", [("signal_loss", "no_sim", "http_5xx", "brownout")])
def test_quectel_dialect_recovers_too(kinds, tmp_path):
    need(LOG, "the gpsd regression log")
    script = {2 + 2 * i: k for i, k in enumerate(kinds)}
    # four failures in a 74 s log: what the end-of-stream flush leaves goes at the next start
    demo, badge, host = run_through_modem(
        tmp_path / "demo", LOG, FaultPlan(script=script), "quectel", batch=10, next_start=True
    )
    assert badge["modem_faults_by_kind"] == {k: 1 for k in kinds}
    assert badge["records_pending"] == 0 and badge["records_rejected"] == 0
    assert host["records_stored"] == badge["records_signed"] == badge["records_uploaded"]
    assert host["chain_complete"] and host["signatures_verified"] == host["records_stored"]
