"""Anti-cheat centre (issue 6): named checks with reason codes, alerts, risk scores.

codes.py     reason codes, weights, badge event codes, how risks combine
checks.py    the host's fix checks (plain functions on plain data) and their thresholds
alerts.py    alerts in the database: after ingest, ingest rejections, badge events
risk.py      risk per fix, per check-in (checkin_risk, intercept) and per collector-day
firmware.py  the registry of released firmware builds
stream.py    the in-process wake-up behind GET /api/v1/alerts/stream
web.py       the console's alert list page, JSON and server-sent events
eval/        the evaluation set: cheating scenarios and the honest real logs
"""

from __future__ import annotations


def checkin_risk(session, device_pk, t_ms, fix=None, max_age_s=None):
    from host.anticheat.risk import checkin_risk as _risk

    return _risk(session, device_pk, t_ms, fix, max_age_s)
