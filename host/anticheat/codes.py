"""The anti-cheat reason codes: what each detects, its weight in the risk score, and the
badge's anti-cheat event codes (record kind 3, docs/protocol-v1.md).

Risk: every fired check has a weight w in 0..100 (the chance, as we judge it, that the
check fires on cheating rather than on an honest badge). Weights of different codes
combine as a noisy-OR, risk = 100 * (1 - prod(1 - w/100)), each code counted once at its
highest weight: two independent weak signals add up, one strong one is enough, and the
same check firing twice does not double-count. A check-in is refused when its risk is
above the organisation's `risk_threshold` (default 50).
"""

from __future__ import annotations

# code -> (weight 0..100, what it detects). Thresholds live with the checks (checks.py).
HOST_CODES: dict[str, tuple[int, str]] = {
    "teleport": (90, "impossible speed between consecutive fixes (the later fix is quarantined)"),
    "future_fix": (90, "fix time ahead of the server clock (quarantined, never the latest)"),
    "clock_backwards": (70, "fix time steps back against the previous fix in sequence order"),
    "cn0_uniform_strong": (80, "every satellite strong and alike: a GNSS simulator's signature"),
    "too_perfect": (70, "no jitter at all while stationary: a simulated track"),
    "records_missing": (40, "upload starts after the stored head: records were deleted"),
    "log_edited": (80, "signed, but the hash chain is broken: the log was edited on flash"),
    "record_tampered": (80, "chain broken and signature fails: records edited after signing"),
    "replayed_batch": (70, "a byte-identical upload received again"),
    "cloned_badge": (95, "a stored sequence number re-signed with other bytes: the chain forks"),
    "firmware_unreleased": (60, "firmware hash given at registration is not a released build"),
    "stale_checkin_fix": (60, "the check-in rests on a fix older than the organisation allows"),
}

# Ingest rejections (host.ingest.service IngestError codes) that are anti-cheat evidence.
INGEST_CODES = {
    "sequence_gap": "records_missing",
    "chain_broken": "log_edited",
    "record_tampered": "record_tampered",
    "replayed_batch": "replayed_batch",
    "sequence_conflict": "cloned_badge",
}

# Badge event codes (kind 3 `code`): number -> (name, value_a, value_b, count).
BADGE_EVENTS: dict[int, tuple[str, str, str, str]] = {
    1: ("cn0_too_strong", "strongest C/N0, dB-Hz", "strong signals", "strong signals (count)"),
    2: ("cn0_uniform", "C/N0 spread max-min, dB", "mean C/N0, dB-Hz", "signals with C/N0"),
    3: ("sats_bulk_change", "satellites appeared", "satellites vanished", "churn"),
    4: ("gnss_network_time", "GNSS minus network time, s", "network time age, s", "count"),
    5: ("altitude", "altitude, cm", "limit, cm", "count"),
    6: ("speed", "speed, cm/s", "limit, cm/s", "count"),
    7: ("far_from_cell", "distance to serving cell, m", "plausible range, m", "cells heard"),
}
# Badge events that say the GNSS signal itself is not to be trusted (a spoofer).
SPOOFING_EVENTS = frozenset({1, 2, 3, 4})

# Alerts whose evidence is about the device rather than one place and time.
DEVICE_CODES = frozenset(
    {
        "records_missing",
        "log_edited",
        "record_tampered",
        "replayed_batch",
        "cloned_badge",
        "firmware_unreleased",
    }
)


def badge_code(code: int) -> str:
    name = BADGE_EVENTS.get(code, (f"unknown_{code}",))[0]
    return "badge_" + name


def weight(code: str, severity: int | None = None) -> int:
    """A badge event weighs what the badge said (its severity); a host check its table."""
    if code.startswith("badge_"):
        return max(0, min(100, severity if severity is not None else 50))
    return HOST_CODES.get(code, (50, ""))[0]


def combine(weights: dict[str, int]) -> int:
    """Noisy-OR of the weights, one per code: an integer risk 0..100."""
    keep = 1.0
    for w in weights.values():
        keep *= 1.0 - max(0, min(100, w)) / 100.0
    return round(100 * (1.0 - keep))
